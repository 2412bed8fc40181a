#include "engine/work_queue.hpp"

#include <gtest/gtest.h>

#include <map>

#include "../support/temp_store.hpp"

namespace redcell {
namespace {

using memory::Scope;

class StoreQueue : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* who : {&alice_, &bob_}) {
      auto name = who == &alice_ ? "alice" : "bob";
      *who = store_
                 ->upsert_user(Scope::system(),
                               memory::User{"", "iss", name, name, name, {"user"}, {}, {}, {}})
                 .get()
                 ->id;
    }
    memory::Dataset d;
    d.name = "d";
    std::vector<memory::SeedPrompt> prompts(2);
    prompts[0].value = "first";
    prompts[0].harm_categories = R"(["fraud"])";
    prompts[1].value = "second";
    ASSERT_TRUE(store_->add_dataset(Scope::user(alice_), d, prompts).get());
    auto ds = store_->list_datasets(Scope::user(alice_), {})->items.at(0);
    auto listed = store_->list_seed_prompts(Scope::user(alice_), ds.id, 1, {});
    ASSERT_TRUE(listed);
    for (const auto& p : listed->items) seed_ids_.push_back(p.id);
    memory::Execution e;
    e.orchestrator_id = "o";
    execution_ = store_->add_execution(Scope::user(alice_), e).get()->id;
  }
  memory::WorkItem item(const std::string& prompt_id) {
    memory::WorkItem w;
    w.id = execution_ + ":" + prompt_id;
    w.execution_id = execution_;
    w.prompt_id = prompt_id;
    return w;
  }
  testing_support::TempStore temp_;
  std::unique_ptr<memory::SqliteStore>& store_ = temp_.store;
  std::string alice_, bob_, execution_;
  std::vector<std::string> seed_ids_;
};

TEST_F(StoreQueue, ClaimsCarryTheirPromptsStoredInlineOrGone) {
  StoreWorkQueue q(*store_);
  std::vector<memory::WorkItem> items{item(seed_ids_[0]), item(seed_ids_[1]),
                                      item(inline_prompt_id(0)), item(inline_prompt_id(7)),
                                      item("01900000-0000-7000-8000-000000000000")};
  ASSERT_EQ(*q.enqueue(Scope::user(alice_), items), 5);
  EXPECT_EQ(*q.enqueue(Scope::user(alice_), items), 0) << "ids are deterministic";
  const auto lease = std::chrono::system_clock::now() + std::chrono::minutes(1);
  auto got = q.claim(Scope::user(alice_), execution_, "w1", 10, lease, {"an inline prompt"});
  ASSERT_TRUE(got) << got.error().message();
  ASSERT_EQ(got->size(), 5u);
  std::map<std::string, std::shared_ptr<const QueuedPrompt>> by_prompt;
  for (const auto& c : *got) by_prompt[c.item.prompt_id] = c.prompt;
  ASSERT_TRUE(by_prompt[seed_ids_[0]]);
  EXPECT_EQ(by_prompt[seed_ids_[0]]->value, "first");
  EXPECT_EQ(by_prompt[seed_ids_[0]]->harm_categories, R"(["fraud"])");
  EXPECT_EQ(by_prompt[seed_ids_[1]]->value, "second");
  ASSERT_TRUE(by_prompt[inline_prompt_id(0)]);
  EXPECT_EQ(by_prompt[inline_prompt_id(0)]->value, "an inline prompt");
  EXPECT_FALSE(by_prompt[inline_prompt_id(7)]) << "no such inline prompt";
  EXPECT_FALSE(by_prompt["01900000-0000-7000-8000-000000000000"]) << "no longer stored";

  // Nothing left to claim while the leases run; bob claims nothing of alice's.
  EXPECT_TRUE(q.claim(Scope::user(alice_), execution_, "w2", 10, lease, {})->empty());
  EXPECT_TRUE(q.claim(Scope::user(bob_), execution_, "w2", 10, lease, {})->empty());

  // complete() takes the claimant's result and refuses another worker's.
  memory::WorkItemResult mine;
  mine.work_item_id = (*got)[0].item.id;
  mine.execution_id = execution_;
  mine.worker = "w1";
  mine.status = "failed";
  mine.error = "test";
  mine.conversation_id = mine.work_item_id;
  auto theirs = mine;
  theirs.work_item_id = (*got)[1].item.id;
  theirs.conversation_id = theirs.work_item_id;
  theirs.worker = "w2";
  auto done =
      q.complete(Scope::user(alice_), std::make_shared<std::vector<memory::WorkItemResult>>(
                                          std::vector<memory::WorkItemResult>{mine, theirs}));
  ASSERT_TRUE(done) << done.error().message();
  ASSERT_EQ(done->size(), 2u);
  EXPECT_FALSE((*done)[0]);
  ASSERT_TRUE((*done)[1]);
  EXPECT_EQ((*done)[1]->code(), ErrorCode::conflict);

  // release() is scoped to the worker holding the items: another worker's release moves
  // nothing; w1's returns the four it still holds, and a new claim gets exactly those.
  EXPECT_EQ(*q.release(Scope::user(alice_), execution_, "w2"), 0);
  EXPECT_EQ(*q.release(Scope::user(bob_), execution_, "w1"), 0);
  EXPECT_EQ(*q.release(Scope::user(alice_), execution_, "w1"), 4);
  EXPECT_EQ(q.claim(Scope::user(alice_), execution_, "w3", 10, lease, {})->size(), 4u);
}

}  // namespace
}  // namespace redcell
