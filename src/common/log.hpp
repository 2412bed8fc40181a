#pragma once
// Structured logs: one JSON object per line on stderr, built on spdlog.
//   {"ts": "...", "level": "info", "event": "http_request", ...fields}
// Secret values registered with add_secret() are replaced by "***" in every line, as a
// last line of defence; code still never passes secrets to the logger.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
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
// Bytes that are not UTF-8 are written as the text \xNN, so a line stays valid JSON.
void append_json_string(std::string& out, std::string_view text);
// Replaces every byte of `line` that is not part of valid UTF-8 by the JSON text \\xNN
// (such bytes can only stand inside a JSON string). Every logged line goes through it.
void escape_invalid_utf8(std::string& line);

// Lets a repeated event through at most once per `every`; the next line that passes says
// how many were held back ("suppressed"). Thread-safe. For events an outsider can trigger
// in a loop (accept failures, refused connections).
class Throttle {
 public:
  explicit Throttle(std::chrono::milliseconds every = std::chrono::seconds(1)) : every_(every) {}
  void warn(std::string_view name, boost::json::object fields = {});

 private:
  std::chrono::milliseconds every_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t suppressed_ = 0;
};

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
