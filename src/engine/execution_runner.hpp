#pragma once
// ExecutionRunner: runs executions as durable background jobs. An execution's work items
// (prompt x converter chain x attempt, deterministic ids) are claimed from the store in
// batches, converted, sent to the target with bounded concurrency and retries (exponential
// back-off with jitter, honouring Retry-After), scored, and recorded atomically with the
// counters; so a restart resumes with neither duplicates nor gaps. Budgets, cancel and a
// SIGTERM drain stop new sends; the execution then ends incomplete, cancelled or interrupted.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "common/clock.hpp"
#include "common/task.hpp"
#include "common/work_pool.hpp"
#include "engine/orchestrator_pool.hpp"
#include "engine/work_queue.hpp"
#include "memory/store.hpp"
#include "targets/target.hpp"

namespace redcell {

// Back-off before retry `attempt` (0-based): Retry-After when the target gave one, else
// base * 2^attempt with full jitter, capped.
class RetryPolicy {
 public:
  explicit RetryPolicy(std::uint64_t seed = 1,
                       std::chrono::milliseconds base = std::chrono::milliseconds(200),
                       std::chrono::milliseconds cap = std::chrono::milliseconds(20'000))
      : rng_(seed), base_(base), cap_(cap) {}
  std::chrono::milliseconds delay(int attempt,
                                  std::optional<std::chrono::milliseconds> retry_after);

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::chrono::milliseconds base_, cap_;
};

class AttackStrategy;
const AttackStrategy* find_strategy(std::string_view type);

struct RunnerOptions {
  std::string worker_id;  // who claims work items
  // A job keeps claimed items queued ahead of its sends: enough for `claim_horizon` at the
  // rate it is sending, at least half a `claim_batch` and at most `claim_ahead_max`; it
  // claims half of that at a time (at least `claim_batch`). A claim waits behind the
  // store's other writes (and a checkpoint: ~50 ms), so a fast run needs a deep queue,
  // while a slow target holds few items and their leases are renewed by frequent claims.
  std::size_t claim_batch = 256;
  std::size_t claim_ahead_max = 2048;
  std::chrono::milliseconds claim_horizon{200};
  std::chrono::seconds lease{120};
  // Quotas: executions running at once per user (429 above), and the work items one
  // execution may have (prompts x converter chains x attempts; 400 above).
  std::size_t max_running_per_user = 8;
  std::int64_t max_work_items = 1'000'000;
  // A batch of results the store could not record is tried again after base, 2x base, ...
  // `persist_retries` times; then the execution fails with the reason.
  std::chrono::milliseconds persist_retry_base{200};
  int persist_retries = 4;
  // Threads of the engine's executor (strategies, converters, scorers): none of that work
  // runs on the HTTP client's I/O threads.
  std::size_t engine_threads = 2;
  // How many nice steps below the server's other threads they run (serve's --engine-nice):
  // under a full CPU the store writer, which every result waits on, and the API go first.
  int engine_nice = 0;
  // The attack strategy of an orchestrator type (tests hand in their own).
  std::function<const AttackStrategy*(std::string_view)> strategies = find_strategy;
};

struct StartRequest {
  bool dry_run = false;
  boost::json::object labels;  // merged over the definition's labels
};

struct DryRunReport {
  std::int64_t work_items = 0;
  std::int64_t estimated_prompt_tokens = 0;
};

class TargetGate;
struct TargetLimits;
class EngineExecutor;
class LlmClient;

// One helper LLM exchange of a sample run (a scorer test, a converter preview): returned to
// the caller, never stored.
struct HelperExchange {
  std::string target_id;
  std::string purpose;
  std::vector<ChatTurn> messages;
  std::string reply;
  std::string error;  // "" when it answered
  double latency_ms = 0;
};

class ExecutionRunner {
 public:
  // Executions and their status live in `store`; work items are claimed from and their
  // results completed into `queue` (see work_queue.hpp).
  ExecutionRunner(memory::Store& store, WorkQueue& queue, WorkPool& pool,
                  OrchestratorPool& orchestrators, TargetDeps targets,
                  std::function<void(std::chrono::milliseconds, std::function<void()>)> after,
                  const Clock& clock, RunnerOptions options);
  ~ExecutionRunner();

  // Expands and starts an execution of the caller's orchestrator (blocking: run on a pool).
  Result<memory::Execution> start(const memory::Scope& scope, const std::string& orchestrator_id,
                                  const StartRequest& request);
  Result<DryRunReport> dry_run(const memory::Scope& scope, const std::string& orchestrator_id);
  // Stops new sends; the execution ends cancelled once in-flight sends are recorded.
  Result<memory::Execution> cancel(const memory::Scope& scope, const std::string& id);
  // Stops new sends; the execution ends interrupted once in-flight sends are recorded, so
  // resume() continues it (Ctrl-C in `redcell scan`). Conflict unless it runs here.
  Result<memory::Execution> pause(const memory::Scope& scope, const std::string& id);
  // Continues an interrupted execution.
  Result<memory::Execution> resume(const memory::Scope& scope, const std::string& id);
  // At start-up: every execution left running by a crash continues.
  void resume_unfinished();
  // SIGTERM: stops new sends, waits (up to `timeout`) for in-flight sends to be recorded,
  // and marks what remains interrupted.
  void drain(std::chrono::milliseconds timeout);
  std::size_t active() const;
  // Waits (up to `timeout`) until execution `id` has no job running here; true when none is.
  bool wait(const std::string& id, std::chrono::milliseconds timeout);

  // Runs `body` on the engine with a helper LLM client that resolves target ids in `scope`
  // (one attempt per request, nothing stored), then `done` with every exchange and the
  // failure ("" when none). At most kSamplesPerUser of a user's and kSamples in all run at
  // once: above that, too_many_requests.
  static constexpr int kSamplesPerUser = 4;
  static constexpr int kSamples = 32;
  Result<void> run_sample(const memory::Scope& scope, std::function<Task<void>(LlmClient&)> body,
                          std::function<void(std::vector<HelperExchange>, std::string)> done);
  // A saved target of `scope` built for use as a helper (judge, converter LLM).
  Result<std::shared_ptr<Target>> build_helper(const memory::Scope& scope, const std::string& id);

  struct Job;

 private:
  Result<void> launch(const memory::Scope& scope, const memory::Execution& e, bool resumed);
  Result<void> launch_snapshot(const memory::Scope& scope, const memory::Execution& e,
                               bool resumed);
  // Stops new sends of execution `id`'s job here, which then ends with `status`; none when
  // no job of it runs here.
  std::shared_ptr<Job> halt(const std::string& id, std::string status, std::string reason);
  friend struct Job;
  memory::Store& store_;
  WorkQueue& queue_;
  WorkPool& pool_;
  OrchestratorPool& orchestrators_;
  TargetDeps targets_;
  std::function<void(std::chrono::milliseconds, std::function<void()>)> after_;
  const Clock& clock_;
  RunnerOptions options_;
  RetryPolicy retry_;
  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::map<std::string, std::size_t> starting_;  // per user: starts between check and launch
  // One gate per target: its limits hold across every execution sending to it.
  std::shared_ptr<TargetGate> gate_for(const std::string& target_id, const TargetLimits& limits);
  std::map<std::string, std::weak_ptr<TargetGate>> gates_;
  bool draining_ = false;
  std::map<std::string, int> samples_;  // running sample runs per user
  int samples_total_ = 0;
  // Last: destroyed first, after its threads stopped (the destructor), so no Task outlives
  // what it references.
  std::unique_ptr<EngineExecutor> engine_;
};

}  // namespace redcell
