#include "memory/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <variant>

#include "common/files.hpp"
#include "common/id.hpp"
#include "common/log.hpp"
#include "common/thread_name.hpp"
#include "memory/prepare.hpp"
#include "memory/sqlite/migrations.hpp"
#include "memory/sqlite/sqlite_db.hpp"
#include "memory/sqlite/sqlite_store_impl.hpp"
#include "memory/sqlite/writer_lock.hpp"

namespace redcell::memory {

namespace fs = std::filesystem;

namespace {

std::string roles_json(const std::vector<std::string>& roles) {
  boost::json::array a;
  for (const auto& r : roles) a.emplace_back(r);
  return boost::json::serialize(a);
}

std::vector<std::string> roles_from(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (!ec && v.is_array())
    for (auto& r : v.as_array())
      if (r.is_string()) out.emplace_back(r.as_string());
  return out;
}

constexpr const char* kUserCols =
    "id, issuer, subject, username, display_name, roles, created_at, updated_at, "
    "COALESCE(merged_into, '')";
User read_user(const Statement& s) {
  return User{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), roles_from(s.text(5)),
              s.time(6), s.time(7), s.text(8)};
}

constexpr const char* kMessageInsertCols =
    "id, owner, conversation_id, sequence, role, original_value, original_value_data_type, "
    "original_value_sha256, converted_value, converted_value_data_type, converted_value_sha256, "
    "converters, target_id, orchestrator_id, execution_id, labels, metadata, response_error, "
    "error_message, latency_ms, prompt_tokens, completion_tokens, created_at";
// A converted value equal to the original is stored once (NULL) and read back whole.
constexpr const char* kMessageCols =
    "id, owner, conversation_id, sequence, role, original_value, original_value_data_type, "
    "original_value_sha256, COALESCE(converted_value, original_value), converted_value_data_type, "
    "COALESCE(converted_value_sha256, original_value_sha256), converters, target_id, "
    "orchestrator_id, execution_id, labels, metadata, response_error, error_message, latency_ms, "
    "prompt_tokens, completion_tokens, created_at";
Message read_message(const Statement& s) {
  Message m;
  m.id = s.text(0);
  m.owner = s.text(1);
  m.conversation_id = s.text(2);
  m.sequence = s.int64(3);
  m.role = s.text(4);
  m.original_value = s.text(5);
  m.original_value_data_type = s.text(6);
  m.original_value_sha256 = s.text(7);
  m.converted_value = s.text(8);
  m.converted_value_data_type = s.text(9);
  m.converted_value_sha256 = s.text(10);
  m.converters = s.text(11);
  m.target_id = s.text(12);
  m.orchestrator_id = s.text(13);
  m.execution_id = s.text(14);
  m.labels = s.text(15);
  m.metadata = s.text(16);
  m.response_error = s.text(17);
  m.error_message = s.text(18);
  m.latency_ms = s.opt_real(19);
  m.prompt_tokens = s.opt_int64(20);
  m.completion_tokens = s.opt_int64(21);
  m.created_at = s.time(22);
  return m;
}

constexpr const char* kScoreCols =
    "id, owner, message_id, scorer_type, scorer_identity, score_type, value, category, "
    "rationale, metadata, override_value, override_reason, overridden_by, overridden_at, "
    "created_at";
Score read_score(const Statement& s) {
  Score r;
  r.id = s.text(0);
  r.owner = s.text(1);
  r.message_id = s.text(2);
  r.scorer_type = s.text(3);
  r.scorer_identity = s.text(4);
  r.score_type = s.text(5);
  r.value = s.text(6);
  r.category = s.text(7);
  r.rationale = s.text(8);
  r.metadata = s.text(9);
  r.override_value = s.opt_text(10);
  r.override_reason = s.opt_text(11);
  r.overridden_by = s.opt_text(12);
  if (!s.is_null(13)) r.overridden_at = s.time(13);
  r.created_at = s.time(14);
  return r;
}

constexpr const char* kAuditCols = "id, owner, action, object_type, object_id, details, created_at";
AuditEvent read_audit(const Statement& s) {
  return AuditEvent{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.time(6)};
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const StoreUrl& url, SqliteOptions opts) {
  if (url.kind != StoreUrl::Kind::sqlite)
    return fail(Error(ErrorCode::invalid_argument, "not a SQLite store URL: " + url.str()));
  auto im = std::make_unique<Impl>();
  im->url = url;
  im->opts = opts;
  const fs::path& path = url.path;

  if (opts.read_only) {
    if (!fs::exists(path))
      return fail(Error(ErrorCode::not_found, "there is no store at " + path.string(),
                        ErrorDetails{"--db", boost::json::value(url.str()), "an existing store"}));
  } else {
    if (auto ok = create_private_directories(path.parent_path()); !ok) return fail(ok.error());
    auto lock = WriterLock::acquire(path);
    if (!lock) return fail(lock.error());
    im->lock.emplace(std::move(*lock));

    auto w = Connection::open(im->lock->store_path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!w) return fail(w.error());
    im->writer = std::move(*w);
    auto& c = *im->writer;
    for (std::string pragma :
         {std::string("PRAGMA busy_timeout = 5000"), std::string("PRAGMA foreign_keys = ON"),
          std::string("PRAGMA synchronous = ") + (opts.synchronous_full ? "FULL" : "NORMAL"),
          "PRAGMA journal_size_limit = " + std::to_string(opts.journal_size_limit),
          std::string("PRAGMA wal_autocheckpoint = 0"), std::string("PRAGMA temp_store = MEMORY"),
          std::string("PRAGMA cache_size = -65536")}) {
      if (auto ok = c.exec(pragma); !ok) return fail(ok.error());
    }
    auto mode = c.prepare("PRAGMA journal_mode = WAL");
    if (!mode) return fail(mode.error());
    {
      StatementReset reset{*mode};
      auto row = (*mode)->step();
      if (!row || !*row || (*mode)->text(0) != "wal")
        return fail(Error(ErrorCode::unavailable, "the store " + path.string() +
                                                      " cannot use WAL mode (is it on a network "
                                                      "file system?)"));
    }
    auto version = sqlite::schema_version(c);
    if (!version) return fail(version.error());
    if (auto ok = sqlite::check_not_newer(*version, path.string()); !ok) return fail(ok.error());
    // An existing store's upgrade may rebuild tables (migration 8 copies every message):
    // say so before the wait, not only after it.
    if (*version > 0 && *version < sqlite::known_schema_version())
      log::info("store_migrating",
                {{"store", url.str()},
                 {"from", *version},
                 {"to", sqlite::known_schema_version()},
                 {"note", "rebuilding tables can take minutes on a large store"}});
    auto migrated = sqlite::migrate(c);
    if (!migrated) return fail(migrated.error());
    if (*migrated != *version)
      log::info("store_migrated", {{"store", url.str()}, {"from", *version}, {"to", *migrated}});
    auto ps = c.prepare("PRAGMA page_size");
    if (ps) {
      StatementReset reset{*ps};
      if (auto row = (*ps)->step(); row && *row) im->page_size = (*ps)->int64(0);
    }
    sqlite3_wal_hook(c.handle(), &Impl::on_wal_commit, im.get());
  }

  for (std::size_t i = 0; i < std::max<std::size_t>(1, opts.read_connections); ++i) {
    auto r = Connection::open(im->lock ? im->lock->store_path() : path, SQLITE_OPEN_READONLY);
    if (!r) return fail(r.error());
    if (auto ok = (*r)->exec("PRAGMA busy_timeout = 5000"); !ok) return fail(ok.error());
    im->readers.push_back(std::move(*r));
  }
  im->reader_count = im->readers.size();
  auto version = sqlite::schema_version(*im->readers.front());
  if (!version) return fail(version.error());
  im->schema = *version;
  if (opts.read_only) {
    if (auto ok = sqlite::check_not_newer(*version, path.string()); !ok) return fail(ok.error());
  } else {
    im->writer_thread = std::thread([p = im.get()] {
      name_this_thread("store-writer");
      p->writer_loop();
    });
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(im)));
}

