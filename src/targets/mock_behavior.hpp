#pragma once
// The deterministic behaviours of the mock LLM, shared by the in-process `mock` target and
// `redcell mock-target`: what it answers, when it fails and how long it takes are functions
// of (seed, work item, request number), so a run replays exactly.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace redcell {

enum class MockFault { none, rate_limit, server_error, timeout, malformed, reset };

struct MockOptions {
  std::string behavior = "echo";  // echo | refuse | comply | decode
  std::uint64_t seed = 1;
  std::uint32_t latency_ms = 0;
  std::uint32_t latency_jitter_ms = 0;               // uniform extra latency in [0, jitter]
  double comply_probability = 1.0;                   // comply: the share of prompts answered
  std::string refuse_pattern;                        // refuse: refuse only prompts containing it
  std::vector<std::pair<MockFault, double>> faults;  // kind and rate in [0, 1]
  std::uint32_t retry_after_s = 1;                   // on rate_limit
};

struct MockDecision {
  MockFault fault = MockFault::none;
  std::string reply;
  std::chrono::milliseconds delay{0};
};

// "429:0.1", "500:0.05", "timeout:0.01", "malformed:0.02", "reset:0.01".
Result<std::pair<MockFault, double>> parse_mock_fault(std::string_view text);
std::string_view to_string(MockFault fault);

class MockBehavior {
 public:
  static Result<MockBehavior> create(MockOptions options);
  // `key` identifies the work item (or the prompt); `n` counts its requests from 0.
  MockDecision decide(std::string_view prompt, std::string_view key, std::uint64_t n) const;
  const MockOptions& options() const { return options_; }

 private:
  explicit MockBehavior(MockOptions o) : options_(std::move(o)) {}
  double uniform(std::string_view key, std::uint64_t n, std::uint64_t salt) const;
  MockOptions options_;
};

// The reply texts the mock uses, so tests and demos can score them.
inline constexpr std::string_view kMockRefusal = "I'm sorry, but I can't help with that.";
std::string mock_compliance(std::string_view request);

// A rough token count (4 bytes per token), as the mock reports usage.
std::int64_t estimate_tokens(std::string_view text);

}  // namespace redcell
