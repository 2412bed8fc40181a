#pragma once
// The central memory. Every call takes a Scope: a user's (only that user's rows, enforced
// here, never by callers) or the explicit system scope for admin work. Writes return a
// future that completes after the commit, so a caller that waits reads its own writes.
// Another user's row answers not_found, exactly like a missing one.
// Only memory/ knows SQL; this header knows no database library.

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
  std::optional<std::string> harm_category;  // of the item's seed prompt
};

struct ExecutionFilter {
  std::optional<std::string> orchestrator_id;
  std::optional<std::string> status;
  std::optional<TimePoint> finished_before;  // only executions that ended before this
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

class Store {
 public:
  virtual ~Store() = default;

  // Users, keyed by (issuer, subject): creates or updates username, display name, roles.
  // System scope only.
  virtual Future<User> upsert_user(const Scope& scope, User user) = 0;
  virtual Result<User> get_user(const Scope& scope, std::string_view id) = 0;
  virtual Result<Page<User>> list_users(const Scope& scope, const PageRequest& page) = 0;
  // System scope only. Moves every object `from` owns (targets, datasets, orchestrators,
  // executions with their results, API keys, saved scorer configs; not the audit trail) to `to`, in
  // one transaction; returns how many rows moved.
  virtual Future<std::int64_t> reassign_objects(const Scope& scope, std::string from,
                                                std::string to) = 0;
  // System scope only. reassign_objects, then `from` resolves to `into` from now on (as do
  // users merged into `from` before).
  virtual Future<std::int64_t> merge_users(const Scope& scope, std::string from,
                                           std::string into) = 0;

  // Messages: the store sets id, owner (from the scope), sha256s and created_at.
  virtual Future<std::vector<Message>> add_messages(const Scope& scope,
                                                    std::vector<Message> messages) = 0;
  virtual Result<Message> get_message(const Scope& scope, std::string_view id) = 0;
  virtual Result<Page<Message>> list_messages(const Scope& scope, const MessageFilter& filter,
                                              const PageRequest& page) = 0;
  // The scope's messages of these conversations, each conversation's in (sequence, id)
  // order: a page of results reads its messages in one query per kBatchIds ids.
  static constexpr std::size_t kBatchIds = 500;
  virtual Result<std::vector<Message>> messages_of_conversations(
      const Scope& scope, const std::vector<std::string>& conversation_ids) = 0;

  // Scores attach to one of the scope's messages.
  virtual Future<Score> add_score(const Scope& scope, Score score) = 0;
  virtual Future<Score> override_score(const Scope& scope, std::string id, std::string value,
                                       std::string reason) = 0;
  virtual Result<Score> get_score(const Scope& scope, std::string_view id) = 0;
  virtual Result<Page<Score>> list_scores(const Scope& scope, const ScoreFilter& filter,
                                          const PageRequest& page) = 0;
  // The scope's scores of these messages, each message's in id order (kBatchIds per query).
  virtual Result<std::vector<Score>> scores_of_messages(
      const Scope& scope, const std::vector<std::string>& message_ids) = 0;

  virtual Future<AuditEvent> add_audit(const Scope& scope, AuditEvent event) = 0;
  // A user sees the events they caused; the system scope sees all.
  virtual Result<Page<AuditEvent>> list_audit(const Scope& scope, const AuditFilter& filter,
                                              const PageRequest& page) = 0;

  // API keys. find_api_key is for authentication and needs the system scope.
  virtual Future<ApiKey> add_api_key(const Scope& scope, ApiKey key) = 0;
  virtual Result<Page<ApiKey>> list_api_keys(const Scope& scope, const PageRequest& page) = 0;
  virtual Future<ApiKey> revoke_api_key(const Scope& scope, std::string id) = 0;
  virtual Result<ApiKey> find_api_key(const Scope& scope, std::string_view prefix) = 0;
  virtual Future<ApiKey> touch_api_key(const Scope& scope, std::string id, TimePoint used_at) = 0;
  // Changes after every committed write that can change what an API key resolves to
  // (revocation, a user's attributes, a merge or reassignment), before the write's future
  // is ready. A caller that reads this before find_api_key/get_user may keep their answer
  // while it still reads the same value. A backend written by several processes must
  // reflect the others' writes too.
  virtual std::uint64_t identity_generation() const = 0;

