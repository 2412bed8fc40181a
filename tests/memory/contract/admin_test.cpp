// The AdminRepository contract: the audit trail and idempotency keys.
#include "contract.hpp"

namespace redcell::memory::contract {
namespace {

using AdminContract = RepositoryContract<AdminRepository>;

TEST_P(AdminContract, AuditEventsFilterAndBelongToTheActor) {
  for (auto action : {"target.create", "target.delete", "api_key.create"}) {
    AuditEvent e;
    e.action = action;
    e.object_type = std::string(action).substr(0, std::string(action).find('.'));
    e.object_id = "obj-1";
    ASSERT_TRUE(repo().add_audit(Scope::user(alice_), e).get());
  }
  AuditEvent system_event;
  system_event.action = "user.merge";
  ASSERT_TRUE(repo().add_audit(Scope::system(), system_event).get());
  AuditFilter f;
  f.object_type = "target";
  EXPECT_EQ(repo().list_audit(Scope::user(alice_), f, {})->items.size(), 2u);
  EXPECT_EQ(repo().list_audit(Scope::user(alice_), {}, {})->items.size(), 3u);
  EXPECT_EQ(repo().list_audit(Scope::user(bob_), {}, {})->items.size(), 0u);
  EXPECT_EQ(repo().list_audit(Scope::system(), {}, {})->items.size(), 4u);
}

TEST_P(AdminContract, IdempotencyKeysReplayPerOwner) {
  auto first = repo().claim_idempotency_key(Scope::user(alice_), "key-1", "hash-a").get();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(first->fresh);
  EXPECT_EQ(first->status, 0);
  auto again = repo().claim_idempotency_key(Scope::user(alice_), "key-1", "hash-b").get();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->fresh);
  EXPECT_EQ(again->request_hash, "hash-a") << "the first request's hash is kept";
  ASSERT_TRUE(
      repo().complete_idempotency_key(Scope::user(alice_), "key-1", 201, R"({"id":"x"})").get());
  auto replay = repo().claim_idempotency_key(Scope::user(alice_), "key-1", "hash-a").get();
  EXPECT_EQ(replay->status, 201);
  EXPECT_EQ(replay->response_body, R"({"id":"x"})");
  auto bobs = repo().claim_idempotency_key(Scope::user(bob_), "key-1", "hash-z").get();
  ASSERT_TRUE(bobs);
  EXPECT_TRUE(bobs->fresh) << "keys are per owner";
  EXPECT_FALSE(repo().claim_idempotency_key(Scope::user(alice_), "", "h").get());
}

INSTANTIATE_TEST_SUITE_P(Backends, AdminContract, ::testing::ValuesIn(backends_for("admin")),
                         backend_name);

}  // namespace
}  // namespace redcell::memory::contract
