#include "engine/execution_runner.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <deque>
#include <exception>
#include <functional>
#include <unordered_map>

#include "common/id.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "converters/chain.hpp"
#include "engine/async.hpp"
#include "engine/attack.hpp"
#include "engine/target_gate.hpp"
#include "engine/target_spec.hpp"
#include "targets/mock_behavior.hpp"

namespace redcell {

using namespace std::chrono_literals;

std::chrono::milliseconds RetryPolicy::delay(int attempt,
                                             std::optional<std::chrono::milliseconds> retry_after) {
  if (retry_after) return std::min(*retry_after, std::chrono::milliseconds(3'600'000));
  auto ceiling = base_ * (1LL << std::min(attempt, 16));
  if (ceiling > cap_) ceiling = cap_;
  std::lock_guard lk(mu_);
  // Full jitter, at least half the ceiling so a retry is never immediate.
  std::uniform_int_distribution<std::int64_t> d(ceiling.count() / 2, ceiling.count());
  return std::chrono::milliseconds(d(rng_));
}

namespace {

// A store write whose failure the caller can only report: logged with the execution, so a
// status or release that did not land is visible (the next start resumes from the store).
template <class T>
void log_failure(const Result<T>& r, const char* event, const std::string& execution_id) {
  if (!r) log::error(event, {{"execution_id", execution_id}, {"error", r.error().message()}});
}

// Calls fn(id, prompt) -> Result<void> for every prompt an execution sends, a page at a
// time, so a run of any size holds one page: its datasets at the recorded versions, then
// inline ones. Stops at the first failure.
template <class Fn>
Result<void> for_each_prompt(memory::Store& store, const memory::Scope& scope,
                             const boost::json::array& datasets,
                             const std::vector<std::string>& inline_prompts, Fn fn) {
  for (const auto& d : datasets) {
    const std::string id(d.as_object().at("id").as_string());
    const int version = static_cast<int>(d.as_object().at("version").to_number<std::int64_t>());
    PageRequest page{kMaxPageLimit, std::nullopt};
    for (;;) {
      auto got = store.list_seed_prompts(scope, id, version, page);
      if (!got) return fail(got.error());
      for (auto& p : got->items)
        if (auto ok = fn(p.id, QueuedPrompt{std::move(p.value), std::move(p.harm_categories)}); !ok)
          return ok;
      if (!got->next) break;
      page.after = got->next;
    }
  }
  for (std::size_t i = 0; i < inline_prompts.size(); ++i)
    if (auto ok = fn(inline_prompt_id(i), QueuedPrompt{inline_prompts[i], "[]"}); !ok) return ok;
  return {};
}

std::string work_item_id(const std::string& execution, const std::string& prompt, std::size_t chain,
                         int attempt) {
  return execution + ":" + prompt + ":" + std::to_string(chain) + ":" + std::to_string(attempt);
}

}  // namespace

struct ExecutionRunner::Job : std::enable_shared_from_this<ExecutionRunner::Job> {
  ExecutionRunner& runner;
  memory::Scope scope;
  memory::Execution execution;
  std::shared_ptr<const OrchestratorRuntime> rt;
  std::shared_ptr<Target> target;
  // What every stored row of this execution repeats, serialized once at launch.
  std::string labels_json;
  std::vector<std::string> chain_json;                 // per converter chain
  std::vector<std::string> scorer_types, scorer_json;  // per scorer
  std::vector<bool> chain_asks_llm;                    // per converter chain
  bool scores_conversation = false;  // a scorer reads the conversation (ScoreInput)
  int max_in_flight = 1;             // this execution's own cap (the definition's max_in_flight)
  std::shared_ptr<TargetGate> gate;  // the target's limits, shared with other executions
  bool gate_waiting = false;         // registered for the gate's next release

  std::mutex mu;
  std::deque<ClaimedItem> queue;
  bool claiming = false, exhausted = false, stop_new = false, finished = false;
  // Work items are made after the 202, a page of prompts at a time (expand()); a claim that
  // finds none while that goes on waits for the next page instead of asking again.
  bool expanded = false, expanding = false, awaiting_items = false;
  std::uint64_t pages_made = 0;  // pages of items expand() stored so far
  boost::json::array datasets;   // the snapshot's dataset versions, for expand()
  std::string stop_status, stop_reason;
  int in_flight = 0;
  std::size_t unpersisted = 0;
  bool flushing = false;
  bool unrecorded = false;  // a result was not stored: the execution cannot succeed
  // Fired by cancel and the SIGTERM drain: every retry waiting out a back-off gives up at
  // once, whatever Retry-After said.
  CancelToken cancel_token;
  std::vector<memory::WorkItemResult> pending;
  std::int64_t requests = 0, tokens = 0, helper_tokens = 0, items_done = 0, item_errors = 0;
  bool wake_scheduled = false;
  // The send rate, measured between claims: sizes the queue kept ahead (RunnerOptions).
  std::int64_t sends = 0, sends_at_last_claim = 0;
  std::chrono::steady_clock::time_point last_claim_at;
  std::size_t claim_ahead, claim_size;  // until the first rate is known: the minimums

  Job(ExecutionRunner& r, memory::Scope s)
      : runner(r),
        scope(std::move(s)),
        last_claim_at(r.clock_.steady_now()),
        claim_ahead(min_claim_ahead(r.options_)),
        claim_size(r.options_.claim_batch) {}

  void stop(std::string status, std::string reason) {  // under mu
    if (stop_new) return;
    stop_new = true;
    stop_status = std::move(status);
    stop_reason = std::move(reason);
  }

  // Under mu: cancelled or draining, when nothing more is sent, retries included.
  bool halting() const {
    return stop_new && (stop_status == "cancelled" || stop_status == "interrupted");
  }

  // `n` items in flight stop being this job's business without a result: their target
  // slots go back, and finish() releases them to pending.
  void abandon(std::size_t n) {
    {
      std::lock_guard lk(mu);
      in_flight -= static_cast<int>(n);
    }
    for (std::size_t i = 0; i < n; ++i)
      for (auto& wake : gate->release(0, runner.clock_.steady_now())) wake();
    pump();
  }

  // A send slot beside the one an item in flight holds, for a branch of it (AttackContext::
  // run_branches): only when this execution's cap and the target's gate have one free now.
  // Never waited for, so an item that holds a slot never waits for another. It counts as an
  // item in flight until give_back_extra_slot().
  bool take_extra_slot() {
    std::lock_guard lk(mu);
    if (stop_new || in_flight >= max_in_flight) return false;
    if (!gate->try_acquire(runner.clock_.steady_now()).granted) return false;
    ++in_flight;
    return true;
  }
  void give_back_extra_slot() { abandon(1); }  // the same bookkeeping as an item given up

  // After a cancel or a drain: every retry waiting for its back-off is given up now; such
  // items are not recorded (they were not answered for good) and go back to pending.
  void take_back_retries() {
    {
      std::lock_guard lk(mu);
      if (!halting()) return;
    }
    cancel_token.cancel();
  }

  // What the target's gate calls at its next release: try sending again. Built once per
  // job (start), so asking the gate for a slot allocates nothing.
  std::function<void()> on_gate_release;
  std::function<void()> make_gate_wake() {
    return [weak = weak_from_this()] {
      auto job = weak.lock();
      if (!job) return;
      {
        std::lock_guard lk(job->mu);
        job->gate_waiting = false;
      }
      job->pump();
    };
  }

