#pragma once
// The rows of the central memory and the Scope every call of a repository takes
// (memory/repositories.hpp). Only memory/ knows SQL; this header knows no database library.

#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/page.hpp"
#include "common/time.hpp"

namespace redcell::memory {

class Scope {
 public:
  static Scope user(std::string user_id) { return Scope(std::move(user_id), false); }
  static Scope system() { return Scope("", true); }
  bool is_system() const { return system_; }
  const std::string& user_id() const { return user_id_; }

 private:
  Scope(std::string id, bool system) : user_id_(std::move(id)), system_(system) {}
  std::string user_id_;
  bool system_;
};

struct User {
  std::string id;
  std::string issuer;
  std::string subject;
  std::string username;
  std::string display_name;
  std::vector<std::string> roles;
  TimePoint created_at{};
  TimePoint updated_at{};
  // Set once `redcell user merge` folded this user into another: signing in as this
  // identity then resolves to that user.
  std::string merged_into;
};

// After PyRIT's PromptMemoryEntry: one turn of a conversation.
struct Message {
  std::string id;     // set by the store
  std::string owner;  // set from the scope (system scope: must be given)
  std::string conversation_id;
  std::int64_t sequence = 0;
  std::string role;  // system | user | assistant
  std::string original_value;
  std::string original_value_data_type = "text";
  std::string original_value_sha256;  // set by the store
  std::string converted_value;
  std::string converted_value_data_type = "text";
  std::string converted_value_sha256;  // set by the store
  std::string converters = "[]";       // JSON array of {"type", "params"}
  std::string target_id;               // "" when none
  std::string orchestrator_id;
  std::string execution_id;
  std::string labels = "{}";            // JSON object
  std::string metadata = "{}";          // JSON object
  std::string response_error = "none";  // none | blocked | processing | empty | unknown
  std::string error_message;            // the reason, when response_error is not none
  std::optional<double> latency_ms;
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
  TimePoint created_at{};  // set by the store
};

// After PyRIT's Score; a human override keeps the scorer's value beside it.
struct Score {
  std::string id;
  std::string owner;
  std::string message_id;
  std::string scorer_type;             // "substring", "refusal", ...
  std::string scorer_identity = "{}";  // JSON: the scorer's type and params
  std::string score_type;              // true_false | float_scale
  std::string value;                   // "true"/"false", or a decimal in [0, 1]
  std::string category;
  std::string rationale;
  std::string metadata = "{}";
  std::optional<std::string> override_value;
  std::optional<std::string> override_reason;
  std::optional<std::string> overridden_by;
  std::optional<TimePoint> overridden_at;
  TimePoint created_at{};
};

struct AuditEvent {
  std::string id;
  std::string owner;        // the acting user
  std::string action;       // "target.create", "user.merge", ...
  std::string object_type;  // "target", ...
  std::string object_id;
  std::string details = "{}";
  TimePoint created_at{};
};

// An API key: the secret is shown once at creation; only its hash is stored.
struct ApiKey {
  std::string id;
  std::string owner;
  std::string name;
  std::string prefix;       // the first characters of the secret, to find it and show it
  std::string secret_hash;  // hex SHA-256 of the whole secret
  TimePoint created_at{};
  std::optional<TimePoint> last_used_at;
  std::optional<TimePoint> revoked_at;
};

// One Idempotency-Key of one user: the first request's body hash and, once answered, its
// response, replayed for a retry with the same key and body.
struct IdempotencyRecord {
  std::string owner;
  std::string key;
  std::string request_hash;
  int status = 0;  // 0 while the first request is still being answered
  std::string response_body;
  TimePoint created_at{};
  bool fresh = false;  // not stored: true when this call created the record
};

// A target (an LLM endpoint). Secrets are stored only as ciphertext, or named by the
// environment variable that holds them.
struct Target {
  std::string id;
  std::string owner;
  std::string name;
  std::string type;               // openai_chat, http, mock, ...
  std::string config = "{}";      // JSON: endpoint, model, limits, ...
  std::string secret_ciphertext;  // "" when none
  std::string api_key_env;        // "" when none
  TimePoint created_at{};
  TimePoint updated_at{};
};

// A saved scorer configuration: a named {"type", "params"} spec to reuse.
struct ScorerConfig {
  std::string id;
  std::string owner;
  std::string name;
  std::string scorer = "{}";  // JSON: {"type", "params"}, validated by the caller
  TimePoint created_at{};
  TimePoint updated_at{};
};

// One run of a scorer over a labelled set: the scorer spec (canonical JSON) and its hash,
// the saved config it came from ("" when given inline), and the report (figures, confusion
// matrix, misjudged items), so a team compares a judge before and after a rubric change.
struct ScorerEvaluation {
  std::string id;
  std::string owner;
  std::string scorer_config_id;
  std::string scorer = "{}";
  std::string scorer_hash;
  std::string report = "{}";
  TimePoint created_at{};
};
struct EvaluationFilter {
  std::optional<std::string> scorer_config_id;
  std::optional<std::string> scorer_hash;
};

// An orchestrator definition; config_hash is the hash of its normalized definition, so an
// identical definition of the same owner is found instead of stored twice.
struct Orchestrator {
  std::string id;
  std::string owner;
  std::string name;
  std::string type;               // prompt_sending, ...
  std::string definition = "{}";  // the normalized JSON definition
  std::string config_hash;
  TimePoint created_at{};
  TimePoint updated_at{};
  bool reused = false;  // not stored: add_orchestrator found an identical one
};

// A dataset is versioned: changing its prompts makes a new version, and an execution
// records the version it used. Dataset carries the values of one version.
struct Dataset {
  std::string id;
  std::string owner;
  std::string name;
  std::string description;
  int version = 0;
  std::int64_t prompt_count = 0;
  TimePoint created_at{};  // of this version
};

// After PyRIT's SeedPrompt.
struct SeedPrompt {
  std::string id;
  std::string owner;
  std::string dataset_id;
  int version = 0;
  std::int64_t position = 0;  // order within the version, from 0
  std::string value;
  std::string data_type = "text";
  std::string harm_categories = "[]";  // JSON array of strings
  std::string metadata = "{}";
};

struct ExecutionCounts {
  std::int64_t total = 0;
  std::int64_t sent = 0;
  std::int64_t errors = 0;
  std::int64_t scored = 0;
  std::int64_t achieved = 0;
  std::int64_t undetermined = 0;  // the objective scorer could not decide (not in scored)
};

// A durable job: queued -> running -> succeeded | failed | cancelled | interrupted |
// incomplete; an interrupted execution may run again.
struct Execution {
  std::string id;
  std::string owner;
  std::string orchestrator_id;
  std::string status = "queued";
  ExecutionCounts counts;
  std::string snapshot = "{}";  // JSON: the definition and dataset versions it runs
  std::string error;
  TimePoint created_at{};
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  TimePoint updated_at{};
};

// One prompt x converter chain x attempt of an execution. Its id is deterministic, so
// adding the same item twice is a no-op; claim/lease fields let workers share the work.
struct WorkItem {
  std::string id;
  std::string owner;
  std::string execution_id;
  std::string prompt_id;
  int chain_index = 0;
  int attempt = 0;
  std::string status = "pending";  // pending | claimed | done | failed
  std::string claimed_by;
  std::optional<TimePoint> lease_expires_at;
  std::string conversation_id;
  std::string error;
  TimePoint updated_at{};
  // Set when the item finishes: its place in the execution's finishing order (1, 2, ...;
  // the event id of the events stream), and the objective scorer's verdict, if any.
  std::optional<std::int64_t> finish_seq;
  std::optional<bool> achieved;
};

// A claim leaves alone held leases that end after this: lease_until less an eighth of the
// lease (now to lease_until). So a held item is safe while its worker claims at least
// every seven eighths of a lease.
inline TimePoint renewal_threshold(TimePoint now, TimePoint lease_until) {
  return lease_until - (lease_until - now) / 8;
}

struct AttackResult {
  std::string id;
  std::string owner;
  std::string execution_id;
  std::string conversation_id;
  std::string objective;
  std::string outcome;  // achieved | not_achieved | undetermined | error
  int turns = 0;
  std::string metadata = "{}";
  TimePoint created_at{};
};

// Everything one finished work item leaves, recorded in one transaction: its messages, the
// scores of those messages (by index), the item's final status (only by its claimant), and
// the execution's counters. A crash leaves either all of it or none.
struct WorkItemResult {
  std::string work_item_id;
  std::string execution_id;
  std::string worker;
  std::string status = "done";  // done | failed
  std::string conversation_id;
  std::string error;
  std::vector<Message> messages;
  std::vector<std::pair<std::size_t, Score>> scores;  // index into messages, score
  ExecutionCounts counts;
  std::optional<bool> achieved;        // the objective scorer's verdict
  std::optional<AttackResult> attack;  // a multi-turn attack's outcome, recorded with it
};

struct WorkItemFilter {
  std::optional<std::string> status;
  std::optional<int> chain_index;
  std::optional<bool> achieved;              // false also matches items without a verdict
  bool undetermined = false;                 // only finished items without a verdict
  std::optional<std::string> harm_category;  // of the item's seed prompt
};

struct ExecutionFilter {
  std::optional<std::string> orchestrator_id;
  std::optional<std::string> status;
  std::optional<TimePoint> finished_before;  // only executions that ended before this
  std::optional<std::string> target_id;      // run against this target (its snapshot)
  std::optional<TimePoint> created_after;    // created at or after
  std::optional<TimePoint> created_before;   // created before
  std::optional<std::pair<std::string, std::string>> label;  // key (checked by the caller), value
};

// Attack success over a user's finished work items, grouped for the dashboard.
enum class SuccessGrouping { target, harm_category, converter_chain };
struct SuccessGroup {
  std::string key;    // the target's id, the harm category, or the chain as JSON
  std::string label;  // the target's name (at its latest execution); else empty
  std::int64_t executions = 0;
  std::int64_t items = 0;    // finished work items
  std::int64_t decided = 0;  // with a true/false objective verdict (reviews included)
  std::int64_t achieved = 0;
};

struct MessageFilter {
  std::optional<std::string> conversation_id;  // ordered by sequence within it
  std::optional<std::string> execution_id;
};
struct ScoreFilter {
  std::optional<std::string> message_id;
};
struct AuditFilter {
  std::optional<std::string> action;
  std::optional<std::string> object_type;
  std::optional<std::string> object_id;
};

struct StoreStats {
  std::string url;
  int schema_version = 0;
  std::size_t queue_depth = 0;
  std::size_t queue_capacity = 0;
  std::uint64_t batches = 0;
  std::uint64_t writes = 0;
  std::size_t largest_batch = 0;
  std::size_t read_connections = 0;
  std::size_t write_connections = 0;
  std::uint64_t wal_bytes_largest = 0;
  std::uint64_t checkpoints = 0;
};

struct CheckReport {
  bool ok = false;
  int schema_version = 0;
  int known_schema_version = 0;
  std::string integrity;  // "ok" or SQLite's first complaints
};

template <class T>
using Future = std::future<Result<T>>;

}  // namespace redcell::memory
