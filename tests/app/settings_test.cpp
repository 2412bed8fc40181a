#include "app/settings.hpp"

#include <gtest/gtest.h>

namespace redcell {
namespace {

Result<ServeSettings> settings(std::map<std::string, std::string> flags) {
  Config::Inputs in;
  in.flags = std::move(flags);
  in.env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOME") return "/home/t";
    return std::nullopt;
  };
  auto config = Config::resolve(serve_option_specs(), in);
  EXPECT_TRUE(config);
  return parse_serve_settings(*config, in.env, "/work");
}

TEST(ParseListen, AcceptsHostPortForms) {
  EXPECT_EQ(*parse_listen("127.0.0.1:8080", "--listen"),
            (std::pair<std::string, std::uint16_t>{"127.0.0.1", 8080}));
  EXPECT_EQ(*parse_listen("[::1]:0", "--listen"),
            (std::pair<std::string, std::uint16_t>{"::1", 0}));
  EXPECT_EQ(parse_listen("localhost:9", "--listen")->first, "localhost");
  for (const char* bad :
       {"8080", ":8080", "127.0.0.1:", "127.0.0.1:65536", "::1:80", "[::1:80", "h:x"})
    EXPECT_FALSE(parse_listen(bad, "--listen")) << bad;
}

TEST(ServeSettings, DefaultsAreLoopbackLocalAndTheHomeStore) {
  auto s = settings({});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->host, "127.0.0.1");
  EXPECT_EQ(s->port, 8080);
  EXPECT_EQ(s->auth, "local");
  EXPECT_EQ(s->store.str(), "sqlite:///home/t/.local/share/redcell/redcell.db");
}

TEST(ServeSettings, LocalAuthIsRefusedOnANonLoopbackAddress) {
  auto s = settings({{"listen", "0.0.0.0:8080"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().details()->field, "--listen");
  EXPECT_NE(s.error().message().find("--auth local is refused"), std::string::npos);
  EXPECT_TRUE(settings({{"listen", "[::1]:8080"}}));
}

TEST(ServeSettings, BadNumbersNameTheOption) {
  auto s = settings({{"body-limit", "lots"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().details()->field, "--body-limit");
  EXPECT_FALSE(settings({{"access-log", "yes"}}));
  EXPECT_FALSE(settings({{"log-level", "loud"}}));
  EXPECT_FALSE(settings({{"auth", "none"}}));
  EXPECT_TRUE(settings({{"auth", "jwt"}, {"listen", "0.0.0.0:8080"}})) << "jwt may listen anywhere";
}

TEST(ServeSettings, EngineNiceIsZeroToNineteenAndTenByDefault) {
  EXPECT_EQ(settings({})->engine_nice, 10);
  EXPECT_EQ(settings({{"engine-nice", "0"}})->engine_nice, 0);
  EXPECT_EQ(settings({{"engine-nice", "19"}})->engine_nice, 19);
  for (const char* bad : {"20", "-1", "low", ""}) {
    auto s = settings({{"engine-nice", bad}});
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().details()->field, "--engine-nice");
    EXPECT_NE(s.error().message().find("an integer from 0 to 19"), std::string::npos);
  }
}

TEST(ServeSettings, AllowedHostsSplitsOnCommas) {
  auto s = settings({{"allowed-hosts", " redcell.test , other.test,"}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->allowed_hosts, (std::vector<std::string>{"redcell.test", "other.test"}));
}

}  // namespace
}  // namespace redcell

TEST(Duration, ReadsDaysHoursMinutesSecondsAndOffAndNamesTheSettingOtherwise) {
  EXPECT_EQ(*redcell::parse_duration("90d", "--retention"), std::chrono::seconds(90 * 86400));
  EXPECT_EQ(*redcell::parse_duration("12h", "--retention"), std::chrono::seconds(12 * 3600));
  EXPECT_EQ(*redcell::parse_duration("30m", "--retention"), std::chrono::seconds(1800));
  EXPECT_EQ(*redcell::parse_duration("45s", "--retention"), std::chrono::seconds(45));
  EXPECT_EQ(*redcell::parse_duration("off", "--retention"), std::chrono::seconds(0));
  for (const char* bad : {"", "d", "12", "12w", "-3d", "1.5d", "0h", "999999d"}) {
    auto r = redcell::parse_duration(bad, "--retention");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().details()->field, "--retention") << bad;
  }
}