  void pump() {
    std::vector<ClaimedItem> to_send;
    bool claim = false, done = false, wake = false;
    std::chrono::nanoseconds wait{0};
    {
      std::lock_guard lk(mu);
      if (finished) return;
      const auto now = runner.clock_.steady_now();
      while (!stop_new && in_flight < max_in_flight && !queue.empty()) {
        // The target's limits, shared with every execution sending to it.
        static const std::function<void()> kAlreadyWaiting;
        auto ticket = gate->try_acquire(now, gate_waiting ? kAlreadyWaiting : on_gate_release);
        if (ticket.waiting) gate_waiting = true;
        if (!ticket.granted) {
          if (ticket.retry_in && !wake_scheduled)
            wake = wake_scheduled = true,
            wait = std::chrono::duration_cast<std::chrono::nanoseconds>(*ticket.retry_in);
          break;
        }
        to_send.push_back(std::move(queue.front()));
        queue.pop_front();
        ++in_flight;
        ++sends;
      }
      // Claim ahead while enough is still queued, so sends never wait for the store.
      // Each claim also renews the lease of what this job holds (WorkQueue::claim).
      claim = !stop_new && !claiming && !exhausted && !awaiting_items && queue.size() < claim_ahead;
      if (claim) {
        claiming = true;
        size_claims(now);
      }
      done = (stop_new || (exhausted && queue.empty())) && in_flight == 0 && unpersisted == 0 &&
             !flushing && !claiming && !expanding;
      if (done) finished = true;
    }
    for (auto& item : to_send) spawn(std::move(item));
    auto self = shared_from_this();
    if (wake)
      runner.after_(std::chrono::duration_cast<std::chrono::milliseconds>(wait) + 1ms, [self] {
        {
          std::lock_guard lk(self->mu);
          self->wake_scheduled = false;
        }
        self->pump();
      });
    if (claim) runner.pool_.post([self] { self->claim(); });
    if (done) runner.pool_.post([self] { self->finish(); });
  }

  static std::size_t min_claim_ahead(const RunnerOptions& o) {
    return std::max<std::size_t>(1, o.claim_batch / 2);
  }

  // Under `mu`: how much to keep queued and to claim at once, from the rate of sends since
  // the previous claim (see RunnerOptions).
  void size_claims(std::chrono::steady_clock::time_point now) {
    const auto& o = runner.options_;
    const double seconds = std::chrono::duration<double>(now - last_claim_at).count();
    const double rate =
        seconds > 0 ? static_cast<double>(sends - sends_at_last_claim) / seconds : 0.0;
    sends_at_last_claim = sends;
    last_claim_at = now;
    const double horizon = std::chrono::duration<double>(o.claim_horizon).count();
    claim_ahead = std::clamp(static_cast<std::size_t>(rate * horizon), min_claim_ahead(o),
                             std::max(o.claim_ahead_max, min_claim_ahead(o)));
    claim_size = std::max(o.claim_batch, claim_ahead / 2);
  }

  void claim() {
    auto lease = runner.clock_.now() + runner.options_.lease;
    std::size_t size;
    // Read before the claim: items made after it started may not be seen by it.
    bool all_made;
    std::uint64_t pages_before;
    {
      std::lock_guard lk(mu);
      size = claim_size;
      all_made = expanded;
      pages_before = pages_made;
    }
    auto got = runner.queue_.claim(scope, execution.id, runner.options_.worker_id, size, lease,
                                   rt->definition.prompts);
    {
      std::lock_guard lk(mu);
      claiming = false;
      if (!got) {
        stop("failed", "claiming work items failed: " + got.error().message());
      } else if (got->empty()) {
        if (all_made)
          exhausted = true;
        else if (pages_made == pages_before && !expanded)
          awaiting_items = true;  // expand() wakes the claims with its next page
        // else: a page landed while this claim ran: pump() claims again
      } else {
        for (auto& c : *got) queue.push_back(std::move(c));
      }
    }
    pump();
  }

  // On the pool, after the 202 (and again on a resume: adding an item that exists is a
  // no-op): the execution's work items, a page of prompts at a time, each page claimable as
  // soon as it is stored. Stops early when the run stops; a failure fails the run.
  void expand() {
    std::vector<memory::WorkItem> items;
    const auto& def = rt->definition;
    bool stopped = false;
    std::size_t pages_made_here = 0;
    auto flush_items = [&]() -> Result<void> {
      if (items.empty()) return {};
      auto added = runner.queue_.enqueue(scope, std::move(items));
      items.clear();
      if (!added) return fail(added.error());
      {
        std::lock_guard lk(mu);
        ++pages_made;
        awaiting_items = false;
      }
      pump();
      return {};
    };
    auto made = for_each_prompt(
        runner.store_, scope, datasets, def.prompts,
        [&](const std::string& pid, const QueuedPrompt&) -> Result<void> {
          for (std::size_t c = 0; c < rt->chains.size(); ++c)
            for (int a = 0; a < def.attempts; ++a) {
              memory::WorkItem w;
              w.id = work_item_id(execution.id, pid, c, a);
              w.execution_id = execution.id;
              w.prompt_id = pid;
              w.chain_index = static_cast<int>(c);
              w.attempt = a;
              // Its conversation's id, a UUIDv7 made in the order items are made (and
              // claimed), so a run's messages land together in the conversation index.
              w.conversation_id = new_id();
              items.push_back(std::move(w));
              // A small first page, so sends start at once; then pages of 5,000.
              if (items.size() >= (pages_made_here == 0 ? runner.options_.claim_batch : 5000)) {
                ++pages_made_here;
                if (auto ok = flush_items(); !ok) return ok;
                std::lock_guard lk(mu);
                if (stop_new) {
                  stopped = true;
                  return fail(ErrorCode::unavailable, "the execution stopped");
                }
              }
            }
          return {};
        });
    if (made) made = flush_items();
    {
      std::lock_guard lk(mu);
      expanding = false;
      awaiting_items = false;
      ++pages_made;
      if (made) {
        expanded = true;
      } else if (!stopped) {
        stop("failed", "making its work items failed: " + made.error().message());
      }
    }
    pump();
  }

  // Runs one claimed item's strategy on the engine executor, on a strand of its own (so a
  // cancel posted to it is serialized with the item's waits).
  void spawn(ClaimedItem claimed);
  // An item the strategy finished: its result joins the next batch, its slot goes back.
  void record(memory::WorkItemResult res, std::int64_t objective_tokens) {
    const auto& def = rt->definition;
    res.execution_id = execution.id;
    res.worker = runner.options_.worker_id;
    {
      std::lock_guard lk(mu);
      --in_flight;
      ++unpersisted;
      ++items_done;
      item_errors += res.counts.errors;
      pending.push_back(std::move(res));
      const auto& b = def.budget;
      if (b.max_error_share && items_done >= 10 &&
          static_cast<double>(item_errors) / static_cast<double>(items_done) > *b.max_error_share)
        stop("incomplete", "budget: error share above " + std::to_string(*b.max_error_share));
    }
    // The slot goes back to the target; executions waiting for one try again.
    for (auto& wake : gate->release(objective_tokens, runner.clock_.steady_now())) wake();
    flush();
    pump();
  }

  // Tokens of a reply (prompt + completion) against the budget: the objective target's, or
  // the helpers' (judges, converter LLMs, attackers), counted apart.
  void count_tokens(std::int64_t n, bool helper) {
    std::lock_guard lk(mu);
    const auto& b = rt->definition.budget;
    if (helper) {
      helper_tokens += n;
      if (b.max_helper_tokens && helper_tokens >= *b.max_helper_tokens)
        stop("incomplete",
             "budget: max_helper_tokens " + std::to_string(*b.max_helper_tokens) + " reached");
      return;
    }
    tokens += n;
    if (b.max_tokens && tokens >= *b.max_tokens)
      stop("incomplete", "budget: max_tokens " + std::to_string(*b.max_tokens) + " reached");
  }