Result<void> SqliteStore::set_listen_url(const std::string& url) {
  if (!impl_->lock) return {};
  return impl_->lock->set_listen_url(url);
}

Result<void> SqliteStore::backup_to(const fs::path& file) {
  if (fs::exists(file))
    return fail(Error::invalid("FILE", boost::json::value(file.string()),
                               "a path that does not exist yet",
                               "the backup target " + file.string() + " exists already"));
  return impl_->read([&](Connection& c) -> Result<void> {
    auto st = c.prepare("VACUUM INTO ?");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    (*st)->bind(1, file.string());
    return (*st)->run();
  });
}

std::string SqliteStore::url() const {
  return impl_->url.str();
}

// --- users -----------------------------------------------------------------------------

Future<User> SqliteStore::upsert_user(const Scope& scope, User user) {
  if (auto ok = prepare_user(scope, user); !ok) return Impl::failed<User>(ok.error());
  auto* im = impl_.get();
  std::string new_id = im->ids.next();
  auto now = im->clock.now();
  return im->submit<User>(
      [user = std::move(user), new_id, now](Connection& c) -> Result<User> {
        auto up = c.prepare(
            "INSERT INTO users (id, issuer, subject, username, display_name, roles, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (issuer, subject) DO UPDATE "
            "SET "
            "username = excluded.username, display_name = excluded.display_name, "
            "roles = excluded.roles, updated_at = excluded.updated_at");
        if (!up) return fail(up.error());
        {
          StatementReset reset{*up};
          auto& s = **up;
          s.bind(1, new_id);
          s.bind(2, user.issuer);
          s.bind(3, user.subject);
          s.bind(4, user.username);
          s.bind(5, user.display_name);
          s.bind(6, roles_json(user.roles));
          s.bind(7, now);
          s.bind(8, now);
          if (auto ok = s.run(); !ok) return fail(ok.error());
        }
        // A merged identity signs in as the user it was merged into.
        auto get = c.prepare(std::string("SELECT ") + kUserCols +
                             " FROM users WHERE id = (SELECT COALESCE(merged_into, id) FROM users "
                             "WHERE issuer = ? AND subject = ?)");
        if (!get) return fail(get.error());
        (*get)->bind(1, user.issuer);
        (*get)->bind(2, user.subject);
        return one_row<User>(**get, read_user, "user");
      },
      &im->identity_gen);
}

