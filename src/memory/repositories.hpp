#pragma once
// The central memory, split by concern into repositories. Every call takes a Scope: a
// user's (only that user's rows, enforced here, never by callers) or the explicit system
// scope for admin work. Writes return a future that completes after the commit, so a caller
// that waits reads its own writes. Another user's row answers not_found, exactly like a
// missing one. A backend implements them one by one, each checked by its contract suite
// (tests/memory/contract/); memory::Store (store.hpp) is all of them on one database.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/page.hpp"
#include "memory/records.hpp"

namespace redcell::memory {

// Who is who: users, their merges, and API keys (tests/memory/contract/identity_test.cpp).
class IdentityRepository {
 public:
  virtual ~IdentityRepository() = default;

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
};

// What a user defines before a run: targets, saved scorer configs, orchestrators and
// versioned datasets (tests/memory/contract/definitions_test.cpp).
class DefinitionRepository {
 public:
  virtual ~DefinitionRepository() = default;

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

  // Scorer evaluations, newest last, listed by the config or the spec's hash they ran.
  virtual Future<ScorerEvaluation> add_scorer_evaluation(const Scope& scope,
                                                         ScorerEvaluation evaluation) = 0;
  virtual Result<Page<ScorerEvaluation>> list_scorer_evaluations(const Scope& scope,
                                                                 const EvaluationFilter& filter,
                                                                 const PageRequest& page) = 0;

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
  // The same for a file too large to hold: `into` empty makes a new dataset (version 1),
  // else the next version of dataset `into`. The prompts come in batches from `source`
  // (called with an empty batch; false when none follow), all in one transaction on the
  // writer: an error, `source`'s included, stores nothing. The writer is busy meanwhile.
  using PromptSource = std::function<Result<bool>(std::vector<SeedPrompt>& batch)>;
  virtual Future<Dataset> add_dataset_streamed(const Scope& scope, Dataset dataset,
                                               std::string into, PromptSource source) = 0;
  // The latest version unless one is named.
  virtual Result<Dataset> get_dataset(const Scope& scope, std::string_view id,
                                      std::optional<int> version = std::nullopt) = 0;
  virtual Result<Page<Dataset>> list_datasets(const Scope& scope, const PageRequest& page) = 0;
  // Seed prompts in the scope's datasets that are not deleted, every version counted: what
  // the per-user quota (--max-stored-prompts) weighs.
  virtual Result<std::int64_t> count_stored_prompts(const Scope& scope) = 0;
  // A version's prompts in order; with `contains`, only those whose text contains it
  // (case folded for ASCII letters).
  virtual Result<Page<SeedPrompt>> list_seed_prompts(const Scope& scope, std::string_view id,
                                                     int version, const PageRequest& page,
                                                     std::string_view contains = {}) = 0;
  // The scope's seed prompts with these ids, whatever their dataset or version (a deleted
  // dataset's too, so executions that use it can finish), in no particular order; unknown
  // ids are left out. The engine calls it for every claimed batch; SQLite answers it on the
  // writer's connection, whose page cache survives commits (a reader's is dropped after
  // every commit in WAL mode, and re-reading it cost ~10% of a run's CPU).
  virtual Future<std::vector<SeedPrompt>> get_seed_prompts(const Scope& scope,
                                                           std::vector<std::string> ids) = 0;
  virtual Future<Dataset> delete_dataset(const Scope& scope, std::string id) = 0;
};

// The conversation record: messages and the scores of them
// (tests/memory/contract/records_test.cpp).
class RecordRepository {
 public:
  virtual ~RecordRepository() = default;

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
};

// Executions, their lifecycle and counters, and the attack results a run leaves
// (tests/memory/contract/results_test.cpp).
class ResultRepository {
 public:
  virtual ~ResultRepository() = default;

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

  virtual Future<AttackResult> add_attack_result(const Scope& scope, AttackResult result) = 0;
  virtual Result<Page<AttackResult>> list_attack_results(const Scope& scope,
                                                         std::string_view execution_id,
                                                         const PageRequest& page) = 0;
};

// The work items of executions, claimed with leases by workers and finished with their
// results in one transaction (tests/memory/contract/work_queue_test.cpp).
class WorkQueue {
 public:
  virtual ~WorkQueue() = default;

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
  // The scope's finished work items grouped by target, harm category (an item counts in each
  // of its prompt's categories) or converter chain; the 200 largest groups.
  virtual Result<std::vector<SuccessGroup>> attack_success(const Scope& scope,
                                                           SuccessGrouping by) = 0;
  // The execution's finished items in finishing order, those with finish_seq > after_seq,
  // at most `limit` of them: what the events stream sends next.
  virtual Result<std::vector<WorkItem>> list_finished_work_items(const Scope& scope,
                                                                 std::string_view execution_id,
                                                                 std::int64_t after_seq,
                                                                 std::size_t limit) = 0;
};

// The audit trail, idempotency records and the store's own health
// (tests/memory/contract/admin_test.cpp).
class AdminRepository {
 public:
  virtual ~AdminRepository() = default;

  virtual Future<AuditEvent> add_audit(const Scope& scope, AuditEvent event) = 0;
  // A user sees the events they caused; the system scope sees all.
  virtual Result<Page<AuditEvent>> list_audit(const Scope& scope, const AuditFilter& filter,
                                              const PageRequest& page) = 0;

  // Idempotency keys: claim returns the stored record (fresh=false) or creates a pending
  // one (fresh=true); complete stores the answer to replay.
  virtual Future<IdempotencyRecord> claim_idempotency_key(const Scope& scope, std::string key,
                                                          std::string request_hash) = 0;
  virtual Future<IdempotencyRecord> complete_idempotency_key(const Scope& scope, std::string key,
                                                             int status, std::string body) = 0;

  virtual Result<void> ping() = 0;  // a read answers
  virtual StoreStats stats() const = 0;
  virtual Result<CheckReport> check() = 0;
  virtual std::string url() const = 0;
};

}  // namespace redcell::memory
