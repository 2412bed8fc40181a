#pragma once
// The embedded SQLite store (DESIGN.md, Memory): WAL; one writer thread owns the only
// writing connection and commits queued writes in batches (BEGIN IMMEDIATE, a savepoint
// per write so one bad write fails alone); a pool of read-only connections; PASSIVE
// checkpoints from the writer with journal_size_limit so the WAL stays bounded; and the
// writer lock so a second process cannot write the same store.

#include <filesystem>
#include <memory>

#include "common/store_url.hpp"
#include "memory/store.hpp"

namespace redcell::memory {

struct SqliteOptions {
  bool read_only = false;         // no writer lock, no writer: for check, backup, doctor
  bool synchronous_full = false;  // FULL: a commit survives power loss; NORMAL: a crash
  std::size_t read_connections = 4;
  std::size_t queue_capacity = 8192;           // writers wait when this many writes are queued
  std::size_t max_batch = 2048;                // writes per transaction at most
  std::int64_t checkpoint_bytes = 16ll << 20;  // a PASSIVE checkpoint once the WAL holds this
  std::int64_t journal_size_limit = 64ll << 20;
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const StoreUrl& url, SqliteOptions options = {});
  ~SqliteStore() override;  // finishes every queued write, then closes

  // Records the server's URL in the lock file, for other processes to find it.
  Result<void> set_listen_url(const std::string& url);
  // A consistent copy of the store (VACUUM INTO) while it is in use; `file` must not exist.
  Result<void> backup_to(const std::filesystem::path& file);

