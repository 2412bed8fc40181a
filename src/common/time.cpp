#include "common/time.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cctype>

namespace redcell {

using namespace std::chrono;

std::string format_time(TimePoint t) {
  auto ms = floor<milliseconds>(t);
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss hms{ms - day};
  // Compiled at build time: the writer thread stamps every stored row with this.
  return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z"),
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count(), hms.subseconds().count());
}

Result<TimePoint> parse_time(std::string_view s, std::string_view field) {
  auto bad = [&] {
    return fail(Error::invalid(std::string(field), boost::json::value(std::string(s)),
                               "an RFC 3339 date-time such as 2026-11-27T04:56:49.123Z"));
  };
  std::size_t pos = 0;
  auto digits = [&](std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
      char c = s[pos + i];
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      out = out * 10 + (c - '0');
    }
    pos += n;
    return true;
  };
  auto expect = [&](char c) {
    if (pos < s.size() && (s[pos] == c || std::tolower(static_cast<unsigned char>(s[pos])) ==
                                              std::tolower(static_cast<unsigned char>(c)))) {
      ++pos;
      return true;
    }
    return false;
  };
  int y, mo, d, h, mi, sec;
  if (!digits(4, y) || !expect('-') || !digits(2, mo) || !expect('-') || !digits(2, d) ||
      !expect('T') || !digits(2, h) || !expect(':') || !digits(2, mi) || !expect(':') ||
      !digits(2, sec))
    return bad();
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return bad();
  nanoseconds frac{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    long long value = 0;
    int n = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (n < 9) {
        value = value * 10 + (s[pos] - '0');
        ++n;
      }
      ++pos;
    }
    if (n == 0) return bad();
    for (int i = n; i < 9; ++i) value *= 10;
    frac = nanoseconds{value};
  }
  minutes offset{0};
  if (expect('Z')) {
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!digits(2, oh) || !expect(':') || !digits(2, om) || oh > 23 || om > 59) return bad();
    offset = minutes{sign * (oh * 60 + om)};
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + frac - offset;
  return time_point_cast<system_clock::duration>(tp);
}

}  // namespace redcell
