#include "common/store_url.hpp"

#include <gtest/gtest.h>

#include <map>

namespace redcell {
namespace {

const std::filesystem::path kCwd = "/srv/work";

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

TEST(StoreUrl, ThreeSlashesIsAnAbsolutePath) {
  auto u = parse_store_url("sqlite:///var/lib/redcell/redcell.db", kCwd);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, StoreUrl::Kind::sqlite);
  EXPECT_EQ(u->path, "/var/lib/redcell/redcell.db");
  EXPECT_FALSE(u->was_relative);
  EXPECT_EQ(u->str(), "sqlite:///var/lib/redcell/redcell.db");
}

TEST(StoreUrl, LocalhostAuthorityIsAllowedPerRfc8089) {
  auto u = parse_store_url("sqlite://localhost/data/r.db", kCwd);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->path, "/data/r.db");
}

TEST(StoreUrl, RelativePathsResolveAgainstTheWorkingDirectory) {
  auto u = parse_store_url("sqlite:data/../db/r.db", kCwd);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->path, "/srv/work/db/r.db");
  EXPECT_TRUE(u->was_relative);
  auto bare = parse_store_url("r.db", kCwd);
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->path, "/srv/work/r.db");
  auto abs = parse_store_url("/tmp/x.db", kCwd);
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->path, "/tmp/x.db");
}

TEST(StoreUrl, PercentEscapesAreDecodedAndReEncoded) {
  auto u = parse_store_url("sqlite:///tmp/my%20store.db", kCwd);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->path, "/tmp/my store.db");
  EXPECT_EQ(u->str(), "sqlite:///tmp/my%20store.db");
}

TEST(StoreUrl, TwoSlashesIsTheClassicMistakeAndSaysSo) {
  auto u = parse_store_url("sqlite://data/redcell.db", kCwd, "REDCELL_DB");
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().message().find("three slashes"), std::string::npos);
  EXPECT_EQ(u.error().details()->field, "REDCELL_DB");
  EXPECT_EQ(u.error().details()->value, boost::json::value("sqlite://data/redcell.db"));
}

TEST(StoreUrl, RejectsQueriesEmptyPathsAndUnknownSchemes) {
  for (const char* bad : {"", "sqlite:", "sqlite:///tmp/x.db?mode=ro", "sqlite:///tmp/",
                          "mysql://root@localhost/db", "sqlite:///tmp/x.db#frag"})
    EXPECT_FALSE(parse_store_url(bad, kCwd)) << bad;
}

TEST(StoreUrl, PostgresqlKeepsTheUrlAndRefusesPasswords) {
  auto u = parse_store_url("postgresql://redcell@127.0.0.1:5432/redcell", kCwd);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, StoreUrl::Kind::postgresql);
  EXPECT_EQ(u->str(), "postgresql://redcell@127.0.0.1:5432/redcell");
  auto pw = parse_store_url("postgresql://redcell:hunter2@127.0.0.1/redcell", kCwd);
  ASSERT_FALSE(pw);
  EXPECT_NE(pw.error().message().find("PGPASSWORD"), std::string::npos);
  EXPECT_EQ(pw.error().message().find("hunter2"), std::string::npos);
  EXPECT_FALSE(pw.error().details()->value);
}

TEST(RedcellHome, PrefersRedcellHomeThenXdgThenHome) {
  EXPECT_EQ(*redcell_home(env_of({{"REDCELL_HOME", "/opt/rc"}, {"HOME", "/root"}}), kCwd),
            "/opt/rc");
  EXPECT_EQ(*redcell_home(env_of({{"REDCELL_HOME", "rel"}}), kCwd), "/srv/work/rel");
  EXPECT_EQ(*redcell_home(env_of({{"XDG_DATA_HOME", "/x/data"}, {"HOME", "/home/a"}}), kCwd),
            "/x/data/redcell");
  // A relative XDG_DATA_HOME is ignored, as the XDG spec says.
  EXPECT_EQ(*redcell_home(env_of({{"XDG_DATA_HOME", "data"}, {"HOME", "/home/a"}}), kCwd),
            "/home/a/.local/share/redcell");
  EXPECT_EQ(*redcell_home(env_of({{"HOME", "/home/a"}}), kCwd), "/home/a/.local/share/redcell");
}

TEST(RedcellHome, TheDefaultStoreIsNeverTheWorkingDirectory) {
  auto a = default_store_url(env_of({{"HOME", "/home/a"}}), "/one");
  auto b = default_store_url(env_of({{"HOME", "/home/a"}}), "/two/three");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->path, b->path);
  EXPECT_EQ(a->str(), "sqlite:///home/a/.local/share/redcell/redcell.db");
}

}  // namespace
}  // namespace redcell
