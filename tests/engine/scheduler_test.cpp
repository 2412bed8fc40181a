// The scheduler (ExecutionRunner) against a fake target the test answers by hand and a
// manual clock: time moves only when the test advances it, so limits, back-off, budgets,
// cancel, resume and failed persistence are checked without a single sleep. Waits below are
// for another thread to get somewhere, bounded so a broken scheduler fails instead of hanging.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>

#include "../support/flaky_queue.hpp"
#include "../support/temp_store.hpp"
#include "common/id.hpp"
#include "common/json_input.hpp"
#include "common/secret_box.hpp"
#include "converters/converter.hpp"
#include "engine/attack.hpp"
#include "engine/definition.hpp"
#include "engine/execution_runner.hpp"
#include "http/client/client.hpp"
#include "scorers/scorer.hpp"
#include "targets/key_env_policy.hpp"
#include "targets/target_type.hpp"

namespace redcell {
namespace {

using namespace std::chrono_literals;
using memory::Scope;

constexpr auto kBound = 10s;  // how long a step may take before the test calls it stuck

// Every send the fake target received; each waits until the test answers it.
struct FakeLlm {
  struct Call {
    TargetRequest request;
    std::function<void(TargetResult)> done;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Call> waiting;
  int sends = 0, in_flight = 0, most_in_flight = 0;

  void send(TargetRequest request, std::function<void(TargetResult)> done) {
    std::lock_guard lk(mu);
    waiting.push_back({std::move(request), std::move(done)});
    ++sends;
    most_in_flight = std::max(most_in_flight, ++in_flight);
    cv.notify_all();
  }
  // The oldest unanswered send, once there is one.
  Call next() {
    std::unique_lock lk(mu);
    if (!cv.wait_for(lk, kBound, [&] { return !waiting.empty(); }))
      throw std::runtime_error("no send arrived");
    auto c = std::move(waiting.front());
    waiting.pop_front();
    --in_flight;
    return c;
  }
  // The oldest unanswered send whose last message holds `text`, once there is one.
  Call take(const std::string& text) {
    std::unique_lock lk(mu);
    auto holds = [&] {
      return std::find_if(waiting.begin(), waiting.end(), [&](const Call& c) {
        return c.request.messages.back().content.find(text) != std::string::npos;
      });
    };
    if (!cv.wait_for(lk, kBound, [&] { return holds() != waiting.end(); }))
      throw std::runtime_error("no send holding " + text + " arrived");
    auto it = holds();
    auto c = std::move(*it);
    waiting.erase(it);
    --in_flight;
    return c;
  }
  // Waits until `n` sends are waiting for an answer.
  bool await_waiting(std::size_t n) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, kBound, [&] { return waiting.size() >= n; });
  }
  int sent() {
    std::lock_guard lk(mu);
    return sends;
  }
  std::size_t unanswered() {
    std::lock_guard lk(mu);
    return waiting.size();
  }
  void answer(Call c, std::string text = "Sure, here it is", std::int64_t tokens = 10) {
    c.done(TargetReply{std::move(text), "none", "", tokens, 0});
  }
  void refuse_for_now(Call c, std::chrono::milliseconds retry_after) {
    c.done(std::unexpected(TargetFailure{"HTTP 429: slow down", true, retry_after, "unknown"}));
  }
};

class FakeTarget final : public Target {
 public:
  FakeTarget(std::shared_ptr<FakeLlm> llm, TargetLimits limits) : llm_(std::move(llm)) {
    limits_ = limits;
  }
  void send(TargetRequest request, std::function<void(TargetResult)> done) override {
    llm_->send(std::move(request), std::move(done));
  }

