#include "common/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "common/clock.hpp"
#include "common/encoding.hpp"
#include "common/time.hpp"

namespace redcell::log {

namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::info)};
std::mutex g_secrets_mu;
std::vector<std::string> g_secrets;
std::atomic<bool> g_have_secrets{false};
std::atomic<bool> g_frozen{false};  // after init(): the secret list no longer changes

// spdlog's own stderr sink flushes after every line; this one leaves flushing to the
// logger's flush policy, so the per-request access log costs no write() of its own.
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::fwrite(msg.payload.data(), 1, msg.payload.size(), stderr);
    std::fputc('\n', stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto sink = std::make_shared<BufferedStderrSink>();
    auto lg = std::make_shared<spdlog::logger>("redcell", sink);
    lg->set_pattern("%v");
    lg->set_level(spdlog::level::trace);
    // Info lines (one per request) are buffered and flushed every second, which keeps a
    // write() off each request; warnings and errors are flushed at once.
    lg->flush_on(spdlog::level::warn);
    spdlog::register_logger(lg);
    return lg;
  }();
  return l;
}

std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

void redact_with(const std::vector<std::string>& secrets, std::string& line) {
  for (const auto& s : secrets) {
    for (auto pos = line.find(s); pos != std::string::npos; pos = line.find(s, pos + 3))
      line.replace(pos, s.size(), "***");
  }
}

// Once init() froze the list, every line reads it without a lock (a lock per line would
// be taken on every request's access-log line).
void redact(std::string& line) {
  if (!g_have_secrets.load(std::memory_order_acquire)) return;
  if (g_frozen.load(std::memory_order_acquire)) return redact_with(g_secrets, line);
  std::lock_guard lock(g_secrets_mu);
  redact_with(g_secrets, line);
}

}  // namespace

void init(Level min_level) {
  g_min_level = static_cast<int>(min_level);
  static char buffer[1 << 16];
  std::setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
  g_frozen.store(true, std::memory_order_release);
  logger();
  spdlog::flush_every(std::chrono::seconds(1));
}

void flush() {
  logger()->flush();
}

Result<Level> parse_level(std::string_view t) {
  if (t == "debug") return Level::debug;
  if (t == "info") return Level::info;
  if (t == "warn") return Level::warn;
  if (t == "error") return Level::error;
  return fail(Error::invalid("--log-level", boost::json::value(std::string(t)),
                             "one of debug, info, warn, error"));
}

void add_secret(std::string secret) {
  if (secret.size() < 4) return;  // too short to redact without mangling ordinary text
  if (g_frozen.load(std::memory_order_acquire))
    throw std::logic_error("log::add_secret after log::init: register secrets at start-up");
  std::lock_guard lock(g_secrets_mu);
  g_secrets.push_back(std::move(secret));
  g_have_secrets = true;
}

bool enabled(Level level) {
  return static_cast<int>(level) >= g_min_level.load();
}

namespace {

// "2026-11-27T04:56:49.123Z" for now; the part up to the second is formatted once per
// second per thread, since every request logs a line.
void append_now(std::string& out) {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached_prefix;
  auto now = SystemClock::instance().now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::int64_t second = ms / 1000;
  if (second != cached_second) {
    cached_second = second;
    cached_prefix = format_time(now).substr(0, 20);  // "YYYY-MM-DDTHH:MM:SS."
  }
  out += cached_prefix;
  int milli = static_cast<int>(ms % 1000);
  out.push_back(static_cast<char>('0' + milli / 100));
  out.push_back(static_cast<char>('0' + milli / 10 % 10));
  out.push_back(static_cast<char>('0' + milli % 10));
  out.push_back('Z');
}

}  // namespace

void escape_invalid_utf8(std::string& line) {
  std::size_t i = 0;
  while (i < line.size() && static_cast<unsigned char>(line[i]) < 0x80) ++i;
  if (i == line.size()) return;
  std::string out(line, 0, i);
  static constexpr char kHex[] = "0123456789abcdef";
  while (i < line.size()) {
    if (auto n = utf8_sequence_length(line, i)) {
      out.append(line, i, n);
      i += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(line[i++]);
    out += "\\\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  line = std::move(out);
}

void Throttle::warn(std::string_view name, boost::json::object fields) {
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t held = 0;
  {
    std::lock_guard lock(mu_);
    if (last_ != std::chrono::steady_clock::time_point{} && now - last_ < every_) {
      ++suppressed_;
      return;
    }
    last_ = now;
    held = std::exchange(suppressed_, 0);
  }
  if (held) fields["suppressed"] = held;
  event(Level::warn, name, std::move(fields));
}

void append_json_string(std::string& out, std::string_view text) {
  bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    auto quoted = boost::json::serialize(boost::json::string_view(text.data(), text.size()));
    escape_invalid_utf8(quoted);
    out += quoted;
    return;
  }
  out.push_back('"');
  out += text;
  out.push_back('"');
}

void event_members(Level level, std::string_view name, std::string_view members) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(64 + name.size() + members.size());
  line += R"({"ts":")";
  append_now(line);
  line += R"(","level":")";
  line += level_name(level);
  line += R"(","event":)";
  append_json_string(line, name);
  if (!members.empty()) {
    line.push_back(',');
    line += members;
  }
  line.push_back('}');
  escape_invalid_utf8(line);
  redact(line);
  logger()->info(line);
}

void event(Level level, std::string_view name, boost::json::object fields) {
  if (!enabled(level)) return;
  std::string members = boost::json::serialize(fields);  // "{...}": splice its members in
  event_members(level, name, std::string_view(members).substr(1, members.size() - 2));
}

}  // namespace redcell::log