  Future<User> upsert_user(const Scope& scope, User user) override;
  Result<User> get_user(const Scope& scope, std::string_view id) override;
  Result<Page<User>> list_users(const Scope& scope, const PageRequest& page) override;
  Future<std::int64_t> reassign_objects(const Scope& scope, std::string from,
                                        std::string to) override;
  Future<std::int64_t> merge_users(const Scope& scope, std::string from, std::string into) override;
  Future<std::vector<Message>> add_messages(const Scope& scope,
                                            std::vector<Message> messages) override;
  Result<Message> get_message(const Scope& scope, std::string_view id) override;
  Result<Page<Message>> list_messages(const Scope& scope, const MessageFilter& filter,
                                      const PageRequest& page) override;
  Result<std::vector<Message>> messages_of_conversations(
      const Scope& scope, const std::vector<std::string>& conversation_ids) override;
  Future<Score> add_score(const Scope& scope, Score score) override;
  Future<Score> override_score(const Scope& scope, std::string id, std::string value,
                               std::string reason) override;
  Result<Score> get_score(const Scope& scope, std::string_view id) override;
  Result<Page<Score>> list_scores(const Scope& scope, const ScoreFilter& filter,
                                  const PageRequest& page) override;
  Result<std::vector<Score>> scores_of_messages(
      const Scope& scope, const std::vector<std::string>& message_ids) override;
  Future<AuditEvent> add_audit(const Scope& scope, AuditEvent event) override;
  Result<Page<AuditEvent>> list_audit(const Scope& scope, const AuditFilter& filter,
                                      const PageRequest& page) override;
  Future<ApiKey> add_api_key(const Scope& scope, ApiKey key) override;
  Result<Page<ApiKey>> list_api_keys(const Scope& scope, const PageRequest& page) override;
  Future<ApiKey> revoke_api_key(const Scope& scope, std::string id) override;
  Result<ApiKey> find_api_key(const Scope& scope, std::string_view prefix) override;
  Future<ApiKey> touch_api_key(const Scope& scope, std::string id, TimePoint used_at) override;
  std::uint64_t identity_generation() const override;
  Future<IdempotencyRecord> claim_idempotency_key(const Scope& scope, std::string key,
                                                  std::string request_hash) override;
  Future<IdempotencyRecord> complete_idempotency_key(const Scope& scope, std::string key,
                                                     int status, std::string body) override;
  Future<Target> add_target(const Scope& scope, Target target) override;
  Future<Target> update_target(const Scope& scope, Target target) override;
  Result<Target> get_target(const Scope& scope, std::string_view id) override;
  Result<Page<Target>> list_targets(const Scope& scope, const PageRequest& page) override;
  Future<Target> delete_target(const Scope& scope, std::string id) override;
  Future<ScorerConfig> add_scorer_config(const Scope& scope, ScorerConfig config) override;
  Future<ScorerConfig> update_scorer_config(const Scope& scope, ScorerConfig config) override;
  Result<ScorerConfig> get_scorer_config(const Scope& scope, std::string_view id) override;
  Result<Page<ScorerConfig>> list_scorer_configs(const Scope& scope,
                                                 const PageRequest& page) override;
  Future<ScorerConfig> delete_scorer_config(const Scope& scope, std::string id) override;
  Future<ScorerEvaluation> add_scorer_evaluation(const Scope& scope,
                                                 ScorerEvaluation evaluation) override;
  Result<Page<ScorerEvaluation>> list_scorer_evaluations(const Scope& scope,
                                                         const EvaluationFilter& filter,
                                                         const PageRequest& page) override;
  Future<Orchestrator> add_orchestrator(const Scope& scope, Orchestrator orchestrator) override;
  Result<Orchestrator> get_orchestrator(const Scope& scope, std::string_view id) override;
  std::optional<Orchestrator> cached_orchestrator(const Scope& scope, std::string_view id) override;
  Result<Page<Orchestrator>> list_orchestrators(const Scope& scope,
                                                const PageRequest& page) override;
  Future<Orchestrator> delete_orchestrator(const Scope& scope, std::string id) override;
  Future<Dataset> add_dataset(const Scope& scope, Dataset dataset,
                              std::vector<SeedPrompt> prompts) override;
  Future<Dataset> add_dataset_streamed(const Scope& scope, Dataset dataset, std::string into,
                                       PromptSource source) override;
  Future<Dataset> add_dataset_version(const Scope& scope, std::string id,
                                      std::vector<SeedPrompt> prompts) override;
  Result<std::int64_t> count_stored_prompts(const Scope& scope) override;
  Result<Dataset> get_dataset(const Scope& scope, std::string_view id,
                              std::optional<int> version) override;
  Result<Page<Dataset>> list_datasets(const Scope& scope, const PageRequest& page) override;
  Result<Page<SeedPrompt>> list_seed_prompts(const Scope& scope, std::string_view id, int version,
                                             const PageRequest& page,
                                             std::string_view contains = {}) override;
  Future<std::vector<SeedPrompt>> get_seed_prompts(const Scope& scope,
                                                   std::vector<std::string> ids) override;
  Future<Dataset> delete_dataset(const Scope& scope, std::string id) override;
  Future<Execution> add_execution(const Scope& scope, Execution execution) override;
  Result<Execution> get_execution(const Scope& scope, std::string_view id) override;
  Result<Page<Execution>> list_executions(const Scope& scope, const ExecutionFilter& filter,
                                          const PageRequest& page) override;
  Future<Execution> set_execution_status(const Scope& scope, std::string id, std::string status,
                                         std::string error) override;
  Future<Execution> add_execution_counts(const Scope& scope, std::string id,
                                         ExecutionCounts delta) override;
  Future<std::int64_t> delete_execution(const Scope& scope, std::string id) override;
  Future<std::int64_t> add_work_items(const Scope& scope, std::vector<WorkItem> items) override;
  Future<std::vector<WorkItem>> claim_work_items(const Scope& scope, std::string execution_id,
                                                 std::string worker, std::size_t max,
                                                 TimePoint lease_until) override;
  Future<WorkItem> finish_work_item(const Scope& scope, std::string id, std::string worker,
                                    std::string status, std::string conversation_id,
                                    std::string error) override;
  Future<std::int64_t> release_work_items(const Scope& scope, std::string execution_id,
                                          std::optional<std::string> worker) override;
  using Store::record_work_item_results;
  Future<std::vector<std::optional<Error>>> record_work_item_results(
      const Scope& scope, std::shared_ptr<std::vector<WorkItemResult>> shared) override;
  Future<std::int64_t> checkpoint_work_item(const Scope& scope, WorkItemResult partial) override;
  Result<Page<WorkItem>> list_work_items(const Scope& scope, std::string_view execution_id,
                                         const WorkItemFilter& filter,
                                         const PageRequest& page) override;
  Result<std::vector<SuccessGroup>> attack_success(const Scope& scope, SuccessGrouping by) override;
  Result<std::vector<WorkItem>> list_finished_work_items(const Scope& scope,
                                                         std::string_view execution_id,
                                                         std::int64_t after_seq,
                                                         std::size_t limit) override;
  Future<AttackResult> add_attack_result(const Scope& scope, AttackResult result) override;
  Result<Page<AttackResult>> list_attack_results(const Scope& scope, std::string_view execution_id,
                                                 const PageRequest& page) override;
  Result<void> ping() override;
  StoreStats stats() const override;
  Result<CheckReport> check() override;
  std::string url() const override;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace redcell::memory