 private:
  std::shared_ptr<FakeLlm> llm_;
};

// The runner's timers on the manual clock: due callbacks run when the test advances it.
class ManualTimers {
 public:
  explicit ManualTimers(ManualClock& clock) : clock_(clock) {}
  void after(std::chrono::milliseconds d, std::function<void()> fn) {
    std::lock_guard lk(mu_);
    due_.emplace(clock_.steady_now() + d, std::move(fn));
    cv_.notify_all();
  }
  void advance(std::chrono::milliseconds d) {
    clock_.advance(d);
    std::vector<std::function<void()>> run;
    {
      std::lock_guard lk(mu_);
      const auto now = clock_.steady_now();
      while (!due_.empty() && due_.begin()->first <= now) {
        run.push_back(std::move(due_.begin()->second));
        due_.erase(due_.begin());
      }
    }
    for (auto& fn : run) fn();
  }
  void clear() {
    std::lock_guard lk(mu_);
    due_.clear();
  }
  // Waits until a timer is set to fire at least `d` from now (the scheduler is backing off).
  bool await_timer_beyond(std::chrono::milliseconds d) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, kBound, [&] {
      return !due_.empty() && std::prev(due_.end())->first >= clock_.steady_now() + d;
    });
  }

 private:
  ManualClock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> due_;
};

using testing_support::FlakyQueue;

// A strategy that writes a two-turn conversation itself (no target), then branches it after
// the first turn, twice under one name: what Crescendo's backtracking and TAP's branches do.
class Branching final : public AttackStrategy {
 public:
  Task<std::optional<memory::WorkItemResult>> run(AttackContext& ctx) const override {
    memory::WorkItemResult turns;
    for (int i = 0; i < 4; ++i) {
      auto m = ctx.message(i % 2 == 0 ? "user" : "assistant");
      m.sequence = i;
      m.original_value = m.converted_value = "turn " + std::to_string(i / 2) + " " + m.role;
      turns.messages.push_back(std::move(m));
    }
    auto written = co_await ctx.checkpoint(std::move(turns));
    memory::WorkItemResult out;
    out.work_item_id = ctx.item().id;
    out.conversation_id = ctx.conversation_id();
    std::string from = ctx.conversation_id(), name = "branch-1";
    auto first = co_await ctx.branch(from, 1, name);
    std::string from_again = ctx.conversation_id(), name_again = "branch-1";
    auto again = co_await ctx.branch(from_again, 3, name_again);
    if (!written || !first || !again || *first != *again) {
      out.status = "failed";
      out.error = "branching failed";
      out.counts.errors = 1;
    }
    co_return out;
  }
};

// One branch of Fanning: a send to the objective target; false when it was cancelled.
Task<bool> send_branch(AttackContext& ctx, int branch) {
  TargetRequest req;
  req.work_item_id = ctx.item().id;
  req.messages.push_back({"user", ctx.prompt()->value + ", branch " + std::to_string(branch)});
  auto sent = co_await ctx.send(std::move(req));
  co_return sent.has_value();
}

// A strategy whose item runs `branches` branches through run_branches, each one send: what
// a tree level does.
class Fanning final : public AttackStrategy {
 public:
  int branches = 5;
  bool first_prompt_alone = false;  // "prompt 0" has one branch
  Task<std::optional<memory::WorkItemResult>> run(AttackContext& ctx) const override {
    const int n = first_prompt_alone && ctx.prompt()->value == "prompt 0" ? 1 : branches;
    std::vector<AttackContext::Branch> work;
    for (int i = 0; i < n; ++i) work.emplace_back([&ctx, i] { return send_branch(ctx, i); });
    if (!co_await ctx.run_branches(std::move(work))) co_return std::nullopt;
    memory::WorkItemResult out;
    out.work_item_id = ctx.item().id;
    out.conversation_id = ctx.conversation_id();
    co_return out;
  }
};

class Scheduler : public ::testing::Test {
 protected:
  void SetUp() override {
    types_ = TargetTypes::builtin();
    types_.add(TargetType{"fake",
                          "answered by the test",
                          {},
                          {},
                          [llm = llm_](const boost::json::object& config, std::string,
                                       const TargetDeps&) -> Result<std::unique_ptr<Target>> {
                            TargetLimits limits;
                            const auto& l = config.at("limits").as_object();
                            limits.max_in_flight =
                                static_cast<int>(l.at("max_in_flight").as_int64());
                            limits.requests_per_minute = l.at("requests_per_minute").as_int64();
                            limits.max_retries = static_cast<int>(l.at("max_retries").as_int64());
                            return std::make_unique<FakeTarget>(llm, limits);
                          }});
    deps_.types = &types_;
    alice_ =
        store()
            .upsert_user(Scope::system(),
                         memory::User{"", "iss", "alice", "alice", "alice", {"user"}, {}, {}, {}})
            .get()
            ->id;
  }
  void TearDown() override {
    if (runner_) runner_->drain(5s);
    pool_.stop();
    client_.stop();
    timers_.clear();
    runner_.reset();
  }