namespace {

// The tables whose rows belong to a user (the audit trail is history: it keeps its actor).
constexpr std::array<const char*, 11> kOwnedTables = {
    "targets",  "datasets", "seed_prompts",   "orchestrators", "executions",    "work_items",
    "messages", "scores",   "attack_results", "api_keys",      "scorer_configs"};

Result<std::int64_t> move_objects(Connection& c, const std::string& from, const std::string& to) {
  for (const auto* id : {&from, &to}) {
    auto st = c.prepare("SELECT merged_into FROM users WHERE id = ?");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    (*st)->bind(1, *id);
    auto row = (*st)->step();
    if (!row) return fail(row.error());
    if (!*row)
      return fail(Error::invalid(id == &from ? "/from" : "/to", boost::json::value(*id),
                                 "the id of an existing user", "no user with that id"));
    if (id == &to && !(*st)->is_null(0))
      return fail(Error::invalid("/to", boost::json::value(*id), "a user that was not merged",
                                 "that user was merged into " + (*st)->text(0)));
  }
  if (from == to)
    return fail(Error::invalid("/to", boost::json::value(to), "another user than /from"));
  std::int64_t moved = 0;
  for (const char* table : kOwnedTables) {
    auto st = c.prepare(std::string("UPDATE ") + table + " SET owner = ? WHERE owner = ?");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    (*st)->bind(1, to);
    (*st)->bind(2, from);
    if (auto ok = (*st)->run(); !ok) return fail(ok.error());
    moved += c.changes();
  }
  // Replays of the old owner's creating POSTs belong to its requests; they are dropped.
  auto st = c.prepare("DELETE FROM idempotency_keys WHERE owner = ?");
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  (*st)->bind(1, from);
  if (auto ok = (*st)->run(); !ok) return fail(ok.error());
  return moved;
}

}  // namespace

Future<std::int64_t> SqliteStore::reassign_objects(const Scope& scope, std::string from,
                                                   std::string to) {
  if (!scope.is_system())
    return Impl::failed<std::int64_t>(
        Error(ErrorCode::forbidden, "only the system scope moves objects between users"));
  return impl_->submit<std::int64_t>(
      [from, to](Connection& c) -> Result<std::int64_t> { return move_objects(c, from, to); },
      &impl_->identity_gen, &impl_->orchestrator_gen);
}

