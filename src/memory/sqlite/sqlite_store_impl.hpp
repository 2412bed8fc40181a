#pragma once
// Internal to memory/sqlite: the SqliteStore's state (writer thread, queue, reader pool)
// and the query helpers its repository files share.

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <variant>

#include "common/id.hpp"
#include "common/log.hpp"
#include "memory/sqlite/sqlite_db.hpp"
#include "memory/sqlite/sqlite_store.hpp"
#include "memory/sqlite/write_batch.hpp"
#include "memory/sqlite/writer_lock.hpp"

namespace redcell::memory {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::StatementReset;

// The owner a write's WHERE clause must match: "" for the system scope (any owner).
inline std::string scope_owner(const Scope& scope) {
  return scope.is_system() ? "" : scope.user_id();
}

inline Error not_found(std::string_view what) {
  return Error(ErrorCode::not_found, "no " + std::string(what) + " with that id");
}

// Builds a SELECT with optional conditions, keyset paging and the scope's owner filter.
struct Query {
  explicit Query(std::string select) : sql(std::move(select)) {}
  std::string sql;
  struct Text {  // bound as text even when it reads as a UUID (Statement::bind_text)
    std::string value;
  };
  std::vector<std::variant<std::string, std::int64_t, Text>> args;
  bool has_where = false;

  void where(const std::string& cond) {
    sql += has_where ? " AND " : " WHERE ";
    sql += cond;
    has_where = true;
  }
  void where(const std::string& cond, std::string arg) {
    where(cond);
    args.emplace_back(std::move(arg));
  }
  void bind(Statement& st) const {
    int i = 1;
    for (const auto& a : args) {
      if (auto* s = std::get_if<std::string>(&a))
        st.bind(i++, *s);
      else if (auto* t = std::get_if<Text>(&a))
        st.bind_text(i++, t->value);
      else
        st.bind(i++, std::get<std::int64_t>(a));
    }
  }
};

// Runs a paged query: fetches one row more than the limit to know whether a next page is.
template <class T, class Read, class Key>
Result<Page<T>> run_page(Connection& c, Query q, const PageRequest& page, Read read, Key key) {
  // Bound, not spelled into the text: every limit shares one cached statement.
  q.sql += " LIMIT ?";
  q.args.emplace_back(static_cast<std::int64_t>(page.limit + 1));
  auto st = c.prepare(q.sql);
  if (!st) return fail(st.error());
  StatementReset reset{*st};
  q.bind(**st);
  Page<T> out;
  // Rows are large (a message is ~20 fields): no moves while the page grows.
  out.items.reserve(std::min<std::size_t>(page.limit, 256));
  for (;;) {
    auto row = (*st)->step();
    if (!row) return fail(row.error());
    if (!*row) break;
    if (out.items.size() == page.limit) {
      out.next = key(out.items.back());
      break;
    }
    out.items.push_back(read(**st));
  }
  return out;
}

// The `id > cursor` condition for pages ordered by id alone.
inline Result<void> after_id(Query& q, const PageRequest& page) {
  if (!page.after) return {};
  if (page.after->keys.size() != 1)
    return fail(Error::invalid("/query/cursor", nullptr, "a cursor from this same listing"));
  q.where("id > ?", page.after->keys[0]);
  return {};
}

// Reads one row by a statement already bound; not_found when there is none.
template <class T, class Read>
Result<T> one_row(Statement& st, Read read, std::string_view what) {
  StatementReset reset{&st};
  auto row = st.step();
  if (!row) return fail(row.error());
  if (!*row) return fail(not_found(what));
  return read(st);
}

struct SqliteStore::Impl {
  using WriteTask = sqlite::WriteTask;

  StoreUrl url;
  SqliteOptions opts;
  std::optional<WriterLock> lock;
  IdGenerator ids;
  const Clock& clock = SystemClock::instance();
  int schema = 0;
  std::int64_t page_size = 4096;

  std::unique_ptr<Connection> writer;
  std::thread writer_thread;
  std::mutex queue_mu;
  std::condition_variable queue_ready;
  std::condition_variable queue_space;
  std::deque<WriteTask> queue;
  bool stopping = false;

  std::mutex readers_mu;
  std::condition_variable reader_free;
  std::vector<std::unique_ptr<Connection>> readers;
  std::size_t reader_count = 0;

  std::atomic<std::uint64_t> batches{0}, writes{0}, checkpoints{0}, wal_bytes_largest{0};

  // Generations bumped after the commit of a write that changes what they cover; a reader
  // loads one before its read and keeps the answer only while it is unchanged (a write
  // that commits during the read bumps it after, so the kept answer is never stale).
  std::atomic<std::uint64_t> identity_gen{0};      // users, API keys
  std::atomic<std::uint64_t> orchestrator_gen{0};  // orchestrators' owners and deletion

  // Recently read live orchestrators (they never change in place: only deletion or a new
  // owner), so GET /orchestrators/{id} and the engine skip the database.
  struct CachedOrchestrator {
    std::uint64_t gen = 0;
    Orchestrator row;
  };
  static constexpr std::size_t kMaxCachedOrchestrators = 1024;
  std::mutex orchestrators_mu;
  std::unordered_map<std::string, CachedOrchestrator> orchestrators;
  std::atomic<std::size_t> largest_batch{0}, depth{0};

  ~Impl() {
    {
      std::lock_guard lk(queue_mu);
      stopping = true;
    }
    queue_ready.notify_all();
    if (writer_thread.joinable()) writer_thread.join();
    readers.clear();
    writer.reset();  // the last connection closes the WAL cleanly
  }

