// The WorkQueue contract: adding work items, claiming them with leases, finishing and recording
// results.
#include <set>

#include "contract.hpp"

namespace redcell::memory::contract {
namespace {

using WorkQueueContract = RepositoryContract<WorkQueue>;

// A prompt and its reply in `conversation`, as a result records them.
std::vector<Message> exchange(const std::string& conversation) {
  Message user, reply;
  user.conversation_id = reply.conversation_id = conversation;
  user.role = "user";
  user.original_value = user.converted_value = "prompt";
  reply.role = "assistant";
  reply.sequence = 1;
  reply.original_value = reply.converted_value = "sure";
  return {user, reply};
}

TEST_P(WorkQueueContract, AWorkItemResultIsRecordedWholeOrNotAtAll) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  std::vector<WorkItem> work(2);
  for (int i = 0; i < 2; ++i) {
    work[i].id = ex->id + ":r" + std::to_string(i);
    work[i].execution_id = ex->id;
    work[i].prompt_id = "p";
  }
  ASSERT_EQ(*repo().add_work_items(Scope::user(alice_), work).get(), 2);
  auto claimed = store_
                     ->claim_work_items(Scope::user(alice_), ex->id, "w1", 10,
                                        std::chrono::system_clock::now() + std::chrono::minutes(1))
                     .get();
  ASSERT_EQ(claimed->size(), 2u);
  auto result = [&](const std::string& item, const std::string& worker) {
    WorkItemResult r;
    r.work_item_id = item;
    r.execution_id = ex->id;
    r.worker = worker;
    r.conversation_id = item;
    r.messages = exchange(item);
    Score s;
    s.scorer_type = "substring";
    s.score_type = "true_false";
    s.value = "true";
    r.scores = {{1, s}};
    r.counts = {0, 1, 0, 1, 1};
    return r;
  };
  // The second result's worker does not hold the claim: only the first is recorded.
  auto out = store_
                 ->record_work_item_results(Scope::user(alice_),
                                            {result(work[0].id, "w1"), result(work[1].id, "w2")})
                 .get();
  ASSERT_TRUE(out) << out.error().message();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_FALSE((*out)[0]);
  ASSERT_TRUE((*out)[1]);
  EXPECT_EQ((*out)[1]->code(), ErrorCode::conflict);
  MessageFilter f;
  f.conversation_id = work[0].id;
  auto conv = store_->list_messages(Scope::user(alice_), f, {});
  ASSERT_TRUE(conv);
  ASSERT_EQ(conv->items.size(), 2u);
  ScoreFilter sf;
  sf.message_id = conv->items[1].id;
  auto scores = store_->list_scores(Scope::user(alice_), sf, {});
  ASSERT_EQ(scores->items.size(), 1u);
  f.conversation_id = work[1].id;
  EXPECT_EQ(store_->list_messages(Scope::user(alice_), f, {})->items.size(), 0u);
  auto after = store_->get_execution(Scope::user(alice_), ex->id);
  EXPECT_EQ(after->counts.sent, 1);
  EXPECT_EQ(after->counts.achieved, 1);
  auto items = repo().list_work_items(Scope::user(alice_), ex->id, items_where("done"), {});
  ASSERT_EQ(items->items.size(), 1u);
  EXPECT_EQ(items->items[0].id, work[0].id);
  // Bob cannot record Alice's item.
  auto bobs = repo().record_work_item_results(Scope::user(bob_), {result(work[1].id, "w1")}).get();
  ASSERT_TRUE(bobs);
  ASSERT_TRUE((*bobs)[0]);
  EXPECT_EQ((*bobs)[0]->code(), ErrorCode::not_found);
}

// A result's scores are written several rows per statement: more than one statement's worth
// (eight), on both of its messages, each reads back whole on its own message.
TEST_P(WorkQueueContract, EveryScoreOfAResultIsRecordedOnItsMessage) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  const auto work = work_items_for(ex->id, 1);
  ASSERT_EQ(*repo().add_work_items(Scope::user(alice_), work).get(), 1);
  ASSERT_EQ(store_
                ->claim_work_items(Scope::user(alice_), ex->id, "w1", 10,
                                   std::chrono::system_clock::now() + std::chrono::minutes(1))
                .get()
                ->size(),
            1u);
  WorkItemResult r;
  r.work_item_id = work[0].id;
  r.execution_id = ex->id;
  r.worker = "w1";
  r.conversation_id = "conv";
  r.messages = exchange("conv");
  constexpr int kScores = 19;
  for (int i = 0; i < kScores; ++i) {
    Score s;
    s.scorer_type = "rule" + std::to_string(i);
    s.scorer_identity = R"({"type":"rule)" + std::to_string(i) + R"("})";
    s.score_type = i % 2 ? "float_scale" : "true_false";
    s.value = i % 2 ? "0.5" : "false";
    s.category = "c" + std::to_string(i);
    s.rationale = "because " + std::to_string(i);
    r.scores.emplace_back(i == 0 ? 0 : 1, s);
  }
  r.counts = {0, 1, 0, 1, 0};
  auto out = store_->record_work_item_results(Scope::user(alice_), {r}).get();
  ASSERT_TRUE(out) << out.error().message();
  ASSERT_FALSE((*out)[0]) << (*out)[0]->message();
  MessageFilter f;
  f.conversation_id = "conv";
  auto conv = store_->list_messages(Scope::user(alice_), f, {});
  ASSERT_EQ(conv->items.size(), 2u);
  ScoreFilter sf;
  sf.message_id = conv->items[0].id;
  auto first = store_->list_scores(Scope::user(alice_), sf, {});
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].scorer_type, "rule0");
  sf.message_id = conv->items[1].id;
  auto rest = store_->list_scores(Scope::user(alice_), sf, PageRequest{100, std::nullopt});
  ASSERT_EQ(rest->items.size(), static_cast<std::size_t>(kScores - 1));
  std::set<std::string> seen;
  for (const auto& s : rest->items) {
    const std::string n = s.scorer_type.substr(4);
    seen.insert(n);
    EXPECT_EQ(s.scorer_identity, R"({"type":"rule)" + n + R"("})");
    EXPECT_EQ(s.rationale, "because " + n);
    EXPECT_EQ(s.category, "c" + n);
    EXPECT_EQ(s.value, std::stoi(n) % 2 ? "0.5" : "false");
    EXPECT_EQ(s.owner, alice_);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kScores - 1));
}

