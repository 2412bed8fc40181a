#pragma once
// Times on the wire and in the store: RFC 3339, UTC, milliseconds ("2026-11-27T04:56:49.123Z").

#include <chrono>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace redcell {

using TimePoint = std::chrono::system_clock::time_point;

std::string format_time(TimePoint t);
// Accepts any RFC 3339 date-time (offsets, 0-9 fraction digits); a field name makes errors
// name the field the text came from.
Result<TimePoint> parse_time(std::string_view text, std::string_view field = "");

}  // namespace redcell
