#include "engine/execution_runner.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <deque>
#include <set>
#include <unordered_map>

#include "common/log.hpp"
#include "common/time.hpp"
#include "converters/chain.hpp"
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

using PromptRef = std::shared_ptr<const QueuedPrompt>;

struct Attempt {
  TimePoint at;
  std::string outcome;
  std::optional<std::chrono::milliseconds> retry_after;
};

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
  int max_in_flight = 1;             // this execution's own cap (the definition's max_in_flight)
  std::shared_ptr<TargetGate> gate;  // the target's limits, shared with other executions
  bool gate_waiting = false;         // registered for the gate's next release

  std::mutex mu;
  std::deque<ClaimedItem> queue;
  bool claiming = false, exhausted = false, stop_new = false, finished = false;
  std::string stop_status, stop_reason;
  int in_flight = 0;
  std::size_t unpersisted = 0;
  bool flushing = false;
  bool unrecorded = false;  // a result was not stored: the execution cannot succeed
  std::uint64_t next_backoff = 0;
  std::set<std::uint64_t> backoffs;  // retries waiting for their back-off
  std::vector<memory::WorkItemResult> pending;
  std::int64_t requests = 0, tokens = 0, items_done = 0, item_errors = 0;
  bool wake_scheduled = false;
  // The send rate, measured between claims: sizes the queue kept ahead (RunnerOptions).
  std::int64_t sends = 0, sends_at_last_claim = 0;
  std::chrono::steady_clock::time_point last_claim_at = std::chrono::steady_clock::now();
  std::size_t claim_ahead, claim_size;  // until the first rate is known: the minimums

  Job(ExecutionRunner& r, memory::Scope s)
      : runner(r),
        scope(std::move(s)),
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
      for (auto& wake : gate->release(0, std::chrono::steady_clock::now())) wake();
    pump();
  }

  // After a cancel or a drain: every retry waiting for its back-off is given up now.
  void take_back_retries() {
    std::size_t n = 0;
    {
      std::lock_guard lk(mu);
      if (!halting()) return;
      n = backoffs.size();
      backoffs.clear();
    }
    if (n) abandon(n);
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
      const auto now = std::chrono::steady_clock::now();
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
      claim = !stop_new && !claiming && !exhausted && queue.size() < claim_ahead;
      if (claim) {
        claiming = true;
        size_claims(now);
      }
      done = (stop_new || (exhausted && queue.empty())) && in_flight == 0 && unpersisted == 0 &&
             !flushing && !claiming;
      if (done) finished = true;
    }
    for (auto& item : to_send) send(std::move(item));
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
    {
      std::lock_guard lk(mu);
      size = claim_size;
    }
    auto got = runner.queue_.claim(scope, execution.id, runner.options_.worker_id, size, lease,
                                   rt->definition.prompts);
    {
      std::lock_guard lk(mu);
      claiming = false;
      if (!got) {
        stop("failed", "claiming work items failed: " + got.error().message());
      } else if (got->empty()) {
        exhausted = true;
      } else {
        for (auto& c : *got) queue.push_back(std::move(c));
      }
    }
    pump();
  }

  void send(ClaimedItem claimed) {
    auto shared = std::make_shared<memory::WorkItem>(std::move(claimed.item));
    PromptRef p = std::move(claimed.prompt);
    if (!p) {
      return record(
          shared, nullptr, "", {},
          std::unexpected(TargetFailure{"the prompt of this work item is no longer stored", false,
                                        std::nullopt, "unknown"}),
          {});
    }
    const auto& chain = rt->chains.at(static_cast<std::size_t>(shared->chain_index));
    auto out =
        run_chain(chain, p->value, "/converter_chains/" + std::to_string(shared->chain_index));
    if (!out)
      return record(shared, p, p->value, {},
                    std::unexpected(TargetFailure{"converter failed: " + out.error().message(),
                                                  false, std::nullopt, "processing"}),
                    {});
    std::string converted = std::move(*out);
    TargetRequest req;
    req.work_item_id = shared->id;
    if (rt->definition.system_prompt)
      req.messages.push_back({"system", *rt->definition.system_prompt});
    for (const auto& t : rt->definition.prepended_conversation)
      req.messages.push_back(
          {std::string(t.at("role").as_string()), std::string(t.at("content").as_string())});
    req.messages.push_back({"user", converted});
    attempt(shared, std::move(p), std::move(converted), std::move(req), 0,
            std::make_shared<std::vector<Attempt>>());
  }

  void attempt(std::shared_ptr<memory::WorkItem> item, PromptRef prompt, std::string converted,
               TargetRequest req, int n, std::shared_ptr<std::vector<Attempt>> attempts) {
    {
      std::lock_guard lk(mu);
      ++requests;
      const auto& b = rt->definition.budget;
      if (b.max_requests && requests >= *b.max_requests)
        stop("incomplete", "budget: max_requests " + std::to_string(*b.max_requests) + " reached");
    }
    auto self = shared_from_this();
    const auto started = std::chrono::steady_clock::now();
    auto copy = req;
    target->send(std::move(copy), [self, item, prompt, converted, req = std::move(req), n, attempts,
                                   started](TargetResult r) mutable {
      const double latency =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      attempts->push_back({self->runner.clock_.now(), r ? "ok" : r.error().message,
                           r ? std::nullopt : r.error().retry_after});
      if (!r && r.error().retryable && n < self->target->limits().max_retries) {
        // A retry waits on a ticket that cancel and drain can take back at once, whatever
        // Retry-After said; an item given up this way is not recorded (it was not answered
        // for good) and goes back to pending when the job finishes.
        std::optional<std::uint64_t> ticket;
        {
          std::lock_guard lk(self->mu);
          if (!self->halting()) {
            ticket = self->next_backoff++;
            self->backoffs.insert(*ticket);
          }
        }
        if (!ticket) return self->abandon(1);
        auto wait = self->runner.retry_.delay(n, r.error().retry_after);
        self->runner.after_(
            wait, [self, ticket = *ticket, item, prompt = std::move(prompt),
                   converted = std::move(converted), req = std::move(req), n, attempts]() mutable {
              {
                std::lock_guard lk(self->mu);
                if (self->backoffs.erase(ticket) == 0) return;  // taken back by a stop
              }
              self->attempt(item, std::move(prompt), std::move(converted), std::move(req), n + 1,
                            attempts);
            });
        return;
      }
      self->record(item, prompt, converted, *attempts, std::move(r), latency);
    });
  }

  void record(std::shared_ptr<memory::WorkItem> item, const PromptRef& prompt,
              const std::string& converted, const std::vector<Attempt>& attempts, TargetResult r,
              std::optional<double> latency) {
    const auto& def = rt->definition;
    memory::WorkItemResult res;
    res.work_item_id = item->id;
    res.execution_id = execution.id;
    res.worker = runner.options_.worker_id;
    res.conversation_id = item->id;
    std::int64_t seq = 0;
    auto base = [&](std::string role) {
      memory::Message m;
      m.conversation_id = res.conversation_id;
      m.sequence = seq++;
      m.role = std::move(role);
      m.target_id = execution_target;
      m.orchestrator_id = execution.orchestrator_id;
      m.execution_id = execution.id;
      m.labels = labels_json;
      return m;
    };
    if (def.system_prompt) {
      auto m = base("system");
      m.original_value = m.converted_value = *def.system_prompt;
      res.messages.push_back(std::move(m));
    }
    for (const auto& t : def.prepended_conversation) {
      auto m = base(std::string(t.at("role").as_string()));
      m.original_value = m.converted_value = std::string(t.at("content").as_string());
      res.messages.push_back(std::move(m));
    }
    auto user = base("user");
    user.original_value = prompt ? prompt->value : std::string();
    user.converted_value = converted;
    user.converters = chain_json.at(static_cast<std::size_t>(item->chain_index));
    boost::json::object meta{{"work_item_id", item->id},
                             {"prompt_id", item->prompt_id},
                             {"chain_index", item->chain_index},
                             {"attempt", item->attempt}};
    if (prompt) meta["harm_categories"] = boost::json::parse(prompt->harm_categories);
    user.metadata = boost::json::serialize(meta);
    res.messages.push_back(std::move(user));

    auto reply = base("assistant");
    boost::json::array tries;
    for (const auto& a : attempts) {
      boost::json::object t{{"at", format_time(a.at)}, {"outcome", a.outcome}};
      if (a.retry_after) t["retry_after_ms"] = a.retry_after->count();
      tries.push_back(std::move(t));
    }
    reply.metadata = boost::json::serialize(boost::json::object{{"attempts", std::move(tries)}});
    reply.latency_ms = latency;
    memory::ExecutionCounts delta;
    std::int64_t used_tokens = 0;
    if (!r) {
      // The final failure is stored with its reason; nothing is invented in its place.
      reply.response_error = r.error().response_error;
      reply.error_message = r.error().message;
      res.status = "failed";
      res.error = r.error().message;
      delta.sent = attempts.empty() ? 0 : 1;
      delta.errors = 1;
      res.messages.push_back(std::move(reply));
    } else {
      reply.original_value = reply.converted_value = r->text;
      reply.response_error = r->response_error;
      reply.error_message = r->error_message;
      reply.prompt_tokens = r->prompt_tokens;
      reply.completion_tokens = r->completion_tokens;
      used_tokens = r->prompt_tokens.value_or(0) + r->completion_tokens.value_or(0);
      delta.sent = 1;
      res.messages.push_back(std::move(reply));
      const std::size_t at = res.messages.size() - 1;
      bool scoring_failed = false;
      for (std::size_t i = 0; i < rt->scorers.size(); ++i) {
        auto s = rt->scorers[i]->score(r->text);
        if (!s) {
          scoring_failed = true;
          continue;
        }
        memory::Score score;
        score.scorer_type = scorer_types[i];
        score.scorer_identity = scorer_json[i];
        score.score_type = s->score_type;
        score.value = s->value;
        score.category = s->category;
        score.rationale = s->rationale;
        const bool objective =
            def.objective_scorer && static_cast<std::size_t>(*def.objective_scorer) == i;
        score.metadata = objective ? R"({"objective":true})" : R"({"objective":false})";
        if (objective) {
          delta.scored = 1;
          delta.achieved = s->value == "true" ? 1 : 0;
          res.achieved = s->value == "true";
        }
        res.scores.push_back({at, std::move(score)});
      }
      if (scoring_failed && def.objective_scorer && delta.scored == 0) {
        res.status = "failed";
        res.error = "the objective scorer failed";
        delta.errors = 1;
      }
    }
    res.counts = delta;
    {
      std::lock_guard lk(mu);
      --in_flight;
      ++unpersisted;
      ++items_done;
      item_errors += delta.errors;
      tokens += used_tokens;
      pending.push_back(std::move(res));
      const auto& b = def.budget;
      if (b.max_tokens && tokens >= *b.max_tokens)
        stop("incomplete", "budget: max_tokens " + std::to_string(*b.max_tokens) + " reached");
      if (b.max_error_share && items_done >= 10 &&
          static_cast<double>(item_errors) / static_cast<double>(items_done) > *b.max_error_share)
        stop("incomplete", "budget: error share above " + std::to_string(*b.max_error_share));
    }
    // The slot goes back to the target; executions waiting for one try again.
    for (auto& wake : gate->release(used_tokens, std::chrono::steady_clock::now())) wake();
    flush();
    pump();
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
      (void)runner.queue_.release(scope, execution.id, runner.options_.worker_id);
    auto done = runner.store_.set_execution_status(scope, execution.id, status, reason).get();
    if (!done)
      log::error(
          "execution_finish_failed",
          {{"execution_id", execution.id}, {"status", status}, {"error", done.error().message()}});
    log::info("execution_finished", {{"execution_id", execution.id},
                                     {"status", status},
                                     {"reason", reason},
                                     {"items", items_done},
                                     {"requests", requests}});
    std::lock_guard lk(runner.mu_);
    runner.jobs_.erase(execution.id);
    runner.idle_.notify_all();
  }

  std::string execution_target;
};

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
      options_(std::move(options)) {}

