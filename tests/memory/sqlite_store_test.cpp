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
  fs::path dir_;
  StoreUrl url_;
};

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

}  // namespace
}  // namespace redcell::memory