  // One attempt more against the budget; under the budget's cap the run stops sending.
  void count_request() {
    std::lock_guard lk(mu);
    ++requests;
    const auto& b = rt->definition.budget;
    if (b.max_requests && requests >= *b.max_requests)
      stop("incomplete", "budget: max_requests " + std::to_string(*b.max_requests) + " reached");
  }

  // Group commit: while one batch is being written, results gather for the next.
  void flush() {
    auto batch = std::make_shared<std::vector<memory::WorkItemResult>>();
    {
      std::lock_guard lk(mu);
      if (flushing || pending.empty()) return;
      flushing = true;
      batch->swap(pending);
    }
    auto self = shared_from_this();
    runner.pool_.post([self, batch] { self->persist(batch, 0); });
  }

  // On the pool: records a batch. A batch the store refuses as a whole (nothing of it was
  // written) is tried again with back-off; when the tries are spent the execution fails
  // with the reason, since it can no longer be `succeeded`.
  void persist(std::shared_ptr<std::vector<memory::WorkItemResult>> batch, int tries) {
    const std::size_t n = batch->size();
    auto out = runner.queue_.complete(scope, batch);
    if (!out && tries < runner.options_.persist_retries) {
      log::warn(
          "record_results_retry",
          {{"execution_id", execution.id}, {"error", out.error().message()}, {"try", tries + 1}});
      auto self = shared_from_this();
      runner.after_(runner.options_.persist_retry_base * (1 << tries), [self, batch, tries] {
        self->runner.pool_.post([self, batch, tries] { self->persist(batch, tries + 1); });
      });
      return;
    }
    std::optional<std::string> lost;
    if (!out) {
      log::error("record_results_failed",
                 {{"execution_id", execution.id}, {"error", out.error().message()}});
      lost = "recording " + std::to_string(n) + " results failed after " +
             std::to_string(tries + 1) + " tries: " + out.error().message();
    } else {
      for (const auto& e : *out)
        if (e) {
          log::warn("record_result_refused",
                    {{"execution_id", execution.id}, {"error", e->message()}});
          if (!lost) lost = "a result could not be recorded: " + e->message();
        }
    }
    {
      std::lock_guard lk(mu);
      unpersisted -= n;
      flushing = false;
      if (lost && !unrecorded) {
        // Whatever else stopped the run, a lost result makes it failed.
        unrecorded = true;
        stop_new = true;
        stop_status = "failed";
        stop_reason = *lost;
      }
    }
    flush();
    pump();
  }

  void finish() {
    std::string status = "succeeded", reason;
    {
      std::lock_guard lk(mu);
      if (!stop_status.empty()) status = stop_status, reason = stop_reason;
    }
    if (status == "interrupted" || status == "cancelled" || status == "incomplete" ||
        status == "failed")
      log_failure(runner.queue_.release(scope, execution.id, runner.options_.worker_id),
                  "release_failed", execution.id);
    auto done = runner.store_.set_execution_status(scope, execution.id, status, reason).get();
    if (!done)
      log::error(
          "execution_finish_failed",
          {{"execution_id", execution.id}, {"status", status}, {"error", done.error().message()}});
    log::info("execution_finished", {{"execution_id", execution.id},
                                     {"status", status},
                                     {"reason", reason},
                                     {"items", items_done},
                                     {"requests", requests},
                                     {"helper_requests", helper_requests}});
    std::lock_guard lk(runner.mu_);
    runner.jobs_.erase(execution.id);
    runner.idle_.notify_all();
  }

  std::string execution_target;
  const AttackStrategy* strategy = nullptr;

  // Helper targets (judges, converter LLMs) by id, resolved in the execution's scope on
  // first use, so an execution can only ever ask its owner's targets.
  struct Helper {
    std::shared_ptr<Target> target;
    std::shared_ptr<TargetGate> gate;
  };
  std::mutex helpers_mu;
  std::map<std::string, Result<std::shared_ptr<Helper>>> helpers;
  std::int64_t helper_requests = 0;

  Task<Result<std::shared_ptr<Helper>>> helper(const std::string& id) {
    {
      std::lock_guard lk(helpers_mu);
      if (auto it = helpers.find(id); it != helpers.end()) co_return it->second;
    }
    auto self = shared_from_this();
    // The store read blocks: it runs on the pool, and this item waits without a thread.
    // (A named lambda, moved: g++ 12 may destroy a co_await expression's temporaries twice.)
    auto resolve = [self, id](std::function<void(Result<std::shared_ptr<Helper>>)> done) {
      self->runner.pool_.post(
          [self, id, done = std::move(done)] { done(self->resolve_helper(id)); });
    };
    auto made = co_await await_callback<Result<std::shared_ptr<Helper>>>(std::move(resolve));
    std::lock_guard lk(helpers_mu);
    co_return helpers.emplace(id, std::move(made)).first->second;
  }

  Result<std::shared_ptr<Helper>> resolve_helper(const std::string& id) {
    auto built = runner.build_helper(scope, id);
    if (!built) return fail(built.error());
    auto h = std::make_shared<Helper>();
    h->target = std::move(*built);
    h->gate = runner.gate_for(id, h->target->limits());
    return h;
  }

  void count_helper_request() {
    std::lock_guard lk(mu);
    ++helper_requests;
    const auto& b = rt->definition.budget;
    if (b.max_helper_requests && helper_requests >= *b.max_helper_requests)
      stop("incomplete",
           "budget: max_helper_requests " + std::to_string(*b.max_helper_requests) + " reached");
  }

