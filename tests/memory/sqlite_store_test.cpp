// What only the SQLite backend promises: the writer lock, WAL, migrations that refuse a
// newer schema, batching, backups.
#include "memory/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "memory/sqlite/migrations.hpp"
#include "memory/sqlite/writer_lock.hpp"

namespace redcell::memory {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/redcell-sqlite-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    url_.path = dir_ / "sub" / "dir" / "store.db";
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Opens the store (which migrates it) and checks it is whole at the newest schema;
  // nullptr after a failed expectation.
  std::unique_ptr<SqliteStore> open_upgraded() {
    auto s = SqliteStore::open(url_);
    EXPECT_TRUE(s) << s.error().message();
    if (!s) return nullptr;
    EXPECT_EQ((*s)->stats().schema_version, sqlite::known_schema_version());
    auto check = (*s)->check();
    EXPECT_TRUE(check && check->ok) << (check ? check->integrity : check.error().message());
    return std::move(*s);
  }
  fs::path dir_;
  StoreUrl url_;
};

// The 16 bytes of a canonical UUID as hex, for an x'...' literal: how the store keeps ids.
std::string hex_of(const std::string& uuid) {
  std::string out;
  for (char c : uuid)
    if (c != '-') out += c;
  return out;
}

TEST_F(SqliteStoreTest, CreatesItsDirectoryAndUsesWal) {
  auto s = SqliteStore::open(url_);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(fs::exists(url_.path));
  EXPECT_TRUE(fs::exists(url_.path.string() + "-wal"));
  auto stats = (*s)->stats();
  EXPECT_EQ(stats.schema_version, sqlite::known_schema_version());
  EXPECT_EQ(stats.write_connections, 1u);
  EXPECT_EQ(stats.read_connections, 4u);
  EXPECT_EQ(stats.url, "sqlite://" + url_.path.string());
}

TEST_F(SqliteStoreTest, ASecondWriterIsRefusedNamingTheHolder) {
  auto first = SqliteStore::open(url_);
  ASSERT_TRUE(first);
  ASSERT_TRUE((*first)->set_listen_url("http://127.0.0.1:8123"));
  auto second = SqliteStore::open(url_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::conflict);
  EXPECT_NE(second.error().message().find("pid " + std::to_string(getpid())), std::string::npos);
  EXPECT_NE(second.error().message().find("http://127.0.0.1:8123"), std::string::npos);
  auto holder = WriterLock::holder(url_.path);
  ASSERT_TRUE(holder);
  EXPECT_EQ(holder->listen_url, "http://127.0.0.1:8123");
  // A reader may still open it.
  SqliteOptions ro;
  ro.read_only = true;
  EXPECT_TRUE(SqliteStore::open(url_, ro));
  first->reset();
  EXPECT_FALSE(WriterLock::holder(url_.path));
  EXPECT_TRUE(SqliteStore::open(url_));
}

TEST_F(SqliteStoreTest, ANewerSchemaIsRefusedAndLeftUntouched) {
  { ASSERT_TRUE(SqliteStore::open(url_)); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(url_.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = SqliteStore::open(url_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("schema version 99"), std::string::npos);
  SqliteOptions ro;
  ro.read_only = true;
  EXPECT_FALSE(SqliteStore::open(url_, ro));
}

TEST_F(SqliteStoreTest, ReadOnlyStoresRefuseWritesAndMissingFiles) {
  SqliteOptions ro;
  ro.read_only = true;
  auto missing = SqliteStore::open(url_, ro);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::not_found);
  { ASSERT_TRUE(SqliteStore::open(url_)); }
  auto s = SqliteStore::open(url_, ro);
  ASSERT_TRUE(s);
  auto w = (*s)->upsert_user(Scope::system(), User{"", "i", "s", "", "", {}, {}, {}, {}}).get();
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code(), ErrorCode::unavailable);
}

TEST_F(SqliteStoreTest, ConcurrentWritesShareTransactions) {
  auto s = SqliteStore::open(url_);
  ASSERT_TRUE(s);
  auto user = (*s)->upsert_user(Scope::system(), User{"", "i", "s", "", "", {}, {}, {}, {}}).get();
  std::vector<Future<std::vector<Message>>> pending;
  for (int i = 0; i < 2000; ++i) {
    Message m;
    m.conversation_id = "c";
    m.sequence = i;
    m.role = "user";
    pending.push_back((*s)->add_messages(Scope::user(user->id), {m}));
  }
  for (auto& f : pending) ASSERT_TRUE(f.get());
  auto stats = (*s)->stats();
  EXPECT_GE(stats.writes, 2001u);
  EXPECT_LT(stats.batches, stats.writes) << "writes were not grouped into transactions";
  EXPECT_GT(stats.largest_batch, 1u);
}

