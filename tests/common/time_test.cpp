#include "common/time.hpp"

#include <gtest/gtest.h>

namespace redcell {
namespace {

using namespace std::chrono;

TEST(Time, FormatsUtcWithMilliseconds) {
  TimePoint t = sys_days{year{2026} / 11 / 27} + hours{4} + minutes{56} + seconds{49} +
                milliseconds{7} + microseconds{900};
  EXPECT_EQ(format_time(t), "2026-11-27T04:56:49.007Z");
  EXPECT_EQ(format_time(TimePoint{}), "1970-01-01T00:00:00.000Z");
}

TEST(Time, ParsesWhatItFormats) {
  auto t = time_point_cast<system_clock::duration>(sys_days{year{2024} / 2 / 29} + hours{23} +
                                                   minutes{59} + seconds{59} + milliseconds{999});
  auto parsed = parse_time(format_time(t));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, t);
}

TEST(Time, ParsesOffsetsAndLongFractions) {
  auto a = parse_time("2026-11-27T06:56:49.5+02:00");
  auto b = parse_time("2026-11-27T04:56:49.500000000Z");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  auto c = parse_time("2026-11-26t23:56:49-05:00");
  ASSERT_TRUE(c);
  EXPECT_EQ(format_time(*c), "2026-11-27T04:56:49.000Z");
}

TEST(Time, RejectsMalformedTextNamingTheField) {
  for (const char* bad : {"", "2026-11-27", "2026-11-27T04:56:49", "2026-02-30T00:00:00Z",
                          "2026-11-27T24:00:00Z", "2026-11-27T04:56:49.Z",
                          "2026-11-27T04:56:49Zjunk", "2026-11-27 04:56:49Z"}) {
    auto r = parse_time(bad, "/created_after");
    ASSERT_FALSE(r) << bad;
    ASSERT_TRUE(r.error().details());
    EXPECT_EQ(r.error().details()->field, "/created_after");
    EXPECT_EQ(r.error().status(), 400u);
  }
}

}  // namespace
}  // namespace redcell