  std::chrono::milliseconds retry_delay(int attempt,
                                        std::optional<std::chrono::milliseconds> retry_after) {
    return runner.retry_.delay(attempt, retry_after);
  }
  TimePoint now() const { return runner.clock_.now(); }
  std::chrono::steady_clock::time_point steady_now() const { return runner.clock_.steady_now(); }
  // Waits `d` on the runner's timers (the clock's time); false when a cancel or drain came
  // first, at once whatever was left of the wait. The item's Task resumes on its strand.
  Task<bool> sleep(std::chrono::steady_clock::duration d) {
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto start = [this, d, once](std::function<void(bool)> done) mutable {
      auto shared = std::make_shared<std::function<void(bool)>>(std::move(done));
      auto finish = [once, shared](bool slept) {
        if (!once->exchange(true)) (*shared)(slept);
      };
      auto id = cancel_token.on_cancel([finish] { finish(false); });
      if (!id) return finish(false);
      runner.after_(std::chrono::ceil<std::chrono::milliseconds>(d),
                    [finish, id = *id, weak = weak_from_this()] {
                      // The waiting item holds its job, so the job outlives the wait.
                      if (auto job = weak.lock()) {
                        job->cancel_token.forget(id);
                        finish(!job->cancel_token.cancelled());
                      }
                    });
    };
    co_return co_await await_callback<bool>(std::move(start));
  }
  const std::string& runner_worker() const { return runner.options_.worker_id; }
  WorkQueue& runner_queue() { return runner.queue_; }
  // Blocking store work goes to the pool; a Task awaits it without holding a thread.
  void post_blocking(std::function<void()> fn) { runner.pool_.post(std::move(fn)); }
};

namespace {

// What a strategy sees of the job running its item; also the item's helper LLM client, whose
// exchanges join the item's record as conversations of their own.
// A verdict as a score row of scorer `type` with `identity` (its spec as JSON); the caller
// sets the metadata.
memory::Score score_row(const ScoreResult& s, std::string type, std::string identity) {
  memory::Score score;
  score.scorer_type = std::move(type);
  score.scorer_identity = std::move(identity);
  score.score_type = s.score_type;
  score.value = s.value;
  score.category = s.category;
  score.rationale = s.rationale;
  return score;
}

// The branches of one run_branches call, shared by its lanes (all on the item's strand).
struct BranchLanes {
  std::vector<AttackContext::Branch> branches;
  boost::asio::any_io_executor strand;        // the item's
  std::shared_ptr<ExecutionRunner::Job> job;  // whose send slots the extra lanes take
  std::size_t next = 0;                       // the next branch to start
  std::size_t opening = 0;                    // lanes spawned that took no branch yet
  bool stopped = false;                  // a branch was cancelled or threw: none starts after it
  std::atomic<std::size_t> running = 0;  // lanes not ended yet
  std::exception_ptr error;              // what the first branch that threw threw
  std::function<void(std::shared_ptr<BranchLanes>)> done;
};

void spawn_lane(const std::shared_ptr<BranchLanes>& lanes, bool extra);

// A lane takes the next branch until none is left. Each time it takes one, it opens a lane
// for each branch still unstarted while an extra send slot is free at once
// (Job::take_extra_slot), and a lane on an extra slot gives it back when it ends. The item
// awaits every lane, so what the branches captured outlives them.
Task<void> run_lane(std::shared_ptr<BranchLanes> lanes, bool extra) {
  if (extra) --lanes->opening;
  while (!lanes->stopped && lanes->next < lanes->branches.size()) {
    const std::size_t mine = lanes->next++;
    while (lanes->next + lanes->opening < lanes->branches.size() && lanes->job->take_extra_slot()) {
      ++lanes->opening;
      spawn_lane(lanes, true);
    }
    bool ok = false;
    try {
      auto task = lanes->branches[mine]();
      ok = co_await std::move(task);
    } catch (...) {
      if (!lanes->error) lanes->error = std::current_exception();
    }
    if (!ok) lanes->stopped = true;
  }
  if (extra) lanes->job->give_back_extra_slot();
}

// The last lane to end hands the lanes to the awaiting item.
void spawn_lane(const std::shared_ptr<BranchLanes>& lanes, bool extra) {
  ++lanes->running;
  auto lane = run_lane(lanes, extra);
  boost::asio::co_spawn(lanes->strand, std::move(lane), [lanes](const std::exception_ptr&) {
    if (--lanes->running > 0) return;
    auto done_with = std::move(lanes->done);
    done_with(lanes);
  });
}

class ItemContext final : public AttackContext, public LlmClient {
 public:
  ItemContext(std::shared_ptr<ExecutionRunner::Job> job, ClaimedItem claimed)
      : job_(std::move(job)),
        item_(std::move(claimed.item)),
        prompt_(std::move(claimed.prompt)),
        seed_(seed_for(static_cast<std::uint64_t>(job_->rt->definition.seed.value_or(0)),
                       item_.prompt_id + ":" + std::to_string(item_.chain_index) + ":" +
                           std::to_string(item_.attempt))),
        objective_conversation_(conversation_of("objective")) {}

  const memory::WorkItem& item() const override { return item_; }
  const QueuedPrompt* prompt() const override { return prompt_.get(); }
  const OrchestratorDefinition& definition() const override { return job_->rt->definition; }
  bool cancelled() const override { return job_->cancel_token.cancelled(); }
  using AttackContext::conversation_id;
  const std::string& chain_json() const override {
    return job_->chain_json.at(static_cast<std::size_t>(item_.chain_index));
  }
  LlmClient& llm() override { return *this; }
  std::vector<memory::Message>& helper_messages() { return helper_messages_; }

  const std::vector<std::string>& converter_conversations() const override {
    return converter_conversations_;
  }

  Task<Result<std::string>> convert(std::string text, std::uint64_t round) override {
    const auto index = static_cast<std::size_t>(item_.chain_index);
    const auto& chain = job_->rt->chains.at(index);
    std::string field = "/converter_chains/" + std::to_string(index);
    const auto seed = seed_for(seed_, round);
    // A pure chain runs in place; one with an LLM step suspends this item while it asks.
    if (!job_->chain_asks_llm.at(index)) co_return run_chain(chain, std::move(text), field, seed);
    co_return co_await run_chain_async(chain, std::move(text), std::move(field), *this, seed);
  }
  std::uint64_t seed() const override { return seed_; }

  Task<std::optional<Sent>> send(TargetRequest req) override {
    co_return co_await send_to(*job_->target, std::move(req), nullptr);
  }

  Task<bool> run_branches(std::vector<Branch> branches) override {
    if (branches.size() < 2) {
      auto one = AttackContext::run_branches(std::move(branches));
      co_return co_await std::move(one);
    }
    // The lanes' shared state is made in the start function, so this frame does not own it
    // (the lanes own it, and it owns this frame's wake-up: no cycle if the engine stops).
    auto strand = co_await boost::asio::this_coro::executor;
    auto start = [strand, job = job_, branches = std::move(branches)](
                     std::function<void(std::shared_ptr<BranchLanes>)> done) mutable {
      auto lanes = std::make_shared<BranchLanes>();
      lanes->branches = std::move(branches);
      lanes->strand = strand;
      lanes->job = std::move(job);
      lanes->done = std::move(done);
      spawn_lane(lanes, false);  // on the item's own slot; it opens the others
    };
    auto lanes = co_await await_callback<std::shared_ptr<BranchLanes>>(std::move(start));
    lanes->branches.clear();  // what they captured is this item's; drop it with them
    if (lanes->error) std::rethrow_exception(lanes->error);
    co_return !lanes->stopped;
  }

  bool scores_conversation() const override { return job_->scores_conversation; }

  Task<Verdicts> score(const std::string& reply, const std::string& objective,
                       const std::vector<ChatTurn>& sent) override {
    Verdicts v;
    const auto& def = job_->rt->definition;
    ScoreInput input{reply, objective, {}};  // made once per reply, not per scorer
    v.scores.reserve(job_->rt->scorers.size());
    if (job_->scores_conversation) {
      input.conversation = sent;
      input.conversation.push_back({"assistant", reply});
    }
    for (std::size_t i = 0; i < job_->rt->scorers.size(); ++i) {
      const bool objective_scorer =
          def.objective_scorer && static_cast<std::size_t>(*def.objective_scorer) == i;
      const Scorer& scorer = *job_->rt->scorers[i];
      // A rule-based scorer is called directly; one that asks an LLM suspends this item.
      // (Not a conditional expression: g++ 12 miscompiles co_await inside one.)
      Result<ScoreResult> s;
      if (scorer.traits().needs_llm) {
        ScoreInput copy = input;
        s = co_await scorer.score_async(std::move(copy), *this);
      } else
        s = scorer.judge(input);
      if (!s) {
        if (objective_scorer) v.objective_failed = true;
        continue;
      }
      memory::Score score = score_row(*s, job_->scorer_types[i], job_->scorer_json[i]);
      if (s->helper_conversation_id.empty()) {
        score.metadata = objective_scorer ? R"({"objective":true})" : R"({"objective":false})";
      } else {
        score.metadata = boost::json::serialize(
            boost::json::object{{"objective", objective_scorer},
                                {"helper_conversation_id", s->helper_conversation_id}});
      }
      if (objective_scorer) {
        v.objective_rationale = s->rationale;
        if (s->undetermined())
          v.undetermined = true;
        else
          v.achieved = s->value == "true";
      }
      v.scores.push_back(std::move(score));
    }
    co_return v;
  }