TEST_F(SqliteStoreTest, BackupWhileOpenIsAFaithfulCopy) {
  auto s = SqliteStore::open(url_);
  ASSERT_TRUE(s);
  auto user =
      (*s)->upsert_user(Scope::system(), User{"", "i", "s", "n", "N", {}, {}, {}, {}}).get();
  std::vector<Message> ms(50);
  for (int i = 0; i < 50; ++i) {
    ms[i].conversation_id = "c";
    ms[i].sequence = i;
    ms[i].role = "user";
    ms[i].original_value = "v" + std::to_string(i);
  }
  ASSERT_TRUE((*s)->add_messages(Scope::user(user->id), ms).get());
  StoreUrl copy;
  copy.path = dir_ / "backup.db";
  ASSERT_TRUE((*s)->backup_to(copy.path));
  EXPECT_FALSE((*s)->backup_to(copy.path)) << "must not overwrite";
  SqliteOptions ro;
  ro.read_only = true;
  auto b = SqliteStore::open(copy, ro);
  ASSERT_TRUE(b) << b.error().message();
  auto check = (*b)->check();
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->integrity;
  PageRequest all;
  all.limit = 500;
  auto orig = (*s)->list_messages(Scope::system(), {}, all);
  auto back = (*b)->list_messages(Scope::system(), {}, all);
  ASSERT_EQ(orig->items.size(), back->items.size());
  for (std::size_t i = 0; i < orig->items.size(); ++i) {
    EXPECT_EQ(orig->items[i].id, back->items[i].id);
    EXPECT_EQ(orig->items[i].original_value, back->items[i].original_value);
  }
}

TEST_F(SqliteStoreTest, CheckReportsIntegrityAndVersion) {
  auto s = SqliteStore::open(url_);
  ASSERT_TRUE(s);
  auto r = (*s)->check();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->integrity, "ok");
  EXPECT_EQ(r->schema_version, r->known_schema_version);
}

// The detail lines of EXPLAIN QUERY PLAN, joined by "; ".
std::string query_plan(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW)
    plan += (plan.empty() ? "" : "; ") +
            std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 3)));
  sqlite3_finalize(st);
  return plan;
}

// The reads behind a results page (an execution's work items, a conversation's messages,
// each message's scores, an execution's messages) go through the index of what they filter
// on, in its order (no temporary b-tree sorts them), never through one that holds all of the
// owner's rows (before migration 10, a message's scores were found by scanning every score of
// its owner; before migration 12, a conversation's messages were sorted by id per sequence).
TEST_F(SqliteStoreTest, AResultsPageReadsThroughTheIndexOfWhatItFiltersOn) {
  ASSERT_TRUE(open_upgraded());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(url_.path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(query_plan(db, "SELECT * FROM scores WHERE owner = ? AND message_id = ? ORDER BY id"),
            "SEARCH scores USING PRIMARY KEY (message_id=?)");
  EXPECT_EQ(query_plan(db,
                       "SELECT * FROM scores WHERE owner = ? AND message_id IN (?, ?) "
                       "ORDER BY message_id, id"),
            "SEARCH scores USING PRIMARY KEY (message_id=?)");
  EXPECT_EQ(query_plan(db, "SELECT * FROM scores WHERE id = ? AND owner = ?"),
            "SEARCH scores USING INDEX scores_by_id (id=?)");
  EXPECT_EQ(query_plan(db,
                       "SELECT * FROM messages WHERE owner = ? AND conversation_id = ? AND "
                       "(sequence, id) > (?, ?) ORDER BY sequence, id"),
            "SEARCH messages USING INDEX messages_by_conversation (conversation_id=? AND "
            "(sequence,id)>(?,?))");
  EXPECT_EQ(query_plan(db,
                       "SELECT * FROM messages WHERE owner = ? AND conversation_id = ? "
                       "ORDER BY sequence, id"),
            "SEARCH messages USING INDEX messages_by_conversation (conversation_id=?)");
  EXPECT_EQ(
      query_plan(db, "SELECT * FROM messages WHERE owner = ? AND execution_id = ? ORDER BY id"),
      "SEARCH messages USING INDEX messages_by_execution (execution_id=?)");
  // An execution's work items, with and without a status filter (the claim's pending ones).
  EXPECT_EQ(query_plan(db,
                       "SELECT * FROM work_items WHERE owner = ? AND execution_id = ? AND "
                       "id > ? ORDER BY id"),
            "SEARCH work_items USING INDEX work_items_in_order (execution_id=? AND id>?)");
  EXPECT_EQ(query_plan(db,
                       "SELECT * FROM work_items WHERE owner = ? AND execution_id = ? AND "
                       "status = ? ORDER BY id"),
            "SEARCH work_items USING INDEX work_items_by_execution (execution_id=? AND status=?)");
  sqlite3_close(db);
}

// Counts OpenEphemeral in a statement's program: a temporary b-tree built on every run.
int temporary_btrees(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN " + sql).c_str(), -1, &st, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW)
    if (std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))) == "OpenEphemeral")
      ++n;
  sqlite3_finalize(st);
  return n;
}