  // --- writes ------------------------------------------------------------------------

  // The generations given (see identity_gen) are bumped after the commit, before the
  // future is ready.
  template <class T>
  Future<T> submit(std::function<Result<T>(Connection&)> fn,
                   std::atomic<std::uint64_t>* bump = nullptr,
                   std::atomic<std::uint64_t>* also_bump = nullptr) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    if (!writer) {
      promise->set_value(fail(
          Error(ErrorCode::unavailable, "the store " + url.str() + " is open read-only here")));
      return future;
    }
    auto slot = std::make_shared<std::optional<Result<T>>>();
    WriteTask task;
    task.apply = [fn = std::move(fn), slot](Connection& c) {
      slot->emplace(fn(c));  // a throw leaves the slot empty: see finish
      return (*slot)->has_value();
    };
    task.finish = [promise, slot, bump, also_bump](const Error* commit_error) {
      if (bump) bump->fetch_add(1);
      if (also_bump) also_bump->fetch_add(1);
      if (commit_error)
        promise->set_value(fail(*commit_error));
      else if (!slot->has_value())  // the write threw (logged by the writer), rolled back
        promise->set_value(fail(ErrorCode::internal, "the write failed unexpectedly"));
      else
        promise->set_value(std::move(**slot));
    };
    {
      std::unique_lock lk(queue_mu);
      queue_space.wait(lk, [&] { return queue.size() < opts.queue_capacity || stopping; });
      queue.push_back(std::move(task));
      depth = queue.size();
    }
    queue_ready.notify_one();
    return future;
  }

  // A future that is already answered: for calls settled without touching the store.
  template <class T>
  static Future<T> ready(Result<T> r) {
    std::promise<Result<T>> p;
    p.set_value(std::move(r));
    return p.get_future();
  }

  template <class T>
  static Future<T> failed(Error e) {
    return ready<T>(fail(std::move(e)));
  }

  void writer_loop() {
    std::vector<WriteTask> batch;
    for (;;) {
      {
        std::unique_lock lk(queue_mu);
        queue_ready.wait(lk, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and every write is done
        std::size_t n = std::min(queue.size(), opts.max_batch);
        batch.clear();
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
        depth = queue.size();
      }
      queue_space.notify_all();
      run_batch(batch);
    }
  }

  void run_batch(std::vector<WriteTask>& batch) {
    // The figures are counted before the writes' futures complete: a caller that waited
    // for its writes reads figures that include them.
    sqlite::run_write_batch(*writer, batch, [&] {
      ++batches;
      writes += batch.size();
      if (batch.size() > largest_batch) largest_batch = batch.size();
    });
  }

  // Called by SQLite after each commit on the writer with the WAL's page count.
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages) {
    auto* im = static_cast<Impl*>(self);
    auto bytes = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(im->page_size + 24);
    if (bytes > im->wal_bytes_largest) im->wal_bytes_largest = bytes;
    if (bytes >= static_cast<std::uint64_t>(im->opts.checkpoint_bytes)) {
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      ++im->checkpoints;
    }
    return SQLITE_OK;
  }

  // --- reads -------------------------------------------------------------------------

  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    std::unique_ptr<Connection> c;
    {
      std::unique_lock lk(readers_mu);
      reader_free.wait(lk, [&] { return !readers.empty(); });
      c = std::move(readers.back());
      readers.pop_back();
    }
    auto result = fn(*c);
    {
      std::lock_guard lk(readers_mu);
      readers.push_back(std::move(c));
    }
    reader_free.notify_one();
    return result;
  }

  void owner_filter(Query& q, const Scope& scope) const {
    if (!scope.is_system()) q.where("owner = ?", scope.user_id());
  }

  // A page of the scope's rows ordered by id; `add_filters(Query&)` narrows it.
  template <class T, class Read, class Filters>
  Result<Page<T>> list_owned(const Scope& scope, const char* table, const char* cols,
                             const PageRequest& page, Read read_row, Filters add_filters) {
    return read([&](Connection& c) -> Result<Page<T>> {
      Query q{std::string("SELECT ") + cols + " FROM " + table};
      owner_filter(q, scope);
      add_filters(q);
      if (auto ok = after_id(q, page); !ok) return fail(ok.error());
      q.sql += " ORDER BY id";
      return run_page<T>(c, std::move(q), page, read_row,
                         [](const T& row) { return Cursor{{row.id}}; });
    });
  }

  // One owned row by id: another user's row is not_found, exactly like a missing one.
  template <class T, class Read>
  Result<T> get_owned(const Scope& scope, const char* table, const char* cols, std::string_view id,
                      Read read_row, std::string_view what, const char* extra_where = nullptr) {
    return read([&](Connection& c) -> Result<T> {
      Query q{std::string("SELECT ") + cols + " FROM " + table};
      q.where("id = ?", std::string(id));
      owner_filter(q, scope);
      if (extra_where) q.where(extra_where);
      auto st = c.prepare(q.sql);
      if (!st) return fail(st.error());
      q.bind(**st);
      return one_row<T>(**st, read_row, what);
    });
  }
};

// Inserts shared by the single-record writes and record_work_item_results.
Result<void> insert_messages(Connection& c, const std::vector<Message>& messages);
// Checks the message exists and, unless `system`, belongs to score.owner.
Result<void> insert_score(Connection& c, const Score& score, bool system);
// Without that check: the scores of a result whose messages were just written in the same
// transaction with the scores' owner, a few rows per statement.
Result<void> insert_scores_of_written_messages(
    Connection& c, const std::vector<std::pair<std::size_t, Score>>& scores);

}  // namespace redcell::memory