TEST_P(WorkQueueContract, FinishedItemsComeInFinishingOrderWithTheirVerdictAndFilter) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  std::vector<WorkItem> work(4);
  for (int i = 0; i < 4; ++i) {
    // Ids sort opposite to the finishing order below.
    work[i].id = ex->id + ":z" + std::to_string(9 - i);
    work[i].execution_id = ex->id;
    work[i].prompt_id = "p";
    work[i].chain_index = i % 2;
  }
  ASSERT_EQ(*repo().add_work_items(Scope::user(alice_), work).get(), 4);
  ASSERT_EQ(store_
                ->claim_work_items(Scope::user(alice_), ex->id, "w", 10,
                                   std::chrono::system_clock::now() + std::chrono::minutes(1))
                .get()
                ->size(),
            4u);
  auto finish = [&](int i, std::optional<bool> achieved) {
    WorkItemResult r;
    r.work_item_id = work[i].id;
    r.execution_id = ex->id;
    r.worker = "w";
    r.status = achieved ? "done" : "failed";
    r.achieved = achieved;
    auto out = repo().record_work_item_results(Scope::user(alice_), {r}).get();
    ASSERT_TRUE(out && !(*out)[0]);
  };
  finish(0, true);
  finish(1, false);
  finish(2, std::nullopt);
  auto all = repo().list_finished_work_items(Scope::user(alice_), ex->id, 0, 100);
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*all)[i].id, work[i].id);
    EXPECT_EQ((*all)[i].finish_seq, i + 1);
  }
  EXPECT_EQ((*all)[0].achieved, true);
  EXPECT_EQ((*all)[1].achieved, false);
  EXPECT_FALSE((*all)[2].achieved.has_value());
  auto later = repo().list_finished_work_items(Scope::user(alice_), ex->id, 2, 100);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].id, work[2].id);
  finish(3, true);
  later = repo().list_finished_work_items(Scope::user(alice_), ex->id, 2, 1);
  ASSERT_EQ(later->size(), 1u) << "the limit holds";
  EXPECT_EQ((*later)[0].finish_seq, 3);
  EXPECT_TRUE(repo().list_finished_work_items(Scope::user(bob_), ex->id, 0, 100)->empty());

  EXPECT_EQ(
      items(repo().list_work_items(Scope::user(alice_), ex->id, items_where({}, {}, true), {}))
          .size(),
      2u);
  EXPECT_EQ(
      items(repo().list_work_items(Scope::user(alice_), ex->id, items_where({}, {}, false), {}))
          .size(),
      2u)
      << "not achieved includes items without a verdict";
  EXPECT_EQ(
      items(repo().list_work_items(Scope::user(alice_), ex->id, items_where({}, 1), {})).size(),
      2u);
  EXPECT_EQ(items(repo().list_work_items(Scope::user(alice_), ex->id, items_where("failed", 0), {}))
                .size(),
            1u);
}

TEST_P(WorkQueueContract, AClaimRenewsTheWorkersOwnLeasesAndNeverHandsThemBack) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  auto work = work_items_for(ex->id, 4);
  ASSERT_TRUE(repo().add_work_items(Scope::user(alice_), work).get());
  const auto now = std::chrono::system_clock::now();
  // Worker a holds two items whose lease has already run out (a slow target).
  auto first =
      repo()
          .claim_work_items(Scope::user(alice_), ex->id, "a", 2, now - std::chrono::seconds(1))
          .get();
  ASSERT_EQ(first->size(), 2u);
  // a's next claim gets the two pending items only, and renews its two old ones...
  auto second =
      repo()
          .claim_work_items(Scope::user(alice_), ex->id, "a", 10, now + std::chrono::minutes(1))
          .get();
  ASSERT_EQ(second->size(), 2u);
  for (const auto& w : *second)
    for (const auto& held : *first) EXPECT_NE(w.id, held.id);
  // ...so worker b finds nothing to take over.
  EXPECT_TRUE(
      repo()
          .claim_work_items(Scope::user(alice_), ex->id, "b", 10, now + std::chrono::minutes(1))
          .get()
          ->empty());
}

