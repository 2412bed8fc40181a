#include "common/log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace redcell::log {
namespace {

// What lands in a log line must read back as the same string, whatever the client sent.
std::string round_trip(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return boost::json::value_to<std::string>(boost::json::parse(out));
}

TEST(LogJsonString, CopiesPlainTextAsItIs) {
  std::string out = "x";
  append_json_string(out, "/api/v1/orchestrators/0193-ab");
  EXPECT_EQ(out, R"(x"/api/v1/orchestrators/0193-ab")");
}

TEST(LogJsonString, EscapesWhatWouldBreakTheLine) {
  const std::string_view cases[] = {R"(/a"b)",   R"(/a\b)",      "/a\nb", "/a\rb\t",
                                    {"/\0x", 3}, "/caf\xc3\xa9", "/\x7f", ""};
  for (auto s : cases) {
    std::string out;
    append_json_string(out, s);
    EXPECT_EQ(out.find('\n'), std::string::npos) << s;
    EXPECT_EQ(round_trip(s), s);
  }
}

}  // namespace
}  // namespace redcell::log