// Schema 9 stores ids as 16 bytes. A store written before it holds them as text: the
// migration converts every canonical UUID in every column, so old rows are found by the
// ids the API shows, their references still resolve, and text that is no UUID stays text.
TEST_F(SqliteStoreTest, MigratingTextIdsToBlobsKeepsEveryRowReachable) {
  const std::string u = "01a21e55-4088-705d-86c5-a593a4da9a4d",
                    m = "01a21e55-4089-7000-8000-000000000001",
                    sc = "01a21e55-408a-7000-8000-000000000002",
                    conv = "01a21e55-408b-7000-8000-000000000003";
  fs::create_directories(url_.path.parent_path());
  {
    auto c = sqlite::Connection::open(url_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(c);
    auto v = sqlite::migrate(**c, 8);
    ASSERT_TRUE(v) << v.error().message();
    auto seeded = (*c)->exec(
        "INSERT INTO users (id, issuer, subject, username, created_at, updated_at) VALUES ('" + u +
        "', 'local', 'alice', 'alice', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');"
        "INSERT INTO messages (id, owner, conversation_id, sequence, role, original_value, "
        "original_value_data_type, original_value_sha256, converted_value_data_type, created_at) "
        "VALUES ('" +
        m + "', '" + u + "', '" + conv + "', 0, 'user', '" + conv +
        "', 'text', 'h1', 'text', '2026-11-01T00:00:01.000Z');"
        "INSERT INTO scores (id, owner, message_id, scorer_type, score_type, value, created_at) "
        "VALUES ('" +
        sc + "', '" + u + "', '" + m +
        "', 'refusal', 'true_false', 'true', '2026-11-01T00:00:03.000Z');"
        "INSERT INTO audit_events (id, owner, action, object_id, created_at) VALUES ('not-a-uuid', "
        "'" +
        u + "', 'x', 'OBJ', '2026-11-01T00:00:04.000Z');");
    ASSERT_TRUE(seeded) << seeded.error().message();
  }
  {
    auto s = open_upgraded();
    ASSERT_TRUE(s);
    const auto alice = Scope::user(u);
    auto got = s->get_message(alice, m);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(got->id, m);
    EXPECT_EQ(got->owner, u);
    EXPECT_EQ(got->conversation_id, conv);
    EXPECT_EQ(got->original_value, conv) << "a prompt that is a UUID reads back as the same text";
    MessageFilter f;
    f.conversation_id = conv;
    auto listed = s->list_messages(alice, f, PageRequest{});
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->items.size(), 1u);
    ScoreFilter sf;
    sf.message_id = m;
    auto scores = s->list_scores(alice, sf, PageRequest{});
    ASSERT_TRUE(scores);
    ASSERT_EQ(scores->items.size(), 1u);
    EXPECT_EQ(scores->items[0].id, sc);
    // A new message in the old conversation lands next to the migrated one.
    Message next;
    next.conversation_id = conv;
    next.sequence = 1;
    next.role = "assistant";
    next.original_value = "ok";
    auto added = s->add_messages(alice, {next}).get();
    ASSERT_TRUE(added) << added.error().message();
    listed = s->list_messages(alice, f, PageRequest{});
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->items.size(), 2u);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(url_.path.c_str(), &db), SQLITE_OK);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
  };
  EXPECT_EQ(scalar("SELECT group_concat(DISTINCT typeof(id) || '/' || length(id)) FROM messages"),
            "blob/16");
  EXPECT_EQ(scalar("SELECT typeof(message_id) || typeof(owner) FROM scores"), "blobblob");
  EXPECT_EQ(scalar("SELECT typeof(id) || ' ' || id || ' ' || object_id FROM audit_events"),
            "text not-a-uuid OBJ");
  sqlite3_close(db);
}