Future<std::int64_t> SqliteStore::merge_users(const Scope& scope, std::string from,
                                              std::string into) {
  if (!scope.is_system())
    return Impl::failed<std::int64_t>(
        Error(ErrorCode::forbidden, "only the system scope merges users"));
  auto now = impl_->clock.now();
  return impl_->submit<std::int64_t>(
      [from, into, now](Connection& c) -> Result<std::int64_t> {
        auto moved = move_objects(c, from, into);
        if (!moved) return moved;
        auto st = c.prepare(
            "UPDATE users SET merged_into = ?, updated_at = ? WHERE id = ? OR merged_into = ?");
        if (!st) return fail(st.error());
        StatementReset reset{*st};
        (*st)->bind(1, into);
        (*st)->bind(2, now);
        (*st)->bind(3, from);
        (*st)->bind(4, from);
        if (auto ok = (*st)->run(); !ok) return fail(ok.error());
        return moved;
      },
      &impl_->identity_gen, &impl_->orchestrator_gen);
}

Result<User> SqliteStore::get_user(const Scope& scope, std::string_view id) {
  if (!scope.is_system() && id != scope.user_id()) return fail(not_found("user"));
  return impl_->read([&](Connection& c) -> Result<User> {
    auto st = c.prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?");
    if (!st) return fail(st.error());
    (*st)->bind(1, id);
    return one_row<User>(**st, read_user, "user");
  });
}

Result<Page<User>> SqliteStore::list_users(const Scope& scope, const PageRequest& page) {
  return impl_->read([&](Connection& c) -> Result<Page<User>> {
    Query q{std::string("SELECT ") + kUserCols + " FROM users"};
    if (!scope.is_system()) q.where("id = ?", scope.user_id());
    if (auto ok = after_id(q, page); !ok) return fail(ok.error());
    q.sql += " ORDER BY id";
    return run_page<User>(c, std::move(q), page, read_user,
                          [](const User& u) { return Cursor{{u.id}}; });
  });
}

// --- messages --------------------------------------------------------------------------

Result<void> insert_messages(Connection& c, const std::vector<Message>& messages) {
  auto st = c.prepare(std::string("INSERT INTO messages (") + kMessageInsertCols +
                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                      "?, ?, ?, ?)");
  if (!st) return fail(st.error());
  auto& s = **st;
  StatementReset reset{&s};
  // Each row is stepped before the next is bound and `messages` outlives the loop, so the
  // text is borrowed, not copied (bind_borrowed).
  for (const auto& m : messages) {
    s.reset();
    s.bind(1, m.id);
    s.bind(2, m.owner);
    s.bind(3, m.conversation_id);
    s.bind(4, m.sequence);
    s.bind_borrowed(5, m.role);
    s.bind_borrowed(6, m.original_value);
    s.bind_borrowed(7, m.original_value_data_type);
    s.bind_borrowed(8, m.original_value_sha256);
    const bool same = m.converted_value == m.original_value;
    if (same)
      s.bind(9, nullptr);
    else
      s.bind_borrowed(9, m.converted_value);
    s.bind_borrowed(10, m.converted_value_data_type);
    if (same)
      s.bind(11, nullptr);
    else
      s.bind_borrowed(11, m.converted_value_sha256);
    s.bind_borrowed(12, m.converters);
    s.bind_or_null(13, m.target_id);
    s.bind_or_null(14, m.orchestrator_id);
    s.bind_or_null(15, m.execution_id);
    s.bind_borrowed(16, m.labels);
    s.bind_borrowed(17, m.metadata);
    s.bind_borrowed(18, m.response_error);
    s.bind_or_null(19, m.error_message);
    s.bind(20, m.latency_ms);
    s.bind(21, m.prompt_tokens);
    s.bind(22, m.completion_tokens);
    s.bind(23, m.created_at);
    if (auto ok = s.run(); !ok) return fail(ok.error());
  }
  return {};
}

Future<std::vector<Message>> SqliteStore::add_messages(const Scope& scope,
                                                       std::vector<Message> messages) {
  auto* im = impl_.get();
  if (auto ok = prepare_messages(scope, messages, im->ids, im->clock); !ok)
    return Impl::failed<std::vector<Message>>(ok.error());
  return im->submit<std::vector<Message>>(
      [messages = std::move(messages)](Connection& c) mutable -> Result<std::vector<Message>> {
        if (auto ok = insert_messages(c, messages); !ok) return fail(ok.error());
        return std::move(messages);  // the write runs once
      });
}

Result<Message> SqliteStore::get_message(const Scope& scope, std::string_view id) {
  return impl_->get_owned<Message>(scope, "messages", kMessageCols, id, read_message, "message");
}