  Task<Result<memory::Score>> judge_side(Side which, const std::string& reply,
                                         const std::string& objective,
                                         const std::vector<ChatTurn>& sent) override {
    const bool refusal = which == Side::refusal_check;
    const Scorer* scorer = refusal ? job_->rt->refusal_scorer.get() : job_->rt->rank_scorer.get();
    if (!scorer)
      co_return fail(ErrorCode::internal, std::string("this orchestrator has no ") +
                                              (refusal ? "refusal" : "rank") + " scorer");
    ScoreInput input{reply, objective, sent};
    input.conversation.push_back({"assistant", reply});
    Result<ScoreResult> s;
    if (scorer->traits().needs_llm)
      s = co_await scorer->score_async(std::move(input), *this);
    else
      s = scorer->judge(input);
    if (!s) co_return fail(s.error());
    const auto& spec =
        refusal ? job_->rt->definition.refusal_scorer : job_->rt->definition.rank_scorer;
    memory::Score score =
        score_row(*s, std::string(spec.at("type").as_string()), boost::json::serialize(spec));
    boost::json::object meta{{"objective", false}, {refusal ? "refusal_check" : "rank", true}};
    if (!s->helper_conversation_id.empty())
      meta["helper_conversation_id"] = s->helper_conversation_id;
    score.metadata = boost::json::serialize(meta);
    co_return score;
  }

  // LlmClient: a saved target of the execution's owner, paced by its gate (no in-flight slot
  // is taken: see TargetGate::pace), retried like the objective's, counted as a helper
  // request; the exchange is stored as a conversation of its own.
  Task<Result<Exchange>> ask(const std::string& target_id, std::vector<ChatTurn> messages,
                             std::string purpose) override {
    TargetRequest req;
    req.messages = messages;
    auto sent = co_await send_helper(target_id, std::move(req));
    if (!sent) co_return fail(ErrorCode::unavailable, "the execution stopped");
    if (!sent->result && sent->attempts.empty())  // the target could not be resolved
      co_return fail(ErrorCode::not_found, sent->result.error().message);
    Exchange out;
    out.conversation_id = new_id();
    const std::string conversation_id = out.conversation_id;
    std::int64_t seq = 0;
    for (auto& turn : messages) {
      auto m = message(turn.role);
      m.conversation_id = out.conversation_id;
      m.sequence = seq++;
      m.target_id = target_id;
      m.original_value = m.converted_value = std::move(turn.content);
      m.metadata = boost::json::serialize(
          boost::json::object{{"helper", purpose}, {"work_item_id", item_.id}});
      helper_messages_.push_back(std::move(m));
    }
    auto reply = message("assistant");
    reply.conversation_id = out.conversation_id;
    reply.sequence = seq;
    reply.target_id = target_id;
    reply.latency_ms = sent->latency_ms;
    reply.metadata = boost::json::serialize(
        boost::json::object{{"helper", purpose}, {"work_item_id", item_.id}});
    Result<Exchange> result;
    if (sent->result) {
      reply.original_value = reply.converted_value = sent->result->text;
      reply.response_error = sent->result->response_error;
      reply.error_message = sent->result->error_message;
      reply.prompt_tokens = sent->result->prompt_tokens;
      reply.completion_tokens = sent->result->completion_tokens;
      out.reply = sent->result->text;
      result = std::move(out);
    } else {
      reply.response_error = sent->result.error().response_error;
      reply.error_message = sent->result.error().message;
      result = fail(ErrorCode::unavailable,
                    "the helper target " + target_id + " failed: " + sent->result.error().message);
    }
    helper_messages_.push_back(std::move(reply));
    if (purpose == "converter") converter_conversations_.push_back(conversation_id);
    co_return result;
  }

  Task<std::optional<Sent>> send_helper(const std::string& target_id, TargetRequest req) override {
    auto helper = co_await job_->helper(target_id);
    if (!helper) {
      Sent unresolved;
      unresolved.result =
          std::unexpected(TargetFailure{helper.error().message(), false, std::nullopt, "unknown"});
      co_return unresolved;
    }
    for (;;) {
      const auto wait = (*helper)->gate->pace(job_->steady_now());
      if (wait.count() <= 0) break;
      if (!co_await job_->sleep(wait)) co_return std::nullopt;
    }
    req.work_item_id = item_.id;
    auto sent = co_await send_to(*(*helper)->target, std::move(req), &*helper);
    if (sent && sent->result)
      (*helper)->gate->add_tokens(
          sent->result->prompt_tokens.value_or(0) + sent->result->completion_tokens.value_or(0),
          job_->steady_now());
    co_return sent;
  }

  Task<Result<std::int64_t>> checkpoint(memory::WorkItemResult partial) override {
    partial.work_item_id = item_.id;
    partial.execution_id = job_->execution.id;
    partial.worker = job_->runner_worker();
    // The helper exchanges so far go with it, so what is stored stays linked.
    for (auto& m : helper_messages_) partial.messages.push_back(std::move(m));
    helper_messages_.clear();
    auto job = job_;
    auto write = [job, partial = std::move(partial)](
                     std::function<void(Result<std::int64_t>)> done) mutable {
      job->post_blocking([job, partial = std::move(partial), done = std::move(done)]() mutable {
        done(job->runner_queue().checkpoint(job->scope, std::move(partial)));
      });
    };
    co_return co_await await_callback<Result<std::int64_t>>(std::move(write));
  }

  Task<Result<std::vector<memory::Message>>> stored(const std::string& conversation_id) override {
    auto job = job_;
    auto read = [job, id = conversation_id](
                    std::function<void(Result<std::vector<memory::Message>>)> done) {
      job->post_blocking([job, id, done = std::move(done)] {
        done(job->runner_queue().stored_messages(job->scope, id));
      });
    };
    co_return co_await await_callback<Result<std::vector<memory::Message>>>(std::move(read));
  }

  std::string conversation_id(std::string_view name) const override {
    if (name == "objective") return objective_conversation_;
    return conversation_of(name);
  }

  Task<Result<std::string>> branch(std::string from, std::int64_t up_to_sequence,
                                   std::string name) override {
    std::string id = conversation_id(name);
    auto existing = co_await stored(id);
    if (!existing) co_return fail(existing.error());
    if (!existing->empty()) co_return id;  // made before a restart
    auto source = co_await stored(from);
    if (!source) co_return fail(source.error());
    memory::WorkItemResult copy;
    for (auto& m : *source) {
      if (m.sequence > up_to_sequence) continue;
      boost::system::error_code ec;
      auto meta = boost::json::parse(m.metadata, ec);
      boost::json::object o = !ec && meta.is_object() ? meta.as_object() : boost::json::object();
      o["copied_from"] = m.id;
      m.metadata = boost::json::serialize(o);
      m.id.clear();  // the store gives the copy its own id
      m.owner.clear();
      m.conversation_id = id;
      copy.messages.push_back(std::move(m));
    }
    auto written = co_await checkpoint(std::move(copy));
    if (!written) co_return fail(written.error());
    co_return id;
  }

  memory::Message message(std::string role) const override {
    memory::Message m;
    m.conversation_id = conversation_id("objective");
    m.role = std::move(role);
    m.target_id = job_->execution_target;
    m.orchestrator_id = job_->execution.orchestrator_id;
    m.execution_id = job_->execution.id;
    m.labels = job_->labels_json;
    return m;
  }

 private:
  // The item's own conversation id was made with the item; the others are derived from it.
  // Items made before conversation ids were UUIDs have none, and keep the old names.
  std::string conversation_of(std::string_view name) const {
    if (item_.conversation_id.empty())
      return name == "objective" ? item_.id : item_.id + ":" + std::string(name);
    if (name == "objective") return item_.conversation_id;
    return derived_id(item_.conversation_id, item_.conversation_id + "/" + std::string(name));
  }