// A store written by the previous schema (7) keeps every row through migration 8, which
// rebuilds four tables so that their checks stop building temporary b-trees.
TEST_F(SqliteStoreTest, MigratingASchema7StoreKeepsEveryRowAndCheck) {
  fs::create_directories(url_.path.parent_path());
  {
    auto c = sqlite::Connection::open(url_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->exec("PRAGMA foreign_keys = ON"));
    auto v = sqlite::migrate(**c, 7);
    ASSERT_TRUE(v) << v.error().message();
    ASSERT_EQ(*v, 7);
    auto seeded = (*c)->exec(R"sql(
INSERT INTO users (id, issuer, subject, username, created_at, updated_at)
  VALUES ('u1', 'local', 'alice', 'alice', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
INSERT INTO messages (id, owner, conversation_id, sequence, role, original_value,
  original_value_data_type, original_value_sha256, converted_value, converted_value_data_type,
  converted_value_sha256, execution_id, labels, response_error, error_message, latency_ms,
  prompt_tokens, created_at)
  VALUES ('m1', 'u1', 'c1', 0, 'user', 'hello', 'text', 'h1', 'aGVsbG8=', 'text', 'h2', 'e1',
          '{"op":"x"}', 'none', NULL, 12.5, 7, '2026-11-01T00:00:01.000Z'),
         ('m2', 'u1', 'c1', 1, 'assistant', 'no', 'text', 'h3', NULL, 'text', NULL, 'e1', '{}',
          'blocked', 'filtered', NULL, NULL, '2026-11-01T00:00:02.000Z');
INSERT INTO scores (id, owner, message_id, scorer_type, score_type, value, rationale, created_at)
  VALUES ('s1', 'u1', 'm2', 'refusal', 'true_false', 'true', 'refused',
          '2026-11-01T00:00:03.000Z');
INSERT INTO executions (id, owner, orchestrator_id, status, total, sent, created_at, updated_at)
  VALUES ('e1', 'u1', 'o1', 'interrupted', 2, 1, '2026-11-01T00:00:00.000Z',
          '2026-11-01T00:00:04.000Z');
INSERT INTO work_items (id, owner, execution_id, prompt_id, chain_index, attempt, status,
  conversation_id, updated_at, finish_seq, achieved)
  VALUES ('w1', 'u1', 'e1', 'p1', 0, 0, 'done', 'c1', '2026-11-01T00:00:04.000Z', 0, 0),
         ('w2', 'u1', 'e1', 'p2', 0, 0, 'pending', '', '2026-11-01T00:00:04.000Z', NULL, NULL);
INSERT INTO attack_results (id, owner, execution_id, conversation_id, outcome, turns, created_at)
  VALUES ('a1', 'u1', 'e1', 'c1', 'not_achieved', 1, '2026-11-01T00:00:04.000Z');
)sql");
    ASSERT_TRUE(seeded) << seeded.error().message();
  }
  {
    auto s = open_upgraded();
    ASSERT_TRUE(s);
    const auto alice = Scope::user("u1");
    auto m1 = s->get_message(alice, "m1");
    ASSERT_TRUE(m1) << m1.error().message();
    EXPECT_EQ(m1->original_value, "hello");
    EXPECT_EQ(m1->converted_value, "aGVsbG8=");
    EXPECT_EQ(m1->labels, R"({"op":"x"})");
    EXPECT_EQ(m1->latency_ms, 12.5);
    auto m2 = s->get_message(alice, "m2");
    ASSERT_TRUE(m2);
    EXPECT_EQ(m2->converted_value, "no") << "NULL still reads as the original value";
    EXPECT_EQ(m2->response_error, "blocked");
    EXPECT_EQ(m2->error_message, "filtered");
    ScoreFilter sf;
    sf.message_id = "m2";
    auto scores = s->list_scores(alice, sf, PageRequest{});
    ASSERT_TRUE(scores);
    ASSERT_EQ(scores->items.size(), 1u);
    EXPECT_EQ(scores->items[0].rationale, "refused");
    auto e = s->get_execution(alice, "e1");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status, "interrupted");
    auto items = s->list_work_items(alice, "e1", {}, PageRequest{});
    ASSERT_TRUE(items);
    ASSERT_EQ(items->items.size(), 2u);
    EXPECT_EQ(items->items[0].status, "done");
    EXPECT_EQ(items->items[1].status, "pending");
    auto results = s->list_attack_results(alice, "e1", PageRequest{});
    ASSERT_TRUE(results);
    ASSERT_EQ(results->items.size(), 1u);
    EXPECT_EQ(results->items[0].outcome, "not_achieved");
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(url_.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr), SQLITE_OK);
  // The checks still refuse what they refused before.
  for (const char* bad : {"UPDATE messages SET role = 'robot' WHERE id = 'm1'",
                          "UPDATE messages SET response_error = 'oops' WHERE id = 'm1'",
                          "UPDATE executions SET status = 'paused' WHERE id = 'e1'",
                          "UPDATE work_items SET status = 'lost' WHERE id = 'w1'",
                          "UPDATE work_items SET achieved = 2 WHERE id = 'w1'",
                          "UPDATE attack_results SET outcome = 'maybe' WHERE id = 'a1'"})
    EXPECT_EQ(sqlite3_exec(db, bad, nullptr, nullptr, nullptr), SQLITE_CONSTRAINT) << bad;
  // ... without building a temporary b-tree per statement.
  EXPECT_EQ(temporary_btrees(db, "UPDATE messages SET role = ?, response_error = ? WHERE id = ?"),
            0);
  EXPECT_EQ(temporary_btrees(db, "UPDATE executions SET status = ? WHERE id = ?"), 0);
  EXPECT_EQ(temporary_btrees(db, "UPDATE work_items SET status = ? WHERE id = ?"), 0);
  EXPECT_EQ(temporary_btrees(db, "UPDATE attack_results SET outcome = ? WHERE id = ?"), 0);
  // The foreign keys survived the rebuild: deleting the execution cascades to its items and
  // results, deleting a message to its scores.
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM messages WHERE id = 'm2'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM executions WHERE id = 'e1'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  for (const char* table : {"scores", "work_items", "attack_results"}) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, (std::string("SELECT count(*) FROM ") + table).c_str(), -1,
                                 &st, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 0) << table;
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

