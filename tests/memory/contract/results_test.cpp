// The ResultRepository contract: executions, their lifecycle and counters, and attack results.
#include "contract.hpp"

namespace redcell::memory::contract {
namespace {

using ResultContract = RepositoryContract<ResultRepository>;

TEST_P(ResultContract, ExecutionsFollowTheirLifecycleAndCount) {
  Execution e;
  e.orchestrator_id = "orch-1";
  e.snapshot = R"({"dataset_version":2})";
  auto ex = repo().add_execution(Scope::user(alice_), e).get();
  ASSERT_TRUE(ex) << ex.error().message();
  EXPECT_EQ(ex->status, "queued");
  auto bad = repo().set_execution_status(Scope::user(alice_), ex->id, "succeeded").get();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::conflict);
  auto running = repo().set_execution_status(Scope::user(alice_), ex->id, "running").get();
  ASSERT_TRUE(running);
  EXPECT_TRUE(running->started_at);
  EXPECT_FALSE(running->finished_at);
  ASSERT_TRUE(repo().add_execution_counts(Scope::user(alice_), ex->id, {10, 4, 1, 3, 2}).get());
  auto counted = repo().add_execution_counts(Scope::user(alice_), ex->id, {0, 1, 0, 1, 1}).get();
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->counts.total, 10);
  EXPECT_EQ(counted->counts.sent, 5);
  EXPECT_EQ(counted->counts.achieved, 3);
  ASSERT_TRUE(repo().set_execution_status(Scope::user(alice_), ex->id, "interrupted").get());
  ASSERT_TRUE(repo().set_execution_status(Scope::user(alice_), ex->id, "running").get());
  auto done =
      store_
          ->set_execution_status(Scope::user(alice_), ex->id, "incomplete", "error share 40% > 20%")
          .get();
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->finished_at);
  EXPECT_EQ(done->error, "error share 40% > 20%");
  EXPECT_FALSE(repo().set_execution_status(Scope::user(alice_), ex->id, "running").get());
  EXPECT_EQ(repo().get_execution(Scope::user(bob_), ex->id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(
      repo().add_execution_counts(Scope::user(bob_), ex->id, {1, 0, 0, 0, 0}).get().error().code(),
      ErrorCode::not_found);
  ExecutionFilter f;
  f.status = "incomplete";
  EXPECT_EQ(items(repo().list_executions(Scope::user(alice_), f, {})).size(), 1u);
  EXPECT_TRUE(items(repo().list_executions(Scope::user(bob_), {}, {})).empty());
}

TEST_P(ResultContract, DeletingAnExecutionPurgesItsResultsOnly) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = repo().add_execution(Scope::user(alice_), e).get();
  Message m = msg("c-exec", 0);
  m.execution_id = ex->id;
  auto written = add(alice_, {m, msg("c-other", 0)});
  ASSERT_TRUE(store_->add_score(Scope::user(alice_), verdict(written[0].id)).get());
  AttackResult r;
  r.execution_id = ex->id;
  r.conversation_id = "c-exec";
  r.outcome = "achieved";
  ASSERT_TRUE(repo().add_attack_result(Scope::user(alice_), r).get());
  EXPECT_EQ(repo().delete_execution(Scope::user(bob_), ex->id).get().error().code(),
            ErrorCode::not_found);
  auto removed = repo().delete_execution(Scope::user(alice_), ex->id).get();
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(store_->get_message(Scope::user(alice_), written[0].id).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(store_->get_message(Scope::user(alice_), written[1].id));
  EXPECT_TRUE(items(store_->list_scores(Scope::user(alice_), {}, {})).empty());
  EXPECT_TRUE(items(repo().list_attack_results(Scope::user(alice_), ex->id, {})).empty());
}

TEST_P(ResultContract, AttackResultsBelongToOwnExecutions) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = repo().add_execution(Scope::user(alice_), e).get();
  AttackResult r;
  r.execution_id = ex->id;
  r.conversation_id = "c";
  r.objective = "get the system prompt";
  r.outcome = "not_achieved";
  r.turns = 1;
  ASSERT_TRUE(repo().add_attack_result(Scope::user(alice_), r).get());
  auto bobs = repo().add_attack_result(Scope::user(bob_), r).get();
  ASSERT_FALSE(bobs);
  EXPECT_EQ(bobs.error().details()->field, "/execution_id");
  r.outcome = "maybe";
  EXPECT_EQ(repo().add_attack_result(Scope::user(alice_), r).get().error().details()->field,
            "/outcome");
  auto listed = items(repo().list_attack_results(Scope::user(alice_), ex->id, {}));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].objective, "get the system prompt");
  EXPECT_TRUE(items(repo().list_attack_results(Scope::user(bob_), ex->id, {})).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ResultContract, ::testing::ValuesIn(backends_for("results")),
                         backend_name);

}  // namespace
}  // namespace redcell::memory::contract