  // One request with its retries; `helper` null: the objective target.
  Task<std::optional<Sent>> send_to(Target& target, TargetRequest req,
                                    const std::shared_ptr<ExecutionRunner::Job::Helper>* helper) {
    Sent out;
    const int max_retries = target.limits().max_retries;
    for (int n = 0;; ++n) {
      if (helper)
        job_->count_helper_request();
      else
        job_->count_request();
      // The last attempt that may be made takes the request itself (leaving `req` empty).
      TargetRequest attempt =
          n < max_retries ? TargetRequest(req) : std::exchange(req, TargetRequest{});
      const auto started = job_->steady_now();
      auto r = co_await await_callback<TargetResult>([&](std::function<void(TargetResult)> done) {
        target.send(std::move(attempt), std::move(done));
      });
      out.latency_ms =
          std::chrono::duration<double, std::milli>(job_->steady_now() - started).count();
      out.attempts.push_back(
          {job_->now(), r ? "ok" : r.error().message, r ? std::nullopt : r.error().retry_after});
      if (r) {
        const auto used = r->prompt_tokens.value_or(0) + r->completion_tokens.value_or(0);
        job_->count_tokens(used, helper != nullptr);
        if (!helper) objective_tokens_ += used;
      }
      if (!r && r.error().retryable && n < max_retries) {
        // The wait ends early when the run is cancelled or drained: the item is given back.
        if (!co_await job_->sleep(job_->retry_delay(n, r.error().retry_after)))
          co_return std::nullopt;
        continue;
      }
      out.result = std::move(r);
      co_return out;
    }
  }

  std::shared_ptr<ExecutionRunner::Job> job_;
  memory::WorkItem item_;
  std::shared_ptr<const QueuedPrompt> prompt_;
  std::uint64_t seed_;
  std::string objective_conversation_;  // every message of the item's own conversation
  std::vector<memory::Message> helper_messages_;
  std::vector<std::string> converter_conversations_;
  std::int64_t objective_tokens_ = 0;  // the objective target's replies', for its gate

 public:
  std::int64_t objective_tokens() const { return objective_tokens_; }
};

Task<void> run_item(std::shared_ptr<ExecutionRunner::Job> job, ClaimedItem claimed) {
  ItemContext ctx(job, std::move(claimed));
  std::optional<memory::WorkItemResult> out;
  std::string failure;
  try {
    out = co_await job->strategy->run(ctx);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    // A strategy that throws fails its item with the reason; the run goes on.
    log::error(
        "strategy_failed",
        {{"execution_id", job->execution.id}, {"work_item_id", ctx.item().id}, {"error", failure}});
    out.emplace();
    out->work_item_id = ctx.item().id;
    out->conversation_id = ctx.conversation_id();
    out->status = "failed";
    out->error = "the attack strategy failed: " + failure;
    out->counts.errors = 1;
  }
  if (!out) co_return job->abandon(1);
  for (auto& m : ctx.helper_messages()) out->messages.push_back(std::move(m));
  job->record(std::move(*out), ctx.objective_tokens());
}

// The helper client of a sample run: resolves in the caller's scope, one attempt per
// request, keeps the exchanges for the answer.
class SampleLlm final : public LlmClient {
 public:
  SampleLlm(ExecutionRunner& runner, WorkPool& pool, memory::Scope scope)
      : runner_(runner), pool_(pool), scope_(std::move(scope)) {}
  std::vector<HelperExchange> exchanges;

  Task<Result<Exchange>> ask(const std::string& target_id, std::vector<ChatTurn> messages,
                             std::string purpose) override {
    auto resolve = [this,
                    id = target_id](std::function<void(Result<std::shared_ptr<Target>>)> done) {
      pool_.post([this, id, done = std::move(done)] { done(runner_.build_helper(scope_, id)); });
    };
    auto target = co_await await_callback<Result<std::shared_ptr<Target>>>(std::move(resolve));
    if (!target) co_return fail(target.error());
    TargetRequest req;
    req.messages = messages;
    const auto started = std::chrono::steady_clock::now();
    auto r = co_await await_callback<TargetResult>([&](std::function<void(TargetResult)> done) {
      (*target)->send(std::move(req), std::move(done));
    });
    HelperExchange x;
    x.target_id = target_id;
    x.purpose = std::move(purpose);
    x.messages = std::move(messages);
    x.latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    Result<Exchange> out;
    if (r) {
      x.reply = r->text;
      out = Exchange{r->text, ""};
    } else {
      x.error = r.error().message;
      out = fail(ErrorCode::unavailable,
                 "the helper target " + target_id + " failed: " + r.error().message);
    }
    exchanges.push_back(std::move(x));
    co_return out;
  }

