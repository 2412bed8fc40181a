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

std::string round_trip_text(const std::string& quoted) {
  return boost::json::value_to<std::string>(boost::json::parse(quoted));
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

TEST(LogJsonString, BytesThatAreNotUtf8BecomeReadableEscapes) {
  // A request path is raw bytes: a stray 0xff, a truncated sequence, an overlong slash and a
  // UTF-16 surrogate must still leave a valid JSON line (a strict parser validates UTF-8).
  std::string out;
  append_json_string(out,
                     "/a\xff"
                     "b\xc3"
                     "/\xc0\xaf"
                     "\xed\xa0\x80"
                     "caf\xc3\xa9");
  EXPECT_EQ(round_trip_text(out), "/a\\xffb\\xc3/\\xc0\\xaf\\xed\\xa0\\x80caf\xc3\xa9");
}

}  // namespace
}  // namespace redcell::log