ExecutionRunner::~ExecutionRunner() = default;

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
                                auto out = run_chain(chain, p.value, "");
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
  std::vector<memory::WorkItem> items;
  std::int64_t total = 0;
  const auto& def = plan->rt->definition;
  auto flush_items = [&]() -> Result<void> {
    if (items.empty()) return {};
    auto added = queue_.enqueue(scope, std::move(items));
    items.clear();
    if (!added) return fail(added.error());
    return {};
  };
  // Work items are made a page of prompts at a time; a failure leaves the execution failed
  // with the reason, never half made and running.
  auto made = for_each_prompt(store_, scope, plan->datasets, def.prompts,
                              [&](const std::string& pid, const QueuedPrompt&) -> Result<void> {
                                for (std::size_t c = 0; c < plan->rt->chains.size(); ++c)
                                  for (int a = 0; a < def.attempts; ++a) {
                                    memory::WorkItem w;
                                    w.id = work_item_id(stored->id, pid, c, a);
                                    w.execution_id = stored->id;
                                    w.prompt_id = pid;
                                    w.chain_index = static_cast<int>(c);
                                    w.attempt = a;
                                    items.push_back(std::move(w));
                                    ++total;
                                    if (items.size() >= 5000)
                                      if (auto ok = flush_items(); !ok) return ok;
                                  }
                                return {};
                              });
  if (made) made = flush_items();
  if (!made) {
    (void)store_
        .set_execution_status(scope, stored->id, "failed",
                              "making its work items failed: " + made.error().message())
        .get();
    return fail(made.error());
  }
  memory::ExecutionCounts counts;
  counts.total = total;
  if (auto c = store_.add_execution_counts(scope, stored->id, counts).get(); !c)
    return fail(c.error());
  auto running = store_.set_execution_status(scope, stored->id, "running").get();
  if (!running) return fail(running.error());
  if (auto ok = launch(scope, *running, false); !ok) {
    (void)store_.set_execution_status(scope, stored->id, "failed", ok.error().message()).get();
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
  for (const auto& chain : job->rt->definition.converter_chains)
    job->chain_json.push_back(boost::json::serialize(chain));
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
  if (resumed) (void)queue_.release(scope, e.id, std::nullopt);
  {
    std::lock_guard lk(mu_);
    if (jobs_.count(e.id)) return {};
    jobs_[e.id] = job;
  }
  log::info("execution_started", {{"execution_id", e.id},
                                  {"orchestrator_id", e.orchestrator_id},
                                  {"resumed", resumed},
                                  {"max_in_flight", job->max_in_flight}});
  job->pump();
  return {};
}

Result<memory::Execution> ExecutionRunner::cancel(const memory::Scope& scope,
                                                  const std::string& id) {
  auto e = store_.get_execution(scope, id);
  if (!e) return fail(e.error());
  std::shared_ptr<Job> job;
  {
    std::lock_guard lk(mu_);
    if (auto it = jobs_.find(id); it != jobs_.end()) job = it->second;
  }
  if (job) {
    {
      std::lock_guard lk(job->mu);
      job->stop("cancelled", "cancelled by the user");
    }
    job->take_back_retries();
    job->pump();
    return store_.get_execution(scope, id);
  }
  auto c = store_.set_execution_status(scope, id, "cancelled", "cancelled by the user").get();
  if (!c) return fail(c.error());
  return c;
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
    (void)store_.set_execution_status(scope, id, "failed", ok.error().message()).get();
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
      (void)store_.set_execution_status(scope, e.id, "failed", ok.error().message()).get();
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