  memory::Store& store() { return *temp_.store; }
  Scope scope() const { return Scope::user(alice_); }

  // A fake target with these limits, `prompts` inline prompts and `extra` definition members.
  std::string orchestrator(int max_in_flight, int rpm, int max_retries, int prompts,
                           boost::json::object extra = {}) {
    memory::Target t;
    t.name = "fake " + std::to_string(++targets_made_);
    t.type = "fake";
    t.config = boost::json::serialize(boost::json::object{{"limits",
                                                           {{"max_in_flight", max_in_flight},
                                                            {"requests_per_minute", rpm},
                                                            {"max_retries", max_retries}}}});
    auto target = store().add_target(scope(), t).get();
    EXPECT_TRUE(target) << target.error().message();
    boost::json::array inline_prompts;
    for (int i = 0; i < prompts; ++i) inline_prompts.emplace_back("prompt " + std::to_string(i));
    boost::json::object body{
        {"name", "o"},
        {"type", "prompt_sending"},
        {"target_id", target->id},
        {"prompts", inline_prompts},
        {"scorers",
         boost::json::array{{{"type", "substring"}, {"params", {{"substring", "Sure"}}}}}}};
    for (const auto& kv : extra) body[kv.key()] = kv.value();
    auto def = parse_definition(body, ConverterRegistry::builtin(), ScorerRegistry::builtin());
    if (!def) {
      ADD_FAILURE() << "the definition: " << def.error().message();
      return "";
    }
    memory::Orchestrator o;
    o.name = def->name;
    o.type = def->type;
    o.definition = canonical_json(def->to_json());
    auto stored = store().add_orchestrator(scope(), o).get();
    EXPECT_TRUE(stored);
    return stored->id;
  }

  ExecutionRunner& runner() {
    if (!runner_) {
      RunnerOptions options;
      options.worker_id = "test-worker";
      options.persist_retry_base = 100ms;
      options.persist_retries = 2;
      options.strategies = [this](std::string_view type) -> const AttackStrategy* {
        if (fanning_) return &fanning_strategy_;
        return branching_ ? &branching_strategy_ : find_strategy(type);
      };
      runner_ = std::make_unique<ExecutionRunner>(
          store(), queue_, pool_, orchestrators_, deps_,
          [this](std::chrono::milliseconds d, std::function<void()> fn) {
            timers_.after(d, std::move(fn));
          },
          clock_, options);
    }
    return *runner_;
  }

  // As a restarted server: the old runner's timers go with it.
  void restart_runner() {
    timers_.clear();
    runner_.reset();
  }

  std::string start(const std::string& orchestrator_id) {
    auto e = runner().start(scope(), orchestrator_id, StartRequest{});
    EXPECT_TRUE(e) << e.error().message();
    return e->id;
  }
  memory::Execution ended(const std::string& id) {
    EXPECT_TRUE(runner().wait(id, kBound)) << "the execution did not end";
    return *store().get_execution(scope(), id);
  }

  testing_support::TempStore temp_;
  FlakyQueue queue_{*temp_.store};
  WorkPool pool_{2};
  http::HttpClient client_{http::ClientOptions{}};
  SecretBox secrets_ = *SecretBox::from_key_text("a passphrase of at least thirty-two characters");
  KeyEnvPolicy key_env_ = *KeyEnvPolicy::parse("", "--target-key-env");
  TargetDeps deps_{client_, secrets_, key_env_, process_env()};
  TargetTypes types_;
  OrchestratorPool orchestrators_{16, ConverterRegistry::builtin(), ScorerRegistry::builtin()};
  // Starts at the real time: the store compares leases with its own clock.
  ManualClock clock_{std::chrono::system_clock::now()};
  ManualTimers timers_{clock_};
  std::shared_ptr<FakeLlm> llm_ = std::make_shared<FakeLlm>();
  std::string alice_;
  int targets_made_ = 0;
  bool branching_ = false;
  Branching branching_strategy_;
  bool fanning_ = false;
  Fanning fanning_strategy_;
  std::unique_ptr<ExecutionRunner> runner_;
};