Result<Page<Message>> SqliteStore::list_messages(const Scope& scope, const MessageFilter& filter,
                                                 const PageRequest& page) {
  return impl_->read([&](Connection& c) -> Result<Page<Message>> {
    Query q{std::string("SELECT ") + kMessageCols + " FROM messages"};
    impl_->owner_filter(q, scope);
    if (filter.execution_id) q.where("execution_id = ?", *filter.execution_id);
    if (filter.conversation_id) {
      q.where("conversation_id = ?", *filter.conversation_id);
      if (page.after) {
        std::int64_t seq = 0;
        if (page.after->keys.size() != 2 ||
            std::from_chars(page.after->keys[0].data(),
                            page.after->keys[0].data() + page.after->keys[0].size(), seq)
                    .ec != std::errc())
          return fail(Error::invalid("/query/cursor", nullptr, "a cursor from this same listing"));
        q.where("(sequence, id) > (?, ?)");
        q.args.emplace_back(seq);
        q.args.emplace_back(page.after->keys[1]);
      }
      q.sql += " ORDER BY sequence, id";
      return run_page<Message>(c, std::move(q), page, read_message, [](const Message& m) {
        return Cursor{{std::to_string(m.sequence), m.id}};
      });
    }
    if (auto ok = after_id(q, page); !ok) return fail(ok.error());
    q.sql += " ORDER BY id";
    return run_page<Message>(c, std::move(q), page, read_message,
                             [](const Message& m) { return Cursor{{m.id}}; });
  });
}

namespace {

// Rows of `table` whose `column` is one of `ids`, narrowed by `narrow` (the scope's owner
// filter), ordered by `order`: one
// statement per Store::kBatchIds ids, the list padded with "" (no id) so every batch shares
// one cached statement text.
template <class T, class Read, class Narrow>
Result<std::vector<T>> rows_in(Connection& c, Narrow narrow, const char* cols, const char* table,
                               const char* column, const char* order,
                               const std::vector<std::string>& ids, Read read) {
  std::string in = "(";
  for (std::size_t i = 0; i < Store::kBatchIds; ++i) in += i == 0 ? "?" : ", ?";
  in += ")";
  std::vector<T> out;
  for (std::size_t at = 0; at < ids.size(); at += Store::kBatchIds) {
    Query q{std::string("SELECT ") + cols + " FROM " + table};
    q.where(std::string(column) + " IN " + in);
    for (std::size_t i = at; i < at + Store::kBatchIds; ++i)
      q.args.emplace_back(i < ids.size() ? ids[i] : std::string());
    narrow(q);
    q.sql += std::string(" ORDER BY ") + order;
    auto st = c.prepare(q.sql);
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    q.bind(**st);
    for (;;) {
      auto row = (*st)->step();
      if (!row) return fail(row.error());
      if (!*row) break;
      out.push_back(read(**st));
    }
  }
  return out;
}

}  // namespace

Result<std::vector<Message>> SqliteStore::messages_of_conversations(
    const Scope& scope, const std::vector<std::string>& conversation_ids) {
  return impl_->read([&](Connection& c) -> Result<std::vector<Message>> {
    return rows_in<Message>(
        c, [&](Query& q) { impl_->owner_filter(q, scope); }, kMessageCols, "messages",
        "conversation_id", "conversation_id, sequence, id", conversation_ids, read_message);
  });
}

// --- scores ----------------------------------------------------------------------------

Result<void> insert_score(Connection& c, const Score& score, bool system) {
  auto owner = c.prepare("SELECT owner FROM messages WHERE id = ?");
  if (!owner) return fail(owner.error());
  {
    StatementReset reset{*owner};
    (*owner)->bind(1, score.message_id);
    auto row = (*owner)->step();
    if (!row) return fail(row.error());
    if (!*row || (!system && (*owner)->text(0) != score.owner))
      return fail(Error::invalid("/message_id", boost::json::value(score.message_id),
                                 "the id of one of your messages", "no message with that id"));
  }
  return insert_scores_of_written_messages(c, {{0, score}});
}

