#pragma once
// Structured logs: one JSON object per line on stderr, built on spdlog.
//   {"ts": "...", "level": "info", "event": "http_request", ...fields}
// Secret values registered with add_secret() are replaced by "***" in every line, as a
// last line of defence; code still never passes secrets to the logger.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace redcell::log {

enum class Level { debug, info, warn, error };

// Buffers stderr; call flush() before the process exits.
void init(Level min_level);
void flush();
Result<Level> parse_level(std::string_view text);
// Secrets are registered before init(); afterwards the list is read without locking.
void add_secret(std::string secret);
bool enabled(Level level);
void event(Level level, std::string_view name, boost::json::object fields = {});
// For hot paths: `members` is already-serialized JSON members without braces
// ("\"a\":1,\"b\":\"x\""), spliced after ts, level and event.
void event_members(Level level, std::string_view name, std::string_view members);
// Appends `text` as a quoted JSON string; text with nothing to escape is copied as it is.
void append_json_string(std::string& out, std::string_view text);

inline void info(std::string_view name, boost::json::object f = {}) {
  event(Level::info, name, std::move(f));
}
inline void warn(std::string_view name, boost::json::object f = {}) {
  event(Level::warn, name, std::move(f));
}
inline void error(std::string_view name, boost::json::object f = {}) {
  event(Level::error, name, std::move(f));
}
inline void debug(std::string_view name, boost::json::object f = {}) {
  event(Level::debug, name, std::move(f));
}

}  // namespace redcell::log
