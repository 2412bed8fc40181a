#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "memory/sqlite/sqlite_store_impl.hpp"

namespace redcell::memory {
namespace {

TEST(PagedQuery, EveryLimitSharesOneCachedStatement) {
  char tmpl[] = "/tmp/redcell-query-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  {
    auto c = std::move(
        *sqlite::Connection::open(dir / "q.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
    ASSERT_TRUE(c->exec("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
    ASSERT_TRUE(c->exec("INSERT INTO t VALUES (1), (2), (3), (4), (5)"));
    const auto before = c->cached_statements();
    for (std::size_t limit = 1; limit <= 40; ++limit) {
      auto page = run_page<std::int64_t>(
          *c, Query("SELECT id FROM t ORDER BY id"), PageRequest{limit, std::nullopt},
          [](const sqlite::Statement& st) { return st.int64(0); },
          [](std::int64_t id) { return Cursor{{std::to_string(id)}}; });
      ASSERT_TRUE(page) << page.error().message();
      EXPECT_EQ(page->items.size(), std::min<std::size_t>(limit, 5));
      EXPECT_EQ(page->next.has_value(), limit < 5);
    }
    EXPECT_EQ(c->cached_statements(), before + 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace redcell::memory