namespace {

// Binds `score` as the row starting at position `first` of an insert into kScoreCols with
// the four override columns left NULL (11 placeholders). `score` outlives the step.
void bind_score_row(Statement& s, int first, const Score& score) {
  s.bind(first, score.id);
  s.bind(first + 1, score.owner);
  s.bind(first + 2, score.message_id);
  s.bind_borrowed(first + 3, score.scorer_type);
  s.bind_borrowed(first + 4, score.scorer_identity);
  s.bind_borrowed(first + 5, score.score_type);
  s.bind_borrowed(first + 6, score.value);
  s.bind_borrowed(first + 7, score.category);
  s.bind_borrowed(first + 8, score.rationale);
  s.bind_borrowed(first + 9, score.metadata);
  s.bind(first + 10, score.created_at);
}

constexpr std::size_t kScoreRowsPerInsert = 8;

// "INSERT INTO scores (...) VALUES (...), ..." for 1 .. kScoreRowsPerInsert rows, built
// once: a statement per row cost its own step, reset and cache lookup.
const std::string& score_insert_sql(std::size_t rows) {
  static const auto kSql = [] {
    std::array<std::string, kScoreRowsPerInsert + 1> sql;
    for (std::size_t n = 1; n <= kScoreRowsPerInsert; ++n) {
      sql[n] = std::string("INSERT INTO scores (") + kScoreCols + ") VALUES ";
      for (std::size_t i = 0; i < n; ++i)
        sql[n] += std::string(i ? ", " : "") +
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?)";
    }
    return sql;
  }();
  return kSql.at(rows);
}

}  // namespace

Result<void> insert_scores_of_written_messages(
    Connection& c, const std::vector<std::pair<std::size_t, Score>>& scores) {
  for (std::size_t from = 0; from < scores.size(); from += kScoreRowsPerInsert) {
    const std::size_t n = std::min(kScoreRowsPerInsert, scores.size() - from);
    auto st = c.prepare(score_insert_sql(n));
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    for (std::size_t i = 0; i < n; ++i)
      bind_score_row(**st, static_cast<int>(i * 11 + 1), scores[from + i].second);
    if (auto ok = (*st)->run(); !ok) return ok;
  }
  return {};
}

Future<Score> SqliteStore::add_score(const Scope& scope, Score score) {
  auto* im = impl_.get();
  if (auto ok = prepare_score(scope, score, im->ids, im->clock); !ok)
    return Impl::failed<Score>(ok.error());
  bool system = scope.is_system();
  return im->submit<Score>([score = std::move(score), system](Connection& c) -> Result<Score> {
    if (auto ok = insert_score(c, score, system); !ok) return fail(ok.error());
    return score;
  });
}

