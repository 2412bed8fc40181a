#include "targets/mock_behavior.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "common/encoding.hpp"

namespace redcell {

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string rot13(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>('a' + (c - 'a' + 13) % 26);
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>('A' + (c - 'A' + 13) % 26);
  }
  return out;
}

int english_words(std::string_view text) {
  static const char* const kWords[] = {" the ", " to ", " how ", " a ",    " and ", " of ",
                                       " is ",  " me ", " you ", " what ", " in ",  " for "};
  std::string t = " " + lower(text) + " ";
  int n = 0;
  for (const char* w : kWords)
    for (auto p = t.find(w); p != std::string::npos; p = t.find(w, p + 1)) ++n;
  return n;
}

bool printable(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
  return true;
}

}  // namespace

std::string_view to_string(MockFault fault) {
  switch (fault) {
    case MockFault::none:
      return "none";
    case MockFault::rate_limit:
      return "429";
    case MockFault::server_error:
      return "500";
    case MockFault::timeout:
      return "timeout";
    case MockFault::malformed:
      return "malformed";
    case MockFault::reset:
      return "reset";
  }
  return "none";
}

Result<std::pair<MockFault, double>> parse_mock_fault(std::string_view text) {
  auto bad = [&] {
    return fail(Error::invalid("--fault", boost::json::value(std::string(text)),
                               "KIND:RATE with KIND one of 429, 500, timeout, malformed, reset "
                               "and RATE from 0 to 1, such as 429:0.1"));
  };
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return bad();
  auto kind = text.substr(0, colon);
  MockFault f;
  if (kind == "429")
    f = MockFault::rate_limit;
  else if (kind == "500")
    f = MockFault::server_error;
  else if (kind == "timeout")
    f = MockFault::timeout;
  else if (kind == "malformed")
    f = MockFault::malformed;
  else if (kind == "reset")
    f = MockFault::reset;
  else
    return bad();
  auto rate_text = std::string(text.substr(colon + 1));
  char* end = nullptr;
  double rate = std::strtod(rate_text.c_str(), &end);
  if (rate_text.empty() || end != rate_text.c_str() + rate_text.size() || !(rate >= 0 && rate <= 1))
    return bad();
  return std::pair{f, rate};
}

Result<MockBehavior> MockBehavior::create(MockOptions o) {
  if (o.behavior != "echo" && o.behavior != "refuse" && o.behavior != "comply" &&
      o.behavior != "decode")
    return fail(Error::invalid("--behavior", boost::json::value(o.behavior),
                               "one of echo, refuse, comply, decode"));
  if (!(o.comply_probability >= 0 && o.comply_probability <= 1))
    return fail(Error::invalid("--comply-probability", boost::json::value(o.comply_probability),
                               "a number from 0 to 1"));
  double total = 0;
  for (const auto& f : o.faults) total += f.second;
  if (total > 1.0)
    return fail(
        Error::invalid("--fault", boost::json::value(total), "fault rates summing to <= 1"));
  return MockBehavior(std::move(o));
}

double MockBehavior::uniform(std::string_view key, std::uint64_t n, std::uint64_t salt) const {
  auto x = mix(options_.seed ^ mix(fnv1a(key) ^ mix(n * 0x9e37 + salt)));
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

std::string mock_compliance(std::string_view request) {
  std::string head(request.substr(0, 200));
  return "Sure, here is what you asked for: " + head;
}

std::int64_t estimate_tokens(std::string_view text) {
  return static_cast<std::int64_t>((text.size() + 3) / 4);
}

MockDecision MockBehavior::decide(std::string_view prompt, std::string_view key,
                                  std::uint64_t n) const {
  MockDecision d;
  auto base = std::chrono::milliseconds(options_.latency_ms);
  if (options_.latency_jitter_ms > 0)
    base += std::chrono::milliseconds(
        static_cast<std::int64_t>(uniform(key, n, 3) * (options_.latency_jitter_ms + 1)));
  d.delay = base;
  double r = uniform(key, n, 1), acc = 0;
  for (const auto& [fault, rate] : options_.faults) {
    acc += rate;
    if (r < acc) {
      d.fault = fault;
      return d;
    }
  }
  const auto& b = options_.behavior;
  if (b == "echo") {
    d.reply = std::string(prompt);
  } else if (b == "refuse") {
    bool refuse = options_.refuse_pattern.empty() ||
                  lower(prompt).find(lower(options_.refuse_pattern)) != std::string::npos;
    d.reply = refuse ? std::string(kMockRefusal) : mock_compliance(prompt);
  } else if (b == "comply") {
    // The decision depends on the prompt, not the request number: a retry gets the same.
    d.reply = uniform(key, 0, 2) < options_.comply_probability ? mock_compliance(prompt)
                                                               : std::string(kMockRefusal);
  } else {  // decode: plain requests are refused; encoded ones get through
    std::string trimmed(prompt);
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' '))
      trimmed.pop_back();
    if (auto decoded = base64_decode(trimmed); decoded && printable(*decoded)) {
      d.reply = mock_compliance(*decoded);
    } else if (auto r13 = rot13(prompt); english_words(r13) > english_words(prompt)) {
      d.reply = mock_compliance(r13);
    } else {
      d.reply = std::string(kMockRefusal);
    }
  }
  return d;
}

}  // namespace redcell