TEST_F(Scheduler, NeverSendsMoreAtOnceThanTheTargetAllows) {
  auto id = start(orchestrator(/*max_in_flight=*/2, 0, 0, /*prompts=*/6));
  ASSERT_TRUE(llm_->await_waiting(2));
  EXPECT_EQ(llm_->sent(), 2) << "the third waits for a slot";
  for (int answered = 0; answered < 6; ++answered) llm_->answer(llm_->next());
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(e.counts.sent, 6);
  EXPECT_EQ(llm_->most_in_flight, 2);
}

TEST_F(Scheduler, RequestsPerMinuteSpaceTheSendsOnTheClock) {
  // 60 a minute: one a second, whatever the target's speed.
  auto id = start(orchestrator(8, /*rpm=*/60, 0, /*prompts=*/3));
  llm_->answer(llm_->next());
  ASSERT_TRUE(timers_.await_timer_beyond(900ms)) << "the scheduler should wait for the gate";
  EXPECT_EQ(llm_->sent(), 1) << "nothing more is sent before the clock moves";
  timers_.advance(500ms);
  EXPECT_EQ(llm_->sent(), 1) << "half the spacing is not enough";
  timers_.advance(600ms);
  llm_->answer(llm_->next());
  ASSERT_TRUE(timers_.await_timer_beyond(900ms));
  timers_.advance(1100ms);
  llm_->answer(llm_->next());
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(llm_->sent(), 3);
}

TEST_F(Scheduler, ARetryWaitsOutRetryAfterOnTheClock) {
  auto id = start(orchestrator(4, 0, /*max_retries=*/2, /*prompts=*/1));
  llm_->refuse_for_now(llm_->next(), 30s);
  ASSERT_TRUE(timers_.await_timer_beyond(29s));
  timers_.advance(29s);
  EXPECT_EQ(llm_->unanswered(), 0u) << "resent before Retry-After passed";
  timers_.advance(1s);
  llm_->answer(llm_->next());
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(llm_->sent(), 2);
  EXPECT_EQ(e.counts.sent, 1);
  EXPECT_EQ(e.counts.errors, 0);
}

TEST_F(Scheduler, RetriesSpentRecordTheLastFailure) {
  auto id = start(orchestrator(4, 0, /*max_retries=*/1, /*prompts=*/1));
  llm_->refuse_for_now(llm_->next(), 5s);
  ASSERT_TRUE(timers_.await_timer_beyond(5s));
  timers_.advance(5s);
  llm_->refuse_for_now(llm_->next(), 5s);
  auto e = ended(id);
  EXPECT_EQ(llm_->sent(), 2) << "one try and one retry";
  EXPECT_EQ(e.counts.errors, 1);
  EXPECT_EQ(e.status, "succeeded") << "every item has its result, an error included";
}

TEST_F(Scheduler, ARequestBudgetStopsTheRunIncomplete) {
  auto id = start(orchestrator(1, 0, 0, /*prompts=*/5, {{"budget", {{"max_requests", 2}}}}));
  llm_->answer(llm_->next());
  llm_->answer(llm_->next());
  auto e = ended(id);
  EXPECT_EQ(e.status, "incomplete");
  EXPECT_NE(e.error.find("max_requests 2"), std::string::npos) << e.error;
  EXPECT_EQ(llm_->sent(), 2);
  EXPECT_EQ(e.counts.sent, 2);
}

TEST_F(Scheduler, ATokenBudgetCountsTheTargetsReplies) {
  auto id = start(orchestrator(1, 0, 0, /*prompts=*/5, {{"budget", {{"max_tokens", 25}}}}));
  for (int i = 0; i < 3; ++i) llm_->answer(llm_->next(), "Sure", /*tokens=*/10);
  auto e = ended(id);
  EXPECT_EQ(e.status, "incomplete");
  EXPECT_NE(e.error.find("max_tokens 25"), std::string::npos) << e.error;
  EXPECT_EQ(llm_->sent(), 3);
}

