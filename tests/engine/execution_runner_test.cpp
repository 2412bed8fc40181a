// The runner against a real store and the in-process mock target, with a work queue whose
// recording fails on demand: a batch the store refuses is tried again, and an execution
// whose results could not all be stored never ends `succeeded`.
#include "engine/execution_runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "../support/flaky_queue.hpp"
#include "../support/temp_store.hpp"
#include "common/json_input.hpp"
#include "common/secret_box.hpp"
#include "converters/converter.hpp"
#include "engine/definition.hpp"
#include "http/client/client.hpp"
#include "scorers/scorer.hpp"
#include "targets/key_env_policy.hpp"

namespace redcell {
namespace {

using memory::Scope;

using testing_support::FlakyQueue;

class RunnerPersistence : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ =
        store()
            .upsert_user(Scope::system(),
                         memory::User{"", "iss", "alice", "alice", "alice", {"user"}, {}, {}, {}})
            .get()
            ->id;
    memory::Target t;
    t.name = "mock";
    t.type = "mock";
    t.config = R"({"limits":{"max_in_flight":4,"requests_per_minute":0,"tokens_per_minute":0,)"
               R"("timeout_ms":5000,"max_retries":0},"behavior":"comply","seed":1,)"
               R"("latency_ms":0,"comply_probability":1.0})";
    auto target = store().add_target(scope(), t).get();
    ASSERT_TRUE(target) << target.error().message();
    memory::Dataset d;
    d.name = "d";
    std::vector<memory::SeedPrompt> prompts(3);
    for (std::size_t i = 0; i < prompts.size(); ++i)
      prompts[i].value = "prompt " + std::to_string(i);
    auto dataset = store().add_dataset(scope(), d, prompts).get();
    ASSERT_TRUE(dataset);
    boost::json::object body{
        {"name", "o"},
        {"type", "prompt_sending"},
        {"target_id", target->id},
        {"dataset_id", dataset->id},
        {"scorers",
         boost::json::array{{{"type", "substring"}, {"params", {{"substring", "Sure"}}}}}}};
    auto def = parse_definition(body, ConverterRegistry::builtin(), ScorerRegistry::builtin());
    ASSERT_TRUE(def) << def.error().message();
    memory::Orchestrator o;
    o.name = def->name;
    o.type = def->type;
    o.definition = canonical_json(def->to_json());
    auto stored = store().add_orchestrator(scope(), o).get();
    ASSERT_TRUE(stored);
    orchestrator_ = stored->id;

    RunnerOptions options;
    options.worker_id = "test-worker";
    options.persist_retry_base = std::chrono::milliseconds(1);
    runner_ = std::make_unique<ExecutionRunner>(
        store(), queue_, pool_, orchestrators_, deps_,
        [this](std::chrono::milliseconds delay, std::function<void()> fn) {
          client_.after(delay, std::move(fn));
        },
        SystemClock::instance(), options);
  }
  void TearDown() override {
    runner_->drain(std::chrono::seconds(5));
    pool_.stop();
    client_.stop();  // nothing can resume an engine Task once the runner goes
    runner_.reset();
  }

  memory::Store& store() { return *temp_.store; }
  Scope scope() const { return Scope::user(alice_); }

  // Polls until the execution leaves `running` (a bounded wait, not a timing check).
  memory::Execution run_to_end() {
    auto started = runner_->start(scope(), orchestrator_, StartRequest{});
    EXPECT_TRUE(started) << started.error().message();
    for (int i = 0; i < 3000; ++i) {
      auto e = store().get_execution(scope(), started->id);
      if (e && e->status != "running" && e->status != "queued") return *e;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the execution did not end";
    return *started;
  }

  testing_support::TempStore temp_;
  FlakyQueue queue_{*temp_.store};
  WorkPool pool_{2};
  http::HttpClient client_{http::ClientOptions{}};
  SecretBox secrets_ = *SecretBox::from_key_text("a passphrase of at least thirty-two characters");
  KeyEnvPolicy key_env_ = *KeyEnvPolicy::parse("", "--target-key-env");
  TargetDeps deps_{client_, secrets_, key_env_, process_env()};
  OrchestratorPool orchestrators_{16, ConverterRegistry::builtin(), ScorerRegistry::builtin()};
  std::string alice_, orchestrator_;
  std::unique_ptr<ExecutionRunner> runner_;
};

TEST_F(RunnerPersistence, ABatchTheStoreRefusesIsRecordedOnALaterTry) {
  queue_.failures = 2;
  auto e = run_to_end();
  EXPECT_EQ(e.status, "succeeded") << e.error;
  EXPECT_EQ(e.counts.sent, 3);
  EXPECT_EQ(e.counts.scored, 3);  // the counters are written with the results
  EXPECT_GE(queue_.completes.load(), 3);
}

TEST_F(RunnerPersistence, ResultsThatCannotBeStoredFailTheExecutionWithTheReason) {
  queue_.failures = 1'000'000;
  auto e = run_to_end();
  EXPECT_EQ(e.status, "failed");
  EXPECT_NE(e.error.find("recording"), std::string::npos) << e.error;
  EXPECT_NE(e.error.find("the disk is full"), std::string::npos) << e.error;
  EXPECT_EQ(e.counts.sent, 0) << "nothing was recorded, so nothing counts as sent";
}

}  // namespace
}  // namespace redcell
