// The whole Store at once: no user reaches another's rows through any repository, and
// concurrent writers and readers lose nothing.
#include <atomic>
#include <boost/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "contract.hpp"

namespace redcell::memory::contract {
namespace {

using StoreContract = ContractTest;

TEST_P(StoreContract, IsolationCanaryNeverReachesAnotherUser) {
  const std::string canary = "CANARY-7f3e9a";
  Message m = msg(canary + "-conv", 0, canary + " prompt");
  m.converted_value = canary + " converted";
  m.converters = R"([{"type":")" + canary + R"("}])";
  m.target_id = canary + "-target";
  m.orchestrator_id = canary + "-orch";
  m.execution_id = canary + "-exec";
  m.labels = R"({"k":")" + canary + R"("})";
  m.metadata = R"({"k":")" + canary + R"("})";
  m.response_error = "unknown";
  m.error_message = canary + " error";
  auto written = add(alice_, {m})[0];
  Score s;
  s.message_id = written.id;
  s.scorer_type = canary + "-scorer";
  s.scorer_identity = R"({"k":")" + canary + R"("})";
  s.score_type = "true_false";
  s.value = "true";
  s.category = canary;
  s.rationale = canary;
  s.metadata = R"({"k":")" + canary + R"("})";
  auto score = store_->add_score(Scope::user(alice_), s).get();
  ASSERT_TRUE(score);
  ASSERT_TRUE(store_->override_score(Scope::user(alice_), score->id, "false", canary).get());
  AuditEvent e;
  e.action = canary;
  e.object_type = canary;
  e.object_id = canary;
  e.details = R"({"k":")" + canary + R"("})";
  auto event = store_->add_audit(Scope::user(alice_), e).get();
  ASSERT_TRUE(event);

  const auto b = Scope::user(bob_);
  std::string seen;
  MessageFilter by_conv;
  by_conv.conversation_id = m.conversation_id;
  MessageFilter by_exec;
  by_exec.execution_id = m.execution_id;
  for (const auto& f : {MessageFilter{}, by_conv, by_exec})
    for (auto& x : items(store_->list_messages(b, f, {}))) seen += everything(x);
  ScoreFilter sf;
  sf.message_id = written.id;
  for (const auto& f : {ScoreFilter{}, sf})
    for (auto& x : items(store_->list_scores(b, f, {}))) seen += everything(x);
  AuditFilter af;
  af.object_id = canary;
  for (const auto& f : {AuditFilter{}, af})
    for (auto& x : items(store_->list_audit(b, f, {}))) seen += everything(x);
  for (auto& x : items(store_->list_users(b, {}))) seen += everything(x);
  EXPECT_EQ(seen.find(canary), std::string::npos);

  auto missing_message = store_->get_message(b, written.id);
  auto random_message = store_->get_message(b, "01900000-0000-7000-8000-000000000000");
  ASSERT_FALSE(missing_message);
  ASSERT_FALSE(random_message);
  EXPECT_EQ(boost::json::serialize(missing_message.error().to_json()),
            boost::json::serialize(random_message.error().to_json()));
  EXPECT_EQ(store_->get_score(b, score->id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->get_user(b, alice_).error().code(), ErrorCode::not_found);
  // Alice still sees all of it.
  EXPECT_TRUE(store_->get_message(Scope::user(alice_), written.id));
}

TEST_P(StoreContract, SixtyFourThreadsMixingWritesAndReadsLoseNothing) {
  constexpr int kThreads = 64;
  constexpr int kOpsPerThread = 800;  // 51,200 operations
  std::atomic<int> errors{0};
  std::vector<std::vector<std::string>> acked(kThreads);
  std::vector<std::thread> threads;
  const std::string users[2] = {alice_, bob_};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      const auto& user = users[t % 2];
      const std::string conv = "load-" + std::to_string(t);
      std::int64_t seq = 0;
      for (int i = 0; i < kOpsPerThread; ++i) {
        if (rng() % 10 < 6) {
          auto r =
              store_->add_messages(Scope::user(user), {msg(conv, seq++, "op " + std::to_string(i))})
                  .get();
          if (!r) {
            ++errors;
            continue;
          }
          acked[t].push_back((*r)[0].id);
        } else if (!acked[t].empty() && rng() % 2) {
          if (!store_->get_message(Scope::user(user), acked[t][rng() % acked[t].size()])) ++errors;
        } else {
          MessageFilter f;
          f.conversation_id = conv;
          PageRequest p;
          p.limit = 20;
          if (!store_->list_messages(Scope::user(user), f, p)) ++errors;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  std::size_t total_acked = 0;
  for (int t = 0; t < kThreads; ++t) {
    total_acked += acked[t].size();
    MessageFilter f;
    f.conversation_id = "load-" + std::to_string(t);
    std::set<std::string> found;
    PageRequest p;
    p.limit = 500;
    for (;;) {
      auto page = store_->list_messages(Scope::user(users[t % 2]), f, p);
      ASSERT_TRUE(page);
      for (auto& m : page->items) found.insert(m.id);
      if (!page->next) break;
      p.after = *page->next;
    }
    EXPECT_EQ(found.size(), acked[t].size()) << "thread " << t;
    for (auto& id : acked[t]) EXPECT_TRUE(found.count(id)) << id;
  }
  EXPECT_GT(total_acked, 25'000u);
  auto stats = store_->stats();
  EXPECT_EQ(stats.queue_depth, 0u);
}

TEST_P(StoreContract, IsolationCanaryCoversEveryDefinitionAndJobRepository) {
  const std::string canary = "CANARY-2b8d41";
  const auto a = Scope::user(alice_);
  const auto b = Scope::user(bob_);
  Target t;
  t.name = canary;
  t.type = canary;
  t.config = R"({"k":")" + canary + R"("})";
  t.secret_ciphertext = canary;
  t.api_key_env = canary;
  auto target = store_->add_target(a, t).get();
  Orchestrator o;
  o.name = canary;
  o.type = canary;
  o.definition = R"({"k":")" + canary + R"("})";
  auto orch = store_->add_orchestrator(a, o).get();
  Dataset d;
  d.name = canary;
  d.description = canary;
  std::vector<SeedPrompt> ps(1);
  ps[0].value = canary;
  ps[0].data_type = canary;
  ps[0].harm_categories = R"([")" + canary + R"("])";
  ps[0].metadata = R"({"k":")" + canary + R"("})";
  auto dataset = store_->add_dataset(a, d, ps).get();
  Execution e;
  e.orchestrator_id = canary;
  e.snapshot = R"({"k":")" + canary + R"("})";
  auto ex = store_->add_execution(a, e).get();
  ASSERT_TRUE(target && orch && dataset && ex);
  ASSERT_TRUE(store_->set_execution_status(a, ex->id, "running").get());
  ASSERT_TRUE(store_->set_execution_status(a, ex->id, "failed", canary).get());
  WorkItem w;
  w.id = canary + "-item";
  w.execution_id = ex->id;
  w.prompt_id = canary;
  ASSERT_EQ(*store_->add_work_items(a, {w}).get(), 1);
  auto claimed =
      store_->claim_work_items(a, ex->id, canary, 1, std::chrono::system_clock::now()).get();
  ASSERT_TRUE(store_->finish_work_item(a, w.id, canary, "failed", canary, canary).get());
  AttackResult r;
  r.execution_id = ex->id;
  r.conversation_id = canary;
  r.objective = canary;
  r.outcome = "error";
  r.metadata = R"({"k":")" + canary + R"("})";
  ASSERT_TRUE(store_->add_attack_result(a, r).get());
  ASSERT_TRUE(store_->add_api_key(a, key_for(canary, "rc_" + canary)).get());

  std::string seen;
  for (auto& x : items(store_->list_targets(b, {}))) seen += everything(x);
  for (auto& x : items(store_->list_orchestrators(b, {}))) seen += everything(x);
  for (auto& x : items(store_->list_datasets(b, {}))) seen += everything(x);
  for (auto& x : items(store_->list_executions(b, {}, {}))) seen += everything(x);
  ExecutionFilter by_orch;
  by_orch.orchestrator_id = canary;
  for (auto& x : items(store_->list_executions(b, by_orch, {}))) seen += everything(x);
  for (auto& x : items(store_->list_work_items(b, ex->id, {}, {}))) seen += everything(x);
  for (auto& x : items(store_->list_attack_results(b, ex->id, {}))) seen += everything(x);
  for (auto& x : items(store_->list_api_keys(b, {}))) seen += everything(x);
  EXPECT_EQ(seen.find(canary), std::string::npos);
  auto random = std::string("01900000-0000-7000-8000-000000000000");
  EXPECT_EQ(store_->get_target(b, target->id).error().to_json(),
            store_->get_target(b, random).error().to_json());
  EXPECT_EQ(store_->get_orchestrator(b, orch->id).error().to_json(),
            store_->get_orchestrator(b, random).error().to_json());
  EXPECT_EQ(store_->get_dataset(b, dataset->id).error().to_json(),
            store_->get_dataset(b, random).error().to_json());
  EXPECT_EQ(store_->get_execution(b, ex->id).error().to_json(),
            store_->get_execution(b, random).error().to_json());
  EXPECT_EQ(store_->list_seed_prompts(b, dataset->id, 1, {}).error().code(), ErrorCode::not_found);
  // And Alice's canary is all there.
  EXPECT_NE(everything(*store_->get_target(a, target->id)).find(canary), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::ValuesIn(backends_for("store")),
                         backend_name);

}  // namespace
}  // namespace redcell::memory::contract
