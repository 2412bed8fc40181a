#pragma once
// A target sends one conversation to an LLM endpoint and reports the reply or why there is
// none. Retries, back-off and limits belong to the engine; a target makes one attempt and
// says whether another could succeed (and when, from Retry-After).

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "common/error.hpp"

namespace redcell {

class SecretBox;
class KeyEnvPolicy;
class TimerQueue;
class TargetTypes;
namespace http {
class HttpClient;
}

struct ChatTurn {
  std::string role;  // system | user | assistant
  std::string content;
};

struct TargetRequest {
  std::vector<ChatTurn> messages;  // system prompt, prepended turns, then the attack prompt
  std::string work_item_id;        // sent as X-Redcell-Work-Item, for correlation
};

struct TargetReply {
  std::string text;
  std::string response_error = "none";  // none | blocked (content filter) | empty
  std::string error_message;
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
};

struct TargetFailure {
  std::string message;  // why, with the status or transport error
  bool retryable = false;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string response_error = "unknown";
};

using TargetResult = std::expected<TargetReply, TargetFailure>;

struct TargetLimits {
  int max_in_flight = 64;
  std::int64_t requests_per_minute = 0;  // 0: none
  std::int64_t tokens_per_minute = 0;
  std::chrono::milliseconds timeout{60'000};
  int max_retries = 3;
};

class Target {
 public:
  virtual ~Target() = default;
  // One attempt; `done` runs exactly once, on a client thread.
  virtual void send(TargetRequest request, std::function<void(TargetResult)> done) = 0;
  const TargetLimits& limits() const { return limits_; }
  // Its requests reuse kept-alive connections only among themselves (make_target: one pool
  // per stored target, so never across users).
  void set_connection_pool(std::string pool) { connection_pool_ = std::move(pool); }

 protected:
  TargetLimits limits_;
  std::string connection_pool_;
};

struct TargetDeps {
  http::HttpClient& client;
  const SecretBox& secrets;
  const KeyEnvPolicy& key_env;         // which variables api_key_env may name
  EnvLookup env;                       // where an allowed api_key_env is read
  const TargetTypes* types = nullptr;  // the catalog of types; null: the built-in one
};

// What make_target needs of a saved target: targets/ never sees a store record (the layers
// point one way); engine/target_spec.hpp builds one from a memory::Target.
struct TargetSpec {
  std::string id;
  std::string owner;
  std::string type;
  std::string config = "{}";      // JSON, validated when saved (target_config.hpp)
  std::string secret_ciphertext;  // "" when none
  std::string api_key_env;        // "" when none
};

// Builds the runtime target of a saved one (its config was validated when saved) with its
// type's builder (target_type.hpp).
Result<std::unique_ptr<Target>> make_target(const TargetSpec& row, const TargetDeps& deps);

// Parses Retry-After: delta-seconds (an HTTP-date is treated as 1 s).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace redcell