TEST_F(Scheduler, CancelEndsABackOffAtOnceWhateverRetryAfterSaid) {
  auto id = start(orchestrator(4, 0, /*max_retries=*/3, /*prompts=*/1));
  llm_->refuse_for_now(llm_->next(), 3600s);
  ASSERT_TRUE(timers_.await_timer_beyond(3599s));
  ASSERT_TRUE(runner().cancel(scope(), id));
  auto e = ended(id);  // the clock never moved
  EXPECT_EQ(e.status, "cancelled");
  EXPECT_EQ(llm_->sent(), 1);
  EXPECT_EQ(e.counts.sent, 0) << "an item given back is not recorded";
}

TEST_F(Scheduler, AResumedRunSendsOnlyWhatWasNotRecorded) {
  // One a second: the third send waits on the clock when the server stops.
  auto id = start(orchestrator(1, /*rpm=*/60, 0, /*prompts=*/4));
  llm_->answer(llm_->next());
  ASSERT_TRUE(timers_.await_timer_beyond(900ms));
  timers_.advance(1100ms);
  llm_->answer(llm_->next());
  ASSERT_TRUE(timers_.await_timer_beyond(900ms));
  runner().drain(kBound);
  auto interrupted = *store().get_execution(scope(), id);
  EXPECT_EQ(interrupted.status, "interrupted");
  EXPECT_EQ(interrupted.counts.sent, 2);
  restart_runner();

  ASSERT_TRUE(runner().resume(scope(), id));
  llm_->answer(llm_->next());
  ASSERT_TRUE(timers_.await_timer_beyond(900ms));
  timers_.advance(1100ms);
  llm_->answer(llm_->next());
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(e.counts.sent, 4);
  EXPECT_EQ(llm_->sent(), 4) << "no recorded item was sent again";
}

TEST_F(Scheduler, AFailedBatchIsRetriedOnTheClockThenFailsTheRun) {
  queue_.failures = 1;
  auto id = start(orchestrator(1, 0, 0, /*prompts=*/1));
  llm_->answer(llm_->next());
  ASSERT_TRUE(timers_.await_timer_beyond(100ms)) << "a refused batch is tried again later";
  timers_.advance(100ms);
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(e.counts.sent, 1);

  queue_.failures = 1'000;
  auto id2 = start(orchestrator(1, 0, 0, /*prompts=*/1));
  llm_->answer(llm_->next());
  ASSERT_TRUE(timers_.await_timer_beyond(100ms));
  timers_.advance(100ms);
  ASSERT_TRUE(timers_.await_timer_beyond(200ms)) << "the back-off doubles";
  timers_.advance(200ms);
  auto failed = ended(id2);
  EXPECT_EQ(failed.status, "failed");
  EXPECT_NE(failed.error.find("after 3 tries"), std::string::npos) << failed.error;
}

}  // namespace
}  // namespace redcell

