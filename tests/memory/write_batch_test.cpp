#include "memory/sqlite/write_batch.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "memory/sqlite/sqlite_db.hpp"

namespace redcell::memory::sqlite {
namespace {

// A writer connection on a fresh file with a table t(x).
class WriteBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/redcell-batch-XXXXXX";
    dir_ = mkdtemp(tmpl);
    conn_ = std::move(*Connection::open(dir_ / "b.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
    ASSERT_TRUE(conn_->exec("CREATE TABLE t (x INTEGER)"));
  }
  void TearDown() override {
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A task that runs `sql` and reports `ok`; its outcome lands in `outcome`.
  WriteTask task(std::string sql, bool ok, std::optional<std::string>& outcome) {
    return WriteTask{[sql, ok](Connection& c) {
                       if (!sql.empty()) (void)c.exec(sql);
                       return ok;
                     },
                     [&outcome](const Error* e) { outcome = e ? e->message() : "committed"; }};
  }

  std::int64_t rows() {
    auto st = *conn_->prepare("SELECT COUNT(*) FROM t");
    StatementReset reset{st};
    EXPECT_TRUE(*st->step());
    return st->int64(0);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(WriteBatchTest, AWriteThatThrowsRollsBackAloneAndTheRestCommit) {
  std::optional<std::string> a, b, c;
  std::vector<WriteTask> batch{task("INSERT INTO t VALUES (1)", true, a),
                               WriteTask{[](Connection& conn) -> bool {
                                           (void)conn.exec("INSERT INTO t VALUES (2)");
                                           throw std::runtime_error("boom");
                                         },
                                         [&b](const Error* e) { b = e ? "error" : "finished"; }},
                               task("INSERT INTO t VALUES (3)", true, c)};
  EXPECT_TRUE(run_write_batch(*conn_, batch));
  EXPECT_EQ(a, "committed");
  EXPECT_EQ(b, "finished");  // its own (empty) result tells it failed: see Impl::submit
  EXPECT_EQ(c, "committed");
  EXPECT_EQ(rows(), 2);  // the thrower's insert was rolled back
}

TEST_F(WriteBatchTest, ASavepointInDoubtFailsEveryWriteOfTheBatch) {
  // The second write ends the transaction itself: its savepoint can no longer be rolled
  // back, so the first write (already undone with it) must not be acknowledged.
  std::optional<std::string> a, b, c;
  std::vector<WriteTask> batch{task("INSERT INTO t VALUES (1)", true, a),
                               task("ROLLBACK", false, b),
                               task("INSERT INTO t VALUES (3)", true, c)};
  EXPECT_FALSE(run_write_batch(*conn_, batch));
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(*a, "committed");
  EXPECT_NE(a->find("rolling back a failed write failed"), std::string::npos) << *a;
  EXPECT_EQ(*a, *c);
  EXPECT_EQ(rows(), 0);
  // A release that fails is the same doubt.
  std::optional<std::string> d, e;
  std::vector<WriteTask> again{task("INSERT INTO t VALUES (4)", true, d),
                               task("ROLLBACK", true, e)};
  EXPECT_FALSE(run_write_batch(*conn_, again));
  EXPECT_NE(d->find("releasing a savepoint failed"), std::string::npos) << *d;
  EXPECT_EQ(rows(), 0);
  // The connection is usable afterwards.
  std::optional<std::string> f;
  std::vector<WriteTask> last{task("INSERT INTO t VALUES (5)", true, f)};
  EXPECT_TRUE(run_write_batch(*conn_, last));
  EXPECT_EQ(f, "committed");
  EXPECT_EQ(rows(), 1);
}

}  // namespace
}  // namespace redcell::memory::sqlite