namespace {
// An objective verdict from its scores' effective values: achieved when any says true,
// not achieved when any says false, else undetermined (every judge failed).
enum class Verdict { none, achieved, not_achieved, undetermined };
Verdict verdict_of(const std::vector<std::string>& values) {
  if (values.empty()) return Verdict::none;
  if (std::find(values.begin(), values.end(), "true") != values.end()) return Verdict::achieved;
  if (std::find(values.begin(), values.end(), "false") != values.end())
    return Verdict::not_achieved;
  return Verdict::undetermined;
}

bool objective_score(const std::string& metadata) {
  boost::system::error_code ec;
  auto v = boost::json::parse(metadata, ec);
  if (ec || !v.is_object()) return false;
  const auto* o = v.as_object().if_contains("objective");
  return o && o->is_bool() && o->as_bool();
}

// A reviewed objective score changes its work item's outcome: the item's achieved flag,
// its execution's counters and its attack result follow the reviewed value, so success
// rates, results filters and reports read what the reviewer decided. `was` is the score's
// effective value before the review.
Result<void> revise_outcome(Connection& c, const Score& reviewed, const std::string& was) {
  if (!objective_score(reviewed.metadata)) return {};
  std::string conversation, execution;
  {
    auto m = c.prepare("SELECT conversation_id, execution_id FROM messages WHERE id = ?");
    if (!m) return fail(m.error());
    StatementReset reset{*m};
    (*m)->bind(1, reviewed.message_id);
    auto row = (*m)->step();
    if (!row) return fail(row.error());
    if (!*row || (*m)->is_null(1)) return {};
    conversation = (*m)->text(0);
    execution = (*m)->text(1);
  }
  std::vector<std::string> after, before;
  {
    auto sc = c.prepare(
        "SELECT id, value, override_value, metadata FROM scores WHERE message_id IN "
        "(SELECT id FROM messages WHERE conversation_id = ? AND execution_id = ?)");
    if (!sc) return fail(sc.error());
    StatementReset reset{*sc};
    (*sc)->bind(1, conversation);
    (*sc)->bind(2, execution);
    for (;;) {
      auto row = (*sc)->step();
      if (!row) return fail(row.error());
      if (!*row) break;
      if (!objective_score((*sc)->text(3))) continue;
      const auto effective = (*sc)->opt_text(2).value_or((*sc)->text(1));
      after.push_back(effective);
      before.push_back((*sc)->text(0) == reviewed.id ? was : effective);
    }
  }
  const auto old_verdict = verdict_of(before), new_verdict = verdict_of(after);
  if (old_verdict == new_verdict || new_verdict == Verdict::none) return {};
  const auto count = [](Verdict v, Verdict of) { return v == of ? 1 : 0; };
  const auto decided = [](Verdict v) {
    return v == Verdict::achieved || v == Verdict::not_achieved ? 1 : 0;
  };
  {
    auto w = c.prepare(
        "UPDATE work_items SET achieved = ? WHERE execution_id = ? AND conversation_id = ? AND "
        "status = 'done'");
    if (!w) return fail(w.error());
    StatementReset reset{*w};
    if (new_verdict == Verdict::undetermined)
      (*w)->bind(1, nullptr);
    else
      (*w)->bind(1, new_verdict == Verdict::achieved ? 1 : 0);
    (*w)->bind(2, execution);
    (*w)->bind(3, conversation);
    if (auto ok = (*w)->run(); !ok) return ok;
    if (c.changes() == 0) return {};  // not a finished item's conversation: no counters
  }
  {
    auto e = c.prepare(
        "UPDATE executions SET scored = scored + ?, achieved = achieved + ?, "
        "undetermined = undetermined + ? WHERE id = ?");
    if (!e) return fail(e.error());
    StatementReset reset{*e};
    (*e)->bind(1, decided(new_verdict) - decided(old_verdict));
    (*e)->bind(2, count(new_verdict, Verdict::achieved) - count(old_verdict, Verdict::achieved));
    (*e)->bind(
        3, count(new_verdict, Verdict::undetermined) - count(old_verdict, Verdict::undetermined));
    (*e)->bind(4, execution);
    if (auto ok = (*e)->run(); !ok) return ok;
  }
  auto a = c.prepare(
      "UPDATE attack_results SET outcome = ? WHERE execution_id = ? AND conversation_id = ? "
      "AND outcome <> 'error'");
  if (!a) return fail(a.error());
  StatementReset reset{*a};
  (*a)->bind(1, new_verdict == Verdict::achieved       ? "achieved"
                : new_verdict == Verdict::not_achieved ? "not_achieved"
                                                       : "undetermined");
  (*a)->bind(2, execution);
  (*a)->bind(3, conversation);
  return (*a)->run();
}
}  // namespace

Future<Score> SqliteStore::override_score(const Scope& scope, std::string id, std::string value,
                                          std::string reason) {
  auto* im = impl_.get();
  std::string by = scope.is_system() ? "system" : scope.user_id();
  std::string owner = scope.is_system() ? "" : scope.user_id();
  auto now = im->clock.now();
  return im->submit<Score>([id, value, reason, by, owner, now](Connection& c) -> Result<Score> {
    std::string sql = std::string("SELECT ") + kScoreCols + " FROM scores WHERE id = ?" +
                      (owner.empty() ? "" : " AND owner = ?");
    auto get = c.prepare(sql);
    if (!get) return fail(get.error());
    (*get)->bind(1, id);
    if (!owner.empty()) (*get)->bind(2, owner);
    auto score = one_row<Score>(**get, read_score, "score");
    if (!score) return score;
    if (auto ok = check_score_value(score->score_type, value, "/value"); !ok)
      return fail(ok.error());
    auto st = c.prepare(
        "UPDATE scores SET override_value = ?, override_reason = ?, overridden_by = ?, "
        "overridden_at = ? WHERE id = ?");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    (*st)->bind(1, value);
    (*st)->bind(2, reason);
    (*st)->bind(3, by);
    (*st)->bind(4, now);
    (*st)->bind(5, id);
    if (auto ok = (*st)->run(); !ok) return fail(ok.error());
    const std::string was = score->override_value.value_or(score->value);
    score->override_value = value;
    score->override_reason = reason;
    if (auto ok = revise_outcome(c, *score, was); !ok) return fail(ok.error());
    score->overridden_by = by;
    score->overridden_at = now;
    return score;
  });
}

Result<Score> SqliteStore::get_score(const Scope& scope, std::string_view id) {
  return impl_->get_owned<Score>(scope, "scores", kScoreCols, id, read_score, "score");
}