// A claim rewrites only held leases that were not renewed within the last eighth of a lease:
// a claim comes every few hundred items, and rewriting every held row each time cost the
// writer more than the claim itself.
TEST_P(WorkQueueContract, AClaimLeavesFreshLeasesAndRenewsOlderOnes) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  ASSERT_TRUE(repo().add_work_items(Scope::user(alice_), work_items_for(ex->id, 3)).get());
  const auto now = std::chrono::system_clock::now();
  const auto first_lease = now + std::chrono::minutes(2);
  auto held = repo().claim_work_items(Scope::user(alice_), ex->id, "a", 1, first_lease).get();
  ASSERT_EQ(held->size(), 1u);
  auto lease_of_held = [&] {
    auto items = repo().list_work_items(Scope::user(alice_), ex->id, {}, {});
    for (const auto& w : items->items)
      if (w.id == (*held)[0].id) return format_time(*w.lease_expires_at);
    return std::string("missing");
  };
  // A second claim a moment later: the held lease has most of its time left, so it stays.
  ASSERT_EQ(store_
                ->claim_work_items(Scope::user(alice_), ex->id, "a", 1,
                                   first_lease + std::chrono::seconds(2))
                .get()
                ->size(),
            1u);
  EXPECT_EQ(lease_of_held(), format_time(first_lease));
  // A claim whose lease reaches well past it renews it.
  const auto later = now + std::chrono::minutes(20);
  ASSERT_TRUE(repo().claim_work_items(Scope::user(alice_), ex->id, "a", 1, later).get());
  EXPECT_EQ(lease_of_held(), format_time(later));
  EXPECT_LT(renewal_threshold(now, later), later);
  EXPECT_GT(renewal_threshold(now, later), now + std::chrono::minutes(17));
}

TEST_P(WorkQueueContract, WorkItemsAreAddedOnceClaimedWithLeasesAndFinishedByTheirClaimant) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  auto work = work_items_for(ex->id, 5);
  EXPECT_EQ(*repo().add_work_items(Scope::user(alice_), work).get(), 5);
  EXPECT_EQ(*repo().add_work_items(Scope::user(alice_), work).get(), 0) << "ids are deterministic";
  EXPECT_EQ(*repo().add_work_items(Scope::user(bob_), work).get(), 0) << "not Bob's execution";
  auto now = std::chrono::system_clock::now();
  auto a = store_
               ->claim_work_items(Scope::user(alice_), ex->id, "worker-a", 3,
                                  now + std::chrono::minutes(1))
               .get();
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->size(), 3u);
  // Worker b claims the rest with a lease that has already run out (b died).
  auto b = store_
               ->claim_work_items(Scope::user(alice_), ex->id, "worker-b", 10,
                                  now - std::chrono::seconds(1))
               .get();
  ASSERT_EQ(b->size(), 2u) << "items leased to worker a are not claimed again";
  std::set<std::string> claimed;
  for (auto& w : *a) claimed.insert(w.id);
  for (auto& w : *b) EXPECT_FALSE(claimed.count(w.id));
  EXPECT_EQ(repo()
                .finish_work_item(Scope::user(alice_), (*a)[0].id, "worker-b", "done", "conv")
                .get()
                .error()
                .code(),
            ErrorCode::conflict);
  auto fin =
      repo().finish_work_item(Scope::user(alice_), (*a)[0].id, "worker-a", "done", "conv-1").get();
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->status, "done");
  // Worker c takes over exactly b's expired items; a's live leases and done items stay.
  auto c = store_
               ->claim_work_items(Scope::user(alice_), ex->id, "worker-c", 10,
                                  now + std::chrono::minutes(1))
               .get();
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*c)[i].id, (*b)[i].id);
    EXPECT_EQ((*c)[i].claimed_by, "worker-c");
  }
  EXPECT_EQ(repo()
                .finish_work_item(Scope::user(alice_), (*b)[0].id, "worker-b", "done", "late")
                .get()
                .error()
                .code(),
            ErrorCode::conflict)
      << "a worker whose lease was taken over cannot finish the item";
  EXPECT_EQ(
      items(repo().list_work_items(Scope::user(alice_), ex->id, items_where("done"), {})).size(),
      1u);
  EXPECT_TRUE(items(repo().list_work_items(Scope::user(bob_), ex->id, {}, {})).empty());
  EXPECT_FALSE(
      repo().finish_work_item(Scope::user(alice_), (*a)[1].id, "worker-a", "exploded", "").get());
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkQueueContract,
                         ::testing::ValuesIn(backends_for("work_queue")), backend_name);

}  // namespace
}  // namespace redcell::memory::contract