namespace redcell {
namespace {

TEST_F(Scheduler, AnItemsBranchesGoSideBySideAsFarAsTheTargetAllows) {
  fanning_ = true;  // one item of five branches, each one send
  auto id = start(orchestrator(/*max_in_flight=*/3, 0, 0, /*prompts=*/1));
  ASSERT_TRUE(llm_->await_waiting(3));
  EXPECT_EQ(llm_->sent(), 3) << "its own slot and two extra ones; the other two wait";
  llm_->answer(llm_->next());
  ASSERT_TRUE(llm_->await_waiting(3)) << "the lane whose branch ended takes the next";
  for (int i = 0; i < 4; ++i) llm_->answer(llm_->next());
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(llm_->sent(), 5);
  EXPECT_EQ(llm_->most_in_flight, 3) << "never more than the target allows";
}

TEST_F(Scheduler, AnItemHoldingASlotNeverWaitsForAnother) {
  fanning_ = true;
  fanning_strategy_.branches = 3;
  // Two items take both slots: each runs its branches one after another on its own slot,
  // and neither waits for the other's (which would deadlock).
  auto id = start(orchestrator(/*max_in_flight=*/2, 0, 0, /*prompts=*/2));
  ASSERT_TRUE(llm_->await_waiting(2));
  for (int i = 0; i < 6; ++i) {
    EXPECT_LE(llm_->unanswered(), 2u);
    llm_->answer(llm_->next());  // waits for the next send: none may be stuck
  }
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(llm_->sent(), 6);
  EXPECT_EQ(llm_->most_in_flight, 2);
}

TEST_F(Scheduler, ASlotFreedDuringALevelIsTakenByItsNextBranch) {
  fanning_ = true;
  fanning_strategy_.branches = 4;
  fanning_strategy_.first_prompt_alone = true;
  // Two items on both slots: prompt 0's one branch and prompt 1's first of four.
  auto id = start(orchestrator(/*max_in_flight=*/2, 0, 0, /*prompts=*/2));
  ASSERT_TRUE(llm_->await_waiting(2));
  llm_->answer(llm_->take("prompt 0, branch 0"));  // its item ends: a slot is free
  // Its slot is given back before its result is stored: wait for that.
  const auto deadline = std::chrono::steady_clock::now() + kBound;
  auto done_items = [&] {
    auto items = store().list_work_items(scope(), id, {}, PageRequest{10, std::nullopt});
    return items ? std::count_if(items->items.begin(), items->items.end(),
                                 [](const memory::WorkItem& w) { return w.status == "done"; })
                 : 0;
  };
  while (done_items() < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(done_items(), 1);
  llm_->answer(llm_->take("prompt 1, branch 0"));
  ASSERT_TRUE(llm_->await_waiting(2)) << "taking branch 1, the lane opened one for branch 2";
  for (int i = 0; i < 2; ++i) llm_->answer(llm_->next());
  llm_->answer(llm_->take("prompt 1, branch 3"));
  auto e = ended(id);
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(llm_->sent(), 5);
  EXPECT_EQ(llm_->most_in_flight, 2);
}

TEST_F(Scheduler, ACancelStartsNoOtherBranchAndGivesTheItemBack) {
  fanning_ = true;
  auto id = start(orchestrator(/*max_in_flight=*/2, 0, /*max_retries=*/3, /*prompts=*/1));
  ASSERT_TRUE(llm_->await_waiting(2));
  // Both branches back off; the cancel ends their waits, and no third branch starts.
  llm_->refuse_for_now(llm_->next(), 60s);
  llm_->refuse_for_now(llm_->next(), 60s);
  ASSERT_TRUE(timers_.await_timer_beyond(30s));
  ASSERT_TRUE(runner().cancel(scope(), id));
  auto e = ended(id);
  EXPECT_EQ(e.status, "cancelled");
  EXPECT_EQ(llm_->sent(), 2) << "no branch started after the cancel";
  EXPECT_EQ(e.counts.sent, 0) << "the item was given back, not recorded";
}

TEST_F(Scheduler, AConversationIsCopiedUpToATurnUnderADerivedId) {
  branching_ = true;
  auto id = start(orchestrator(1, 0, 0, /*prompts=*/1));
  auto e = ended(id);
  ASSERT_EQ(e.status, "succeeded") << e.error;
  auto items = store().list_work_items(scope(), id, {}, PageRequest{10, std::nullopt});
  ASSERT_TRUE(items && items->items.size() == 1);
  const auto& item = items->items[0];
  EXPECT_EQ(item.status, "done") << item.error;
  // The item's conversation id is a UUIDv7 made with the item; the others derive from it.
  EXPECT_TRUE(is_uuid_v7(item.conversation_id)) << item.conversation_id;
  auto read = [&](const std::string& conversation) {
    memory::MessageFilter f;
    f.conversation_id = conversation;
    return store().list_messages(scope(), f, PageRequest{100, std::nullopt})->items;
  };
  auto original = read(item.conversation_id);
  auto branch = read(derived_id(item.conversation_id, item.conversation_id + "/branch-1"));
  ASSERT_EQ(original.size(), 4u);
  ASSERT_EQ(branch.size(), 2u) << "up to sequence 1, and once: the second call found it";
  for (std::size_t i = 0; i < branch.size(); ++i) {
    EXPECT_EQ(branch[i].sequence, original[i].sequence);
    EXPECT_EQ(branch[i].converted_value, original[i].converted_value);
    EXPECT_NE(branch[i].id, original[i].id);
    auto meta = boost::json::parse(branch[i].metadata).as_object();
    EXPECT_EQ(meta.at("copied_from"), boost::json::value(original[i].id));
  }
}

}  // namespace
}  // namespace redcell