  // Idempotency keys: claim returns the stored record (fresh=false) or creates a pending
  // one (fresh=true); complete stores the answer to replay.
  virtual Future<IdempotencyRecord> claim_idempotency_key(const Scope& scope, std::string key,
                                                          std::string request_hash) = 0;
  virtual Future<IdempotencyRecord> complete_idempotency_key(const Scope& scope, std::string key,
                                                             int status, std::string body) = 0;

  // Targets and orchestrators: deletion is soft, so executions that used them stay readable.
  virtual Future<Target> add_target(const Scope& scope, Target target) = 0;
  virtual Future<Target> update_target(const Scope& scope, Target target) = 0;
  virtual Result<Target> get_target(const Scope& scope, std::string_view id) = 0;
  virtual Result<Page<Target>> list_targets(const Scope& scope, const PageRequest& page) = 0;
  virtual Future<Target> delete_target(const Scope& scope, std::string id) = 0;

  virtual Future<ScorerConfig> add_scorer_config(const Scope& scope, ScorerConfig config) = 0;
  virtual Future<ScorerConfig> update_scorer_config(const Scope& scope, ScorerConfig config) = 0;
  virtual Result<ScorerConfig> get_scorer_config(const Scope& scope, std::string_view id) = 0;
  virtual Result<Page<ScorerConfig>> list_scorer_configs(const Scope& scope,
                                                         const PageRequest& page) = 0;
  virtual Future<ScorerConfig> delete_scorer_config(const Scope& scope, std::string id) = 0;

  virtual Future<Orchestrator> add_orchestrator(const Scope& scope, Orchestrator orchestrator) = 0;
  virtual Result<Orchestrator> get_orchestrator(const Scope& scope, std::string_view id) = 0;
  // The orchestrator from the store's memory when a recent get_orchestrator left it there
  // and no write has changed it since; nullopt otherwise (then call get_orchestrator).
  // Never touches the database, so it may run on an event loop.
  virtual std::optional<Orchestrator> cached_orchestrator(const Scope& scope,
                                                          std::string_view id) = 0;
  virtual Result<Page<Orchestrator>> list_orchestrators(const Scope& scope,
                                                        const PageRequest& page) = 0;
  virtual Future<Orchestrator> delete_orchestrator(const Scope& scope, std::string id) = 0;

  // Datasets: add makes version 1, add_dataset_version the next one.
  virtual Future<Dataset> add_dataset(const Scope& scope, Dataset dataset,
                                      std::vector<SeedPrompt> prompts) = 0;
  virtual Future<Dataset> add_dataset_version(const Scope& scope, std::string id,
                                              std::vector<SeedPrompt> prompts) = 0;
  // The latest version unless one is named.
  virtual Result<Dataset> get_dataset(const Scope& scope, std::string_view id,
                                      std::optional<int> version = std::nullopt) = 0;
  virtual Result<Page<Dataset>> list_datasets(const Scope& scope, const PageRequest& page) = 0;
  // Seed prompts in the scope's datasets that are not deleted, every version counted: what
  // the per-user quota (--max-stored-prompts) weighs.
  virtual Result<std::int64_t> count_stored_prompts(const Scope& scope) = 0;
  virtual Result<Page<SeedPrompt>> list_seed_prompts(const Scope& scope, std::string_view id,
                                                     int version, const PageRequest& page) = 0;
  // The scope's seed prompts with these ids, whatever their dataset or version (a deleted
  // dataset's too, so executions that use it can finish), in no particular order; unknown
  // ids are left out. The engine calls it for every claimed batch; SQLite answers it on the
  // writer's connection, whose page cache survives commits (a reader's is dropped after
  // every commit in WAL mode, and re-reading it cost ~10% of a run's CPU).
  virtual Future<std::vector<SeedPrompt>> get_seed_prompts(const Scope& scope,
                                                           std::vector<std::string> ids) = 0;
  virtual Future<Dataset> delete_dataset(const Scope& scope, std::string id) = 0;