// Migration 16 rebuilds scores clustered by (message_id, id) without a rowid: every score
// of a schema-15 store, reviewed or not, is found again by its id and by its message, ids
// stay unique, and deleting a message still deletes its scores.
TEST_F(SqliteStoreTest, MigratingScoresToTheMessageClusteredTableKeepsEveryScore) {
  const std::string u = "01a21e55-4088-705d-86c5-a593a4da9a4d",
                    m1 = "01a21e55-4089-7000-8000-000000000001",
                    m2 = "01a21e55-4089-7000-8000-000000000002",
                    s1 = "01a21e55-408a-7000-8000-000000000003",
                    s2 = "01a21e55-408a-7000-8000-000000000004",
                    s3 = "01a21e55-408a-7000-8000-000000000005";
  fs::create_directories(url_.path.parent_path());
  {
    auto c = sqlite::Connection::open(url_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(c);
    auto v = sqlite::migrate(**c, 15);
    ASSERT_TRUE(v) << v.error().message();
    ASSERT_EQ(*v, 15);
    auto seeded = (*c)->exec(
        "INSERT INTO users (id, issuer, subject, username, created_at, updated_at) VALUES ("
        "x'" +
        hex_of(u) +
        "', 'local', 'alice', 'alice', '2026-11-01T00:00:00.000Z', "
        "'2026-11-01T00:00:00.000Z');"
        "INSERT INTO messages (id, owner, conversation_id, sequence, role, original_value, "
        "original_value_data_type, original_value_sha256, converted_value_data_type, created_at) "
        "VALUES (x'" +
        hex_of(m1) + "', x'" + hex_of(u) +
        "', 'c1', 0, 'user', 'hi', 'text', "
        "'h1', 'text', '2026-11-01T00:00:01.000Z'), (x'" +
        hex_of(m2) + "', x'" + hex_of(u) +
        "', 'c1', 1, 'assistant', 'no', 'text', 'h2', 'text', '2026-11-01T00:00:02.000Z');"
        "INSERT INTO scores (id, owner, message_id, scorer_type, scorer_identity, score_type, "
        "value, rationale, metadata, override_value, override_reason, overridden_by, "
        "overridden_at, created_at) VALUES "
        "(x'" +
        hex_of(s1) + "', x'" + hex_of(u) + "', x'" + hex_of(m2) +
        "', 'refusal', "
        "'{\"type\":\"refusal\"}', 'true_false', 'true', 'refused', '{\"objective\":true}', "
        "'false', 'a reviewer says no', x'" +
        hex_of(u) +
        "', '2026-11-01T00:00:05.000Z', "
        "'2026-11-01T00:00:03.000Z'),"
        "(x'" +
        hex_of(s2) + "', x'" + hex_of(u) + "', x'" + hex_of(m2) +
        "', 'likert', '{}', "
        "'float_scale', '0.25', '', '{}', NULL, NULL, NULL, NULL, '2026-11-01T00:00:03.000Z'),"
        "(x'" +
        hex_of(s3) + "', x'" + hex_of(u) + "', x'" + hex_of(m1) +
        "', 'regex', '{}', "
        "'true_false', 'false', '', '{}', NULL, NULL, NULL, NULL, '2026-11-01T00:00:04.000Z');");
    ASSERT_TRUE(seeded) << seeded.error().message();
  }
  {
    auto s = open_upgraded();
    ASSERT_TRUE(s);
    const auto alice = Scope::user(u);
    auto reviewed = s->get_score(alice, s1);
    ASSERT_TRUE(reviewed) << reviewed.error().message();
    EXPECT_EQ(reviewed->message_id, m2);
    EXPECT_EQ(reviewed->owner, u);
    EXPECT_EQ(reviewed->scorer_identity, R"({"type":"refusal"})");
    EXPECT_EQ(reviewed->value, "true");
    EXPECT_EQ(reviewed->override_value, "false");
    EXPECT_EQ(reviewed->override_reason, "a reviewer says no");
    EXPECT_EQ(reviewed->overridden_by, u);
    EXPECT_TRUE(reviewed->overridden_at);
    EXPECT_EQ(reviewed->metadata, R"({"objective":true})");
    auto both = s->scores_of_messages(alice, {m1, m2});
    ASSERT_TRUE(both);
    ASSERT_EQ(both->size(), 3u);
    EXPECT_EQ((*both)[0].id, s3);
    EXPECT_EQ((*both)[1].id, s1);
    EXPECT_EQ((*both)[2].id, s2);
    EXPECT_EQ((*both)[2].value, "0.25");
    EXPECT_FALSE(s->get_score(Scope::user("someone-else"), s1));
    // New scores land next to the migrated ones.
    Score more;
    more.message_id = m1;
    more.scorer_type = "substring";
    more.score_type = "true_false";
    more.value = "true";
    auto added = s->add_score(alice, more).get();
    ASSERT_TRUE(added) << added.error().message();
    ScoreFilter f;
    f.message_id = m1;
    EXPECT_EQ(s->list_scores(alice, f, PageRequest{})->items.size(), 2u);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(url_.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr), SQLITE_OK);
  // An id is unique across messages, and a score of a missing message or with an unknown
  // type is refused.
  const std::string again =
      "INSERT INTO scores (id, owner, message_id, scorer_type, score_type, "
      "value, created_at) VALUES (x'" +
      hex_of(s1) + "', x'" + hex_of(u) + "', x'" + hex_of(m1) +
      "', 'x', 'true_false', 'true', 'now')";
  EXPECT_EQ(sqlite3_exec(db, again.c_str(), nullptr, nullptr, nullptr), SQLITE_CONSTRAINT);
  const std::string orphan =
      "INSERT INTO scores (id, owner, message_id, scorer_type, score_type, "
      "value, created_at) VALUES (x'00', x'" +
      hex_of(u) + "', x'01', 'x', 'true_false', 'true', 'now')";
  EXPECT_EQ(sqlite3_exec(db, orphan.c_str(), nullptr, nullptr, nullptr), SQLITE_CONSTRAINT);
  const std::string typed =
      "INSERT INTO scores (id, owner, message_id, scorer_type, score_type, "
      "value, created_at) VALUES (x'00', x'" +
      hex_of(u) + "', x'" + hex_of(m1) + "', 'x', 'maybe', 'true', 'now')";
  EXPECT_EQ(sqlite3_exec(db, typed.c_str(), nullptr, nullptr, nullptr), SQLITE_CONSTRAINT);
  EXPECT_EQ(temporary_btrees(db, "UPDATE scores SET score_type = ? WHERE id = ?"), 0);
  const std::string drop = "DELETE FROM messages WHERE id = x'" + hex_of(m2) + "'";
  ASSERT_EQ(sqlite3_exec(db, drop.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM scores", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 2) << "the deleted message's two scores went with it";
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace redcell::memory