Result<Page<Score>> SqliteStore::list_scores(const Scope& scope, const ScoreFilter& filter,
                                             const PageRequest& page) {
  return impl_->list_owned<Score>(scope, "scores", kScoreCols, page, read_score, [&](Query& q) {
    if (filter.message_id) q.where("message_id = ?", *filter.message_id);
  });
}

Result<std::vector<Score>> SqliteStore::scores_of_messages(
    const Scope& scope, const std::vector<std::string>& message_ids) {
  return impl_->read([&](Connection& c) -> Result<std::vector<Score>> {
    return rows_in<Score>(
        c, [&](Query& q) { impl_->owner_filter(q, scope); }, kScoreCols, "scores", "message_id",
        "message_id, id", message_ids, read_score);
  });
}

// --- audit -----------------------------------------------------------------------------

Future<AuditEvent> SqliteStore::add_audit(const Scope& scope, AuditEvent event) {
  auto* im = impl_.get();
  if (auto ok = prepare_audit(scope, event, im->ids, im->clock); !ok)
    return Impl::failed<AuditEvent>(ok.error());
  return im->submit<AuditEvent>([event = std::move(event)](Connection& c) -> Result<AuditEvent> {
    auto st = c.prepare(std::string("INSERT INTO audit_events (") + kAuditCols +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    auto& s = **st;
    s.bind(1, event.id);
    s.bind(2, event.owner);
    s.bind(3, event.action);
    s.bind(4, event.object_type);
    s.bind(5, event.object_id);
    s.bind(6, event.details);
    s.bind(7, event.created_at);
    if (auto ok = s.run(); !ok) return fail(ok.error());
    return event;
  });
}

Result<Page<AuditEvent>> SqliteStore::list_audit(const Scope& scope, const AuditFilter& filter,
                                                 const PageRequest& page) {
  return impl_->list_owned<AuditEvent>(scope, "audit_events", kAuditCols, page, read_audit,
                                       [&](Query& q) {
                                         if (filter.action) q.where("action = ?", *filter.action);
                                         if (filter.object_type)
                                           q.where("object_type = ?", *filter.object_type);
                                         if (filter.object_id)
                                           q.where("object_id = ?", *filter.object_id);
                                       });
}

// --- health ----------------------------------------------------------------------------

Result<void> SqliteStore::ping() {
  return impl_->read([](Connection& c) -> Result<void> {
    auto st = c.prepare("SELECT 1");
    if (!st) return fail(st.error());
    StatementReset reset{*st};
    auto row = (*st)->step();
    if (!row) return fail(row.error());
    return {};
  });
}

StoreStats SqliteStore::stats() const {
  const auto& im = *impl_;
  StoreStats s;
  s.url = im.url.str();
  s.schema_version = im.schema;
  s.queue_depth = im.depth;
  s.queue_capacity = im.opts.queue_capacity;
  s.batches = im.batches;
  s.writes = im.writes;
  s.largest_batch = im.largest_batch;
  s.read_connections = im.reader_count;
  s.write_connections = im.writer ? 1 : 0;
  s.wal_bytes_largest = im.wal_bytes_largest;
  s.checkpoints = im.checkpoints;
  return s;
}

Result<CheckReport> SqliteStore::check() {
  return impl_->read([&](Connection& c) -> Result<CheckReport> {
    CheckReport r;
    r.known_schema_version = sqlite::known_schema_version();
    auto v = sqlite::schema_version(c);
    if (!v) return fail(v.error());
    r.schema_version = *v;
    auto st = c.prepare("PRAGMA integrity_check(20)");
    if (!st) return fail(st.error());
    auto lines = sqlite::first_column(**st);
    if (!lines) return fail(lines.error());
    for (const auto& line : *lines) r.integrity += (r.integrity.empty() ? "" : "; ") + line;
    auto fk = c.prepare("PRAGMA foreign_key_check");
    if (!fk) return fail(fk.error());
    StatementReset fk_reset{*fk};
    std::size_t fk_violations = 0;
    for (;;) {
      auto row = (*fk)->step();
      if (!row) return fail(row.error());
      if (!*row) break;
      ++fk_violations;
    }
    if (fk_violations)
      r.integrity += "; " + std::to_string(fk_violations) + " foreign key violations";
    r.ok = r.integrity == "ok" && r.schema_version == r.known_schema_version;
    return r;
  });
}

}  // namespace redcell::memory