  virtual Future<Execution> add_execution(const Scope& scope, Execution execution) = 0;
  virtual Result<Execution> get_execution(const Scope& scope, std::string_view id) = 0;
  virtual Result<Page<Execution>> list_executions(const Scope& scope, const ExecutionFilter& filter,
                                                  const PageRequest& page) = 0;
  // Refuses a transition the lifecycle does not allow (conflict).
  virtual Future<Execution> set_execution_status(const Scope& scope, std::string id,
                                                 std::string status, std::string error = "") = 0;
  virtual Future<Execution> add_execution_counts(const Scope& scope, std::string id,
                                                 ExecutionCounts delta) = 0;
  // Purges the execution with its messages, scores, work items and attack results;
  // returns how many messages went.
  virtual Future<std::int64_t> delete_execution(const Scope& scope, std::string id) = 0;

  // Work items: add ignores ids already present and returns how many were new.
  virtual Future<std::int64_t> add_work_items(const Scope& scope, std::vector<WorkItem> items) = 0;
  // Claims up to `max` pending items, or items another worker claimed whose lease expired,
  // for `worker` until `lease_until`; first renews to `lease_until` the lease of every item
  // of the execution `worker` already holds, except those whose lease ends after
  // renewal_threshold(now, lease_until) (renewed within the last eighth of a lease). A
  // worker never gets back an item it holds.
  virtual Future<std::vector<WorkItem>> claim_work_items(const Scope& scope,
                                                         std::string execution_id,
                                                         std::string worker, std::size_t max,
                                                         TimePoint lease_until) = 0;
  // Only the worker holding the claim may finish an item.
  virtual Future<WorkItem> finish_work_item(const Scope& scope, std::string id, std::string worker,
                                            std::string status, std::string conversation_id,
                                            std::string error = "") = 0;
  // Returns the execution's claimed items to pending (a restarted single-node server
  // resuming its own work: the claimant is gone); returns how many.
  // Claimed items of the execution go back to pending: those `worker` holds, or, with no
  // worker, every one (only for a holder known to be dead: a SQLite store's last writer).
  virtual Future<std::int64_t> release_work_items(const Scope& scope, std::string execution_id,
                                                  std::optional<std::string> worker) = 0;
  // Records each result atomically; the answer holds, per result, nothing or its error
  // (conflict when the item is no longer claimed by result.worker). The batch is shared,
  // not copied: when the whole call fails (nothing was written), the caller still has it
  // to try again.
  virtual Future<std::vector<std::optional<Error>>> record_work_item_results(
      const Scope& scope, std::shared_ptr<std::vector<WorkItemResult>> results) = 0;
  Future<std::vector<std::optional<Error>>> record_work_item_results(
      const Scope& scope, std::vector<WorkItemResult> results) {
    return record_work_item_results(
        scope, std::make_shared<std::vector<WorkItemResult>>(std::move(results)));
  }
  // The messages (and their scores, by index) of an item still in progress, such as one
  // turn of a multi-turn attack, written atomically and only while the item is claimed by
  // `partial.worker` (conflict otherwise); status, counts and achieved are ignored. A
  // restarted worker reads them back and goes on from there. Returns the messages written.
  virtual Future<std::int64_t> checkpoint_work_item(const Scope& scope, WorkItemResult partial) = 0;
  virtual Result<Page<WorkItem>> list_work_items(const Scope& scope, std::string_view execution_id,
                                                 const WorkItemFilter& filter,
                                                 const PageRequest& page) = 0;
  // The execution's finished items in finishing order, those with finish_seq > after_seq,
  // at most `limit` of them: what the events stream sends next.
  virtual Result<std::vector<WorkItem>> list_finished_work_items(const Scope& scope,
                                                                 std::string_view execution_id,
                                                                 std::int64_t after_seq,
                                                                 std::size_t limit) = 0;

  virtual Future<AttackResult> add_attack_result(const Scope& scope, AttackResult result) = 0;
  virtual Result<Page<AttackResult>> list_attack_results(const Scope& scope,
                                                         std::string_view execution_id,
                                                         const PageRequest& page) = 0;

  virtual Result<void> ping() = 0;  // a read answers
  virtual StoreStats stats() const = 0;
  virtual Result<CheckReport> check() = 0;
  virtual std::string url() const = 0;
};

}  // namespace redcell::memory
