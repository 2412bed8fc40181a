// The IdentityRepository contract: users, their merges and API keys.
#include "contract.hpp"

namespace redcell::memory::contract {
namespace {

using IdentityContract = RepositoryContract<IdentityRepository>;

TEST_P(IdentityContract, UsersAreKeyedByIssuerAndSubjectNeverByName) {
  auto first =
      repo()
          .upsert_user(Scope::system(), User{"", "iss", "tam", "admin", "admin", {}, {}, {}, {}})
          .get();
  auto second =
      store_
          ->upsert_user(Scope::system(),
                        User{"", "iss", "tam", "tam.nguyen", "Tam Nguyen", {"admin"}, {}, {}, {}})
          .get();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->id, second->id);
  EXPECT_EQ(second->username, "tam.nguyen");
  EXPECT_EQ(second->display_name, "Tam Nguyen");
  EXPECT_EQ(second->roles, std::vector<std::string>{"admin"});
  auto other = store_
                   ->upsert_user(Scope::system(),
                                 User{"", "iss", "someone-else", "admin", "admin", {}, {}, {}, {}})
                   .get();
  ASSERT_TRUE(other);
  EXPECT_NE(other->id, first->id);
  auto other_issuer =
      repo()
          .upsert_user(Scope::system(), User{"", "iss2", "tam", "admin", "", {}, {}, {}, {}})
          .get();
  EXPECT_NE(other_issuer->id, first->id);
}

TEST_P(IdentityContract, OnlyTheSystemScopeCreatesUsers) {
  auto r =
      repo().upsert_user(Scope::user(alice_), User{"", "iss", "x", "", "", {}, {}, {}, {}}).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::forbidden);
}

TEST_P(IdentityContract, AUserSeesOnlyThemselvesInUsers) {
  auto page = repo().list_users(Scope::user(alice_), PageRequest{});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, alice_);
  EXPECT_EQ(repo().get_user(Scope::user(alice_), bob_).error().code(), ErrorCode::not_found);
  EXPECT_EQ(repo().list_users(Scope::system(), PageRequest{})->items.size(), 2u);
}

TEST_P(IdentityContract, ApiKeysAreFoundByPrefixListedByOwnerAndRevocable) {
  auto k = repo().add_api_key(Scope::user(alice_), key_for("ci", "rc_abcdef12")).get();
  ASSERT_TRUE(k) << k.error().message();
  EXPECT_FALSE(repo().add_api_key(Scope::user(bob_), key_for("dup", "rc_abcdef12")).get())
      << "prefixes are unique";
  auto found = repo().find_api_key(Scope::system(), "rc_abcdef12");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->owner, alice_);
  EXPECT_EQ(repo().find_api_key(Scope::user(alice_), "rc_abcdef12").error().code(),
            ErrorCode::forbidden);
  EXPECT_EQ(items(repo().list_api_keys(Scope::user(alice_), {})).size(), 1u);
  EXPECT_TRUE(items(repo().list_api_keys(Scope::user(bob_), {})).empty());
  EXPECT_EQ(repo().revoke_api_key(Scope::user(bob_), k->id).get().error().code(),
            ErrorCode::not_found);
  auto used = repo().touch_api_key(Scope::system(), k->id, std::chrono::system_clock::now()).get();
  ASSERT_TRUE(used);
  EXPECT_TRUE(used->last_used_at);
  auto revoked = repo().revoke_api_key(Scope::user(alice_), k->id).get();
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(revoked->revoked_at);
  EXPECT_TRUE(repo().find_api_key(Scope::system(), "rc_abcdef12")->revoked_at);
  auto short_prefix = repo().add_api_key(Scope::user(alice_), key_for("x", "rc_1")).get();
  EXPECT_EQ(short_prefix.error().details()->field, "/prefix");
}

TEST_P(IdentityContract, MergingAUserMovesTheirObjectsAndTheirIdentityFollows) {
  const auto laptop = add_user("local", "local", "admin");
  auto t = store_->add_target(Scope::user(laptop), target_named("laptop target")).get();
  ASSERT_TRUE(t) << t.error().message();
  Message m = msg("conv-laptop", 0);
  ASSERT_TRUE(store_->add_messages(Scope::user(laptop), {m}).get());
  // Only the system scope moves objects between users; nobody can name themselves owner.
  EXPECT_EQ(repo().merge_users(Scope::user(alice_), laptop, alice_).get().error().code(),
            ErrorCode::forbidden);
  EXPECT_EQ(repo().reassign_objects(Scope::system(), laptop, laptop).get().error().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(repo()
                .reassign_objects(Scope::system(), laptop, "no-such-user")
                .get()
                .error()
                .details()
                ->field,
            "/to");

  auto moved = repo().merge_users(Scope::system(), laptop, alice_).get();
  ASSERT_TRUE(moved) << moved.error().message();
  EXPECT_EQ(*moved, 2);  // the target and the message
  EXPECT_EQ(items(store_->list_targets(Scope::user(alice_), {})).size(), 1u);
  EXPECT_TRUE(items(store_->list_targets(Scope::user(laptop), {})).empty());
  MessageFilter f;
  f.conversation_id = "conv-laptop";
  EXPECT_EQ(items(store_->list_messages(Scope::user(alice_), f, {})).size(), 1u);
  // Signing in as the merged identity now resolves to Alice.
  EXPECT_EQ(add_user("local", "local", "admin"), alice_);
  // A merged user is no target of a merge; reassigning leaves identities alone.
  EXPECT_EQ(repo().reassign_objects(Scope::system(), bob_, laptop).get().error().details()->field,
            "/to");
  ASSERT_TRUE(repo().reassign_objects(Scope::system(), alice_, bob_).get());
  EXPECT_EQ(items(store_->list_targets(Scope::user(bob_), {})).size(), 1u);
  EXPECT_EQ(add_user("https://idp.test", "alice-sub", "alice"), alice_);
}

TEST_P(IdentityContract, MergingAUserMovesTheirSavedScorerConfigsToo) {
  const auto laptop = add_user("local", "local", "admin");
  ScorerConfig c;
  c.name = "laptop refusal";
  c.scorer = R"({"type":"refusal"})";
  auto added = store_->add_scorer_config(Scope::user(laptop), c).get();
  ASSERT_TRUE(added) << added.error().message();
  ASSERT_TRUE(repo().merge_users(Scope::system(), laptop, alice_).get());
  EXPECT_TRUE(store_->get_scorer_config(Scope::user(alice_), added->id));
  EXPECT_TRUE(items(store_->list_scorer_configs(Scope::user(laptop), {})).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityContract, ::testing::ValuesIn(backends_for("identity")),
                         backend_name);

}  // namespace
}  // namespace redcell::memory::contract