 private:
  ExecutionRunner& runner_;
  WorkPool& pool_;
  memory::Scope scope_;
};

Task<void> run_sample_task(std::shared_ptr<SampleLlm> llm,
                           std::function<Task<void>(LlmClient&)> body,
                           std::function<void(std::vector<HelperExchange>, std::string)> done,
                           std::shared_ptr<void> slot) {
  std::string failure;
  try {
    co_await body(*llm);
  } catch (const std::exception& e) {
    failure = e.what();
    log::error("sample_failed", {{"error", failure}});
  }
  slot.reset();
  done(std::move(llm->exchanges), std::move(failure));
}

}  // namespace

Result<std::shared_ptr<Target>> ExecutionRunner::build_helper(const memory::Scope& scope,
                                                              const std::string& id) {
  auto row = store_.get_target(scope, id);
  if (!row)
    return fail(Error(ErrorCode::not_found,
                      "the helper target " + id + " does not exist (or is not yours)"));
  auto built = make_target(target_spec(*row), targets_);
  if (!built) return fail(built.error());
  return std::shared_ptr<Target>(std::move(*built));
}

Result<void> ExecutionRunner::run_sample(
    const memory::Scope& scope, std::function<Task<void>(LlmClient&)> body,
    std::function<void(std::vector<HelperExchange>, std::string)> done) {
  const std::string user = scope.user_id();
  {
    std::lock_guard lk(mu_);
    if (draining_) return fail(ErrorCode::unavailable, "the server is shutting down");
    if (samples_total_ >= kSamples || samples_[user] >= kSamplesPerUser) {
      if (samples_[user] == 0) samples_.erase(user);
      return fail(
          Error(ErrorCode::too_many_requests, "too many LLM-backed tests in flight (at most " +
                                                  std::to_string(kSamplesPerUser) +
                                                  " of yours and " + std::to_string(kSamples) +
                                                  " on this server); retry when one has answered"));
    }
    ++samples_total_;
    ++samples_[user];
  }
  auto slot = std::shared_ptr<void>(nullptr, [this, user](void*) {
    std::lock_guard lk(mu_);
    --samples_total_;
    if (--samples_[user] == 0) samples_.erase(user);
  });
  auto llm = std::make_shared<SampleLlm>(*this, pool_, scope);
  boost::asio::co_spawn(
      boost::asio::make_strand(engine_->context()),
      run_sample_task(std::move(llm), std::move(body), std::move(done), std::move(slot)),
      [](std::exception_ptr e) {
        if (e) log::error("sample_failed", {{"error", "unknown exception"}});
      });
  return {};
}

void ExecutionRunner::Job::spawn(ClaimedItem claimed) {
  auto self = shared_from_this();
  boost::asio::co_spawn(boost::asio::make_strand(runner.engine_->context()),
                        run_item(self, std::move(claimed)), [self](std::exception_ptr e) {
                          if (!e) return;
                          try {
                            std::rethrow_exception(e);
                          } catch (const std::exception& ex) {
                            log::error("work_item_failed", {{"execution_id", self->execution.id},
                                                            {"error", ex.what()}});
                          }
                        });
}

ExecutionRunner::ExecutionRunner(
    memory::Store& store, WorkQueue& queue, WorkPool& pool, OrchestratorPool& orchestrators,
    TargetDeps targets, std::function<void(std::chrono::milliseconds, std::function<void()>)> after,
    const Clock& clock, RunnerOptions options)
    : store_(store),
      queue_(queue),
      pool_(pool),
      orchestrators_(orchestrators),
      targets_(std::move(targets)),
      after_(std::move(after)),
      clock_(clock),
      options_(std::move(options)),
      engine_(std::make_unique<EngineExecutor>(options_.engine_threads, options_.engine_nice)) {}

// The engine's threads stop first: no Task runs while the rest of the runner goes.
ExecutionRunner::~ExecutionRunner() {
  engine_->stop();
}

std::shared_ptr<TargetGate> ExecutionRunner::gate_for(const std::string& target_id,
                                                      const TargetLimits& limits) {
  std::lock_guard lk(mu_);
  // Gates of targets no execution uses any more are dropped as they are met.
  for (auto it = gates_.begin(); it != gates_.end();)
    it = it->second.expired() ? gates_.erase(it) : std::next(it);
  auto& slot = gates_[target_id];
  auto gate = slot.lock();
  if (gate) {
    gate->set_limits(limits);  // the target's limits as saved now
  } else {
    gate = std::make_shared<TargetGate>(limits);
    slot = gate;
  }
  return gate;
}

bool ExecutionRunner::wait(const std::string& id, std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  return idle_.wait_for(lk, timeout, [&] { return !jobs_.contains(id); });
}

std::size_t ExecutionRunner::active() const {
  std::lock_guard lk(mu_);
  return jobs_.size();
}

namespace {
// The snapshot an execution keeps: the definition, the target and the dataset versions.
struct Plan {
  std::int64_t prompts = 0;  // in the snapshot's dataset versions and inline
  memory::Orchestrator orchestrator;
  std::shared_ptr<const OrchestratorRuntime> rt;
  memory::Target target;
  boost::json::array datasets;  // [{"id", "version"}] resolved
};

Result<Plan> plan_of(memory::Store& store, OrchestratorPool& pool, const memory::Scope& scope,
                     const std::string& orchestrator_id) {
  Plan p;
  auto o = store.get_orchestrator(scope, orchestrator_id);
  if (!o) return fail(o.error());
  p.orchestrator = *o;
  auto rt = pool.get(*o);
  if (!rt) return fail(rt.error());
  p.rt = *rt;
  auto t = store.get_target(scope, p.rt->definition.target_id);
  if (!t)
    return fail(Error(ErrorCode::conflict, "the orchestrator's target " +
                                               p.rt->definition.target_id + " no longer exists"));
  p.target = *t;
  for (const auto& d : p.rt->definition.datasets) {
    auto ds = store.get_dataset(scope, d.id, d.version);
    if (!ds)
      return fail(Error(ErrorCode::conflict,
                        "the orchestrator's dataset " + d.id +
                            (d.version ? " version " + std::to_string(*d.version) : "") +
                            " no longer exists"));
    p.datasets.push_back({{"id", ds->id}, {"version", ds->version}});
    p.prompts += ds->prompt_count;
  }
  p.prompts += static_cast<std::int64_t>(p.rt->definition.prompts.size());
  return p;
}
}  // namespace

Result<DryRunReport> ExecutionRunner::dry_run(const memory::Scope& scope,
                                              const std::string& orchestrator_id) {
  auto plan = plan_of(store_, orchestrators_, scope, orchestrator_id);
  if (!plan) return fail(plan.error());
  DryRunReport r;
  const auto& def = plan->rt->definition;
  auto ok = for_each_prompt(store_, scope, plan->datasets, def.prompts,
                            [&](const std::string&, const QueuedPrompt& p) -> Result<void> {
                              for (const auto& chain : plan->rt->chains) {
                                auto out = run_chain(chain, p.value, "", 0);
                                const std::string& text = out ? *out : p.value;
                                r.estimated_prompt_tokens += estimate_tokens(text) * def.attempts;
                                r.work_items += def.attempts;
                              }
                              return {};
                            });
  if (!ok) return fail(ok.error());
  return r;
}

Result<memory::Execution> ExecutionRunner::start(const memory::Scope& scope,
                                                 const std::string& orchestrator_id,
                                                 const StartRequest& request) {
  const std::string& user = scope.user_id();
  {
    std::lock_guard lk(mu_);
    if (draining_) return fail(ErrorCode::unavailable, "the server is shutting down");
    std::size_t running = starting_[user];
    for (const auto& [id, job] : jobs_) running += job->scope.user_id() == user ? 1 : 0;
    if (running >= options_.max_running_per_user) {
      if (starting_[user] == 0) starting_.erase(user);
      return fail(Error(ErrorCode::too_many_requests,
                        "you have " + std::to_string(running) +
                            " executions running, this server's quota per user "
                            "(--max-running-executions): wait for one to finish or cancel one"));
    }
    ++starting_[user];
  }
  // The start slot is handed back however this ends; the launched job counts from then on.
  auto started = std::shared_ptr<void>(nullptr, [this, user](void*) {
    std::lock_guard lk(mu_);
    if (--starting_[user] == 0) starting_.erase(user);
  });
  auto plan = plan_of(store_, orchestrators_, scope, orchestrator_id);
  if (!plan) return fail(plan.error());
  const auto& d = plan->rt->definition;
  const std::int64_t work_items =
      plan->prompts * static_cast<std::int64_t>(plan->rt->chains.size()) * d.attempts;
  if (work_items > options_.max_work_items)
    return fail(Error::invalid(
        "", boost::json::value(work_items),
        "at most " + std::to_string(options_.max_work_items) +
            " work items per execution (prompts x converter chains x attempts)",
        "this execution would have " + std::to_string(work_items) + " work items (" +
            std::to_string(plan->prompts) + " prompts x " +
            std::to_string(plan->rt->chains.size()) + " converter chains x " +
            std::to_string(d.attempts) + " attempts), above this server's quota of " +
            std::to_string(options_.max_work_items) +
            " (--max-work-items): split the dataset or use fewer chains"));
  boost::json::object labels = plan->rt->definition.labels;
  for (const auto& kv : request.labels) labels[kv.key()] = kv.value();
  memory::Execution e;
  e.orchestrator_id = orchestrator_id;
  e.snapshot = boost::json::serialize(boost::json::object{
      {"definition", plan->rt->definition.to_json()},
      {"config_hash", plan->orchestrator.config_hash},
      {"target",
       {{"id", plan->target.id}, {"name", plan->target.name}, {"type", plan->target.type}}},
      {"datasets", plan->datasets},
      {"labels", labels}});
  auto stored = store_.add_execution(scope, e).get();
  if (!stored) return fail(stored.error());
  // The total is known from the snapshot's dataset versions; the items themselves are made
  // by the job after the 202 (Job::expand).
  memory::ExecutionCounts counts;
  counts.total = work_items;
  if (auto c = store_.add_execution_counts(scope, stored->id, counts).get(); !c)
    return fail(c.error());
  auto running = store_.set_execution_status(scope, stored->id, "running").get();
  if (!running) return fail(running.error());
  if (auto ok = launch(scope, *running, false); !ok) {
    log_failure(
        store_.set_execution_status(scope, stored->id, "failed", ok.error().message()).get(),
        "status_failed", stored->id);
    return fail(ok.error());
  }
  return running;
}

Result<void> ExecutionRunner::launch(const memory::Scope& scope, const memory::Execution& e,
                                     bool resumed) {
  // A snapshot missing a member, or holding one of the wrong kind, makes Boost.JSON throw:
  // that execution fails with the reason; the server goes on (resume_unfinished).
  try {
    return launch_snapshot(scope, e, resumed);
  } catch (const std::exception& ex) {
    return fail(ErrorCode::internal,
                std::string("the execution's stored snapshot cannot be read: ") + ex.what());
  }
}

Result<void> ExecutionRunner::launch_snapshot(const memory::Scope& scope,
                                              const memory::Execution& e, bool resumed) {
  auto job = std::make_shared<Job>(*this, scope);
  job->execution = e;
  boost::system::error_code ec;
  auto snap = boost::json::parse(e.snapshot, ec);
  if (ec || !snap.is_object())
    return fail(ErrorCode::internal, "the execution's snapshot is damaged");
  const auto& s = snap.as_object();
  auto o = store_.get_orchestrator(memory::Scope::system(), e.orchestrator_id);
  memory::Orchestrator row;
  if (o) {
    row = *o;
  } else {
    // The orchestrator was deleted since: its snapshot still runs.
    row.id = e.orchestrator_id;
    row.definition = boost::json::serialize(s.at("definition"));
    row.config_hash = std::string(s.at("config_hash").as_string());
  }
  if (row.config_hash != s.at("config_hash").as_string()) {
    row.definition = boost::json::serialize(s.at("definition"));
    row.config_hash = std::string(s.at("config_hash").as_string());
  }
  auto rt = orchestrators_.get(row);
  if (!rt) return fail(rt.error());
  job->rt = *rt;
  const std::string target_id(s.at("target").at("id").as_string());
  job->execution_target = target_id;
  auto target_row = store_.get_target(scope, target_id);
  if (!target_row)
    return fail(Error(ErrorCode::conflict, "the execution's target no longer exists"));
  auto target = make_target(target_spec(*target_row), targets_);
  if (!target) return fail(target.error());
  job->target = std::shared_ptr<Target>(std::move(*target));
  job->labels_json = boost::json::serialize(s.at("labels"));
  job->datasets = s.at("datasets").as_array();
  job->expanding = true;  // before anyone else sees the job
  job->strategy = options_.strategies(job->rt->definition.type);
  if (!job->strategy)
    return fail(
        Error(ErrorCode::internal, "no attack strategy is named " + job->rt->definition.type));
  for (const auto& chain : job->rt->definition.converter_chains)
    job->chain_json.push_back(boost::json::serialize(chain));
  for (const auto& chain : job->rt->chains) job->chain_asks_llm.push_back(chain_needs_llm(chain));
  for (const auto& scorer : job->rt->scorers)
    if (scorer->traits().needs_conversation) job->scores_conversation = true;
  for (const auto& sc : job->rt->definition.scorers) {
    job->scorer_types.emplace_back(sc.as_object().at("type").as_string());
    job->scorer_json.push_back(boost::json::serialize(sc));
  }
  const auto& limits = job->target->limits();
  job->max_in_flight = std::max(1, job->rt->definition.max_in_flight.value_or(4096));
  job->gate = gate_for(target_id, limits);
  job->on_gate_release = job->make_gate_wake();
  // Resumed by this process: what an earlier one held goes back (a SQLite store has one
  // writer, so that holder is dead; a shared store's dead workers lose theirs by lease).
  if (resumed) log_failure(queue_.release(scope, e.id, std::nullopt), "release_failed", e.id);
  {
    std::lock_guard lk(mu_);
    if (jobs_.count(e.id)) return {};
    jobs_[e.id] = job;
  }
  log::info("execution_started", {{"execution_id", e.id},
                                  {"orchestrator_id", e.orchestrator_id},
                                  {"resumed", resumed},
                                  {"max_in_flight", job->max_in_flight}});
  pool_.post([job] { job->expand(); });
  job->pump();
  return {};
}

std::shared_ptr<ExecutionRunner::Job> ExecutionRunner::halt(const std::string& id,
                                                            std::string status,
                                                            std::string reason) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lk(mu_);
    if (auto it = jobs_.find(id); it != jobs_.end()) job = it->second;
  }
  if (!job) return job;
  {
    std::lock_guard lk(job->mu);
    job->stop(std::move(status), std::move(reason));
  }
  job->take_back_retries();
  job->pump();
  return job;
}

Result<memory::Execution> ExecutionRunner::cancel(const memory::Scope& scope,
                                                  const std::string& id) {
  auto e = store_.get_execution(scope, id);
  if (!e) return fail(e.error());
  if (halt(id, "cancelled", "cancelled by the user")) return store_.get_execution(scope, id);
  auto c = store_.set_execution_status(scope, id, "cancelled", "cancelled by the user").get();
  if (!c) return fail(c.error());
  return c;
}

Result<memory::Execution> ExecutionRunner::pause(const memory::Scope& scope,
                                                 const std::string& id) {
  auto e = store_.get_execution(scope, id);
  if (!e) return fail(e.error());
  if (halt(id, "interrupted", "paused by the user")) return store_.get_execution(scope, id);
  if (e->status == "interrupted") return e;
  return fail(
      Error(ErrorCode::conflict, "only a running execution pauses; this one is " + e->status));
}

Result<memory::Execution> ExecutionRunner::resume(const memory::Scope& scope,
                                                  const std::string& id) {
  auto e = store_.get_execution(scope, id);
  if (!e) return fail(e.error());
  if (e->status != "interrupted")
    return fail(Error(ErrorCode::conflict,
                      "only an interrupted execution resumes; this one is " + e->status));
  auto running = store_.set_execution_status(scope, id, "running").get();
  if (!running) return fail(running.error());
  if (auto ok = launch(scope, *running, true); !ok) {
    log_failure(store_.set_execution_status(scope, id, "failed", ok.error().message()).get(),
                "status_failed", id);
    return fail(ok.error());
  }
  return running;
}

void ExecutionRunner::resume_unfinished() {
  memory::ExecutionFilter f;
  f.status = "running";
  PageRequest page{kMaxPageLimit, std::nullopt};
  std::vector<memory::Execution> found;
  for (;;) {
    auto got = store_.list_executions(memory::Scope::system(), f, page);
    if (!got) {
      log::error("resume_failed", {{"error", got.error().message()}});
      return;
    }
    for (auto& e : got->items) found.push_back(std::move(e));
    if (!got->next) break;
    page.after = got->next;
  }
  for (const auto& e : found) {
    auto scope = memory::Scope::user(e.owner);
    if (auto ok = launch(scope, e, true); !ok) {
      log::error("resume_failed", {{"execution_id", e.id}, {"error", ok.error().message()}});
      log_failure(store_.set_execution_status(scope, e.id, "failed", ok.error().message()).get(),
                  "status_failed", e.id);
    }
  }
}

void ExecutionRunner::drain(std::chrono::milliseconds timeout) {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard lk(mu_);
    draining_ = true;
    for (auto& [id, j] : jobs_) jobs.push_back(j);
  }
  for (auto& j : jobs) {
    {
      std::lock_guard lk(j->mu);
      j->stop("interrupted", "the server stopped; POST /executions/{id}/resume continues it");
    }
    j->take_back_retries();
    j->pump();
  }
  std::unique_lock lk(mu_);
  if (!idle_.wait_for(lk, timeout, [&] { return jobs_.empty(); }))
    log::warn("drain_timeout", {{"executions", jobs_.size()}});
}

}  // namespace redcell
