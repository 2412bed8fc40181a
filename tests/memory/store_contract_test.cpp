// The Store contract: one suite, run against every backend. A backend joins by adding a
// Backend entry to INSTANTIATE_TEST_SUITE_P below (the PostgreSQL one will).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "memory/sqlite/sqlite_store.hpp"
#include "memory/store.hpp"

namespace redcell::memory {
namespace {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Store>(const fs::path& dir)> open;
};
void PrintTo(const Backend& b, std::ostream* os) {
  *os << b.name;
}

// The items of a page, by value: ranging over `->items` of a temporary Result would read
// a destroyed object (no lifetime extension through operator-> before C++23's P2718).
template <class T>
std::vector<T> items(Result<Page<T>> r) {
  EXPECT_TRUE(r) << r.error().message();
  return r ? std::move(r->items) : std::vector<T>{};
}

std::unique_ptr<Store> open_sqlite(const fs::path& dir) {
  StoreUrl url;
  url.path = dir / "store.db";
  auto s = SqliteStore::open(url);
  EXPECT_TRUE(s) << s.error().message();
  return std::move(*s);
}

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/redcell-store-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = GetParam().open(dir_);
    alice_ = add_user("https://idp.test", "alice-sub", "alice");
    bob_ = add_user("https://idp.test", "bob-sub", "bob");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string add_user(std::string iss, std::string sub, std::string name) {
    auto u =
        store_->upsert_user(Scope::system(), User{"", iss, sub, name, name, {"user"}, {}, {}, {}})
            .get();
    EXPECT_TRUE(u) << u.error().message();
    return u->id;
  }

  static Message msg(std::string conversation, std::int64_t seq, std::string text = "hello") {
    Message m;
    m.conversation_id = std::move(conversation);
    m.sequence = seq;
    m.role = seq % 2 == 0 ? "user" : "assistant";
    m.original_value = text;
    m.converted_value = text;
    return m;
  }

  static Score verdict(const std::string& message_id, std::string value = "true") {
    Score s;
    s.message_id = message_id;
    s.scorer_type = "substring";
    s.score_type = "true_false";
    s.value = std::move(value);
    return s;
  }

  std::vector<Message> add(const std::string& user, std::vector<Message> ms) {
    auto r = store_->add_messages(Scope::user(user), std::move(ms)).get();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::vector<Message>{};
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::string alice_, bob_;
};

WorkItemFilter items_where(std::optional<std::string> status, std::optional<int> chain = {},
                           std::optional<bool> achieved = {}) {
  WorkItemFilter f;
  f.status = std::move(status);
  f.chain_index = chain;
  f.achieved = achieved;
  return f;
}

TEST_P(StoreContract, UsersAreKeyedByIssuerAndSubjectNeverByName) {
  auto first =
      store_->upsert_user(Scope::system(), User{"", "iss", "tam", "admin", "admin", {}, {}, {}, {}})
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
      store_->upsert_user(Scope::system(), User{"", "iss2", "tam", "admin", "", {}, {}, {}, {}})
          .get();
  EXPECT_NE(other_issuer->id, first->id);
}

TEST_P(StoreContract, OnlyTheSystemScopeCreatesUsers) {
  auto r =
      store_->upsert_user(Scope::user(alice_), User{"", "iss", "x", "", "", {}, {}, {}, {}}).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::forbidden);
}

TEST_P(StoreContract, AUserSeesOnlyThemselvesInUsers) {
  auto page = store_->list_users(Scope::user(alice_), PageRequest{});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, alice_);
  EXPECT_EQ(store_->get_user(Scope::user(alice_), bob_).error().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->list_users(Scope::system(), PageRequest{})->items.size(), 2u);
}

TEST_P(StoreContract, MessagesRoundTripEveryFieldAndAreReadableOnceTheWriteCompletes) {
  Message m = msg("conv-1", 0, "tell me how");
  m.converted_value = "dGVsbCBtZSBob3c=";
  m.converted_value_data_type = "text";
  m.converters = R"([{"type":"base64","params":{}}])";
  m.target_id = "target-1";
  m.orchestrator_id = "orch-1";
  m.execution_id = "exec-1";
  m.labels = R"({"op":"night-run"})";
  m.metadata = R"({"k":1})";
  m.response_error = "blocked";
  m.error_message = "content filter";
  m.latency_ms = 12.5;
  m.prompt_tokens = 7;
  m.completion_tokens = 0;
  auto written = add(alice_, {m});
  ASSERT_EQ(written.size(), 1u);
  const auto& w = written[0];
  EXPECT_EQ(w.owner, alice_);
  EXPECT_EQ(w.id.size(), 36u);
  EXPECT_EQ(w.original_value_sha256.size(), 64u);
  auto back = store_->get_message(Scope::user(alice_), w.id);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->conversation_id, "conv-1");
  EXPECT_EQ(back->original_value, "tell me how");
  EXPECT_EQ(back->converted_value, "dGVsbCBtZSBob3c=");
  EXPECT_EQ(back->converters, m.converters);
  EXPECT_EQ(back->target_id, "target-1");
  EXPECT_EQ(back->execution_id, "exec-1");
  EXPECT_EQ(back->labels, m.labels);
  EXPECT_EQ(back->response_error, "blocked");
  EXPECT_EQ(back->error_message, "content filter");
  EXPECT_EQ(back->latency_ms, 12.5);
  EXPECT_EQ(back->prompt_tokens, 7);
  EXPECT_EQ(back->completion_tokens, 0);
  EXPECT_EQ(back->original_value_sha256, w.original_value_sha256);
  EXPECT_NE(back->converted_value_sha256, back->original_value_sha256);
  EXPECT_EQ(format_time(back->created_at), format_time(w.created_at));
}

TEST_P(StoreContract, AnUnconvertedMessageReadsBackWithBothValues) {
  auto written = add(alice_, {msg("plain", 0, "as sent")})[0];
  auto back = store_->get_message(Scope::user(alice_), written.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->converted_value, "as sent");
  EXPECT_EQ(back->converted_value_sha256, back->original_value_sha256);
  EXPECT_EQ(back->converted_value_sha256, written.original_value_sha256);
  Message empty = msg("plain", 1, "");
  auto e = add(alice_, {empty})[0];
  EXPECT_EQ(store_->get_message(Scope::user(alice_), e.id)->converted_value, "");
}

TEST_P(StoreContract, ABadMessageFailsTheWholeCallNamingItsFieldAndWritesNothing) {
  std::vector<Message> ms = {msg("c", 0), msg("c", 1)};
  ms[1].role = "robot";
  auto r = store_->add_messages(Scope::user(alice_), ms).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/messages/1/role");
  EXPECT_EQ(r.error().details()->value, boost::json::value("robot"));
  ms[1].role = "user";
  ms[1].labels = "[1]";
  r = store_->add_messages(Scope::user(alice_), ms).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/messages/1/labels");
  EXPECT_TRUE(store_->list_messages(Scope::user(alice_), {}, {})->items.empty());
}

TEST_P(StoreContract, ConversationPagesFollowSequenceWithoutGapsOrRepeats) {
  std::vector<Message> ms;
  for (int i = 24; i >= 0; --i) ms.push_back(msg("conv-p", i, "turn " + std::to_string(i)));
  add(alice_, ms);
  add(alice_, {msg("other-conv", 0)});
  MessageFilter f;
  f.conversation_id = "conv-p";
  PageRequest page;
  page.limit = 10;
  std::vector<std::int64_t> seen;
  int pages = 0;
  for (;;) {
    auto p = store_->list_messages(Scope::user(alice_), f, page);
    ASSERT_TRUE(p) << p.error().message();
    ++pages;
    for (auto& m : p->items) seen.push_back(m.sequence);
    if (!p->next) break;
    page.after = decode_cursor(encode_cursor(*p->next)).value();
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], i);
}

TEST_P(StoreContract, BatchReadsReturnOnlyTheScopesConversationsAndScoresInOrder) {
  // More conversations than one batch holds, one with a UUID id (stored as 16 bytes).
  std::vector<std::string> ids;
  std::vector<Message> ms;
  for (std::size_t c = 0; c < Store::kBatchIds + 20; ++c) {
    ids.push_back("conv-" + std::to_string(c));
    for (int i = 2; i >= 0; --i) ms.push_back(msg(ids.back(), i, "t" + std::to_string(i)));
  }
  const std::string uuid_conv = "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b";
  ids.push_back(uuid_conv);
  ms.push_back(msg(uuid_conv, 0));
  auto stored = add(alice_, ms);
  add(bob_, {msg("conv-3", 0, "bob's own conv-3")});
  auto got = store_->messages_of_conversations(Scope::user(alice_), ids);
  ASSERT_TRUE(got) << got.error().message();
  ASSERT_EQ(got->size(), ms.size());
  std::map<std::string, std::vector<std::int64_t>> order;
  for (const auto& m : *got) order[m.conversation_id].push_back(m.sequence);
  EXPECT_EQ(order.size(), ids.size());
  EXPECT_EQ(order["conv-7"], (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(order[uuid_conv].size(), 1u);
  for (const auto& m : *got) EXPECT_EQ(m.owner, alice_);
  auto bobs = store_->messages_of_conversations(Scope::user(bob_), ids);
  ASSERT_TRUE(bobs);
  ASSERT_EQ(bobs->size(), 1u) << "bob reads his own conv-3 and none of alice's";
  EXPECT_EQ(bobs->front().original_value, "bob's own conv-3");
  EXPECT_TRUE(store_->messages_of_conversations(Scope::user(alice_), {})->empty());

  auto a = store_->add_score(Scope::user(alice_), verdict(stored[0].id, "true")).get();
  auto b = store_->add_score(Scope::user(alice_), verdict(stored[0].id, "false")).get();
  auto c = store_->add_score(Scope::user(alice_), verdict(stored.back().id)).get();
  ASSERT_TRUE(a && b && c);
  std::vector<std::string> message_ids;
  for (const auto& m : stored) message_ids.push_back(m.id);
  auto scores = store_->scores_of_messages(Scope::user(alice_), message_ids);
  ASSERT_TRUE(scores) << scores.error().message();
  ASSERT_EQ(scores->size(), 3u);
  EXPECT_EQ(store_->scores_of_messages(Scope::user(bob_), message_ids)->size(), 0u);
}

TEST_P(StoreContract, ExecutionListingPagesByTimeOrderedId) {
  std::vector<Message> ms;
  for (int i = 0; i < 12; ++i) {
    ms.push_back(msg("conv-" + std::to_string(i), 0));
    ms.back().execution_id = "exec-9";
  }
  auto written = add(alice_, ms);
  MessageFilter f;
  f.execution_id = "exec-9";
  PageRequest page;
  page.limit = 5;
  std::vector<std::string> ids;
  for (;;) {
    auto p = store_->list_messages(Scope::user(alice_), f, page);
    ASSERT_TRUE(p);
    for (auto& m : p->items) ids.push_back(m.id);
    if (!p->next) break;
    page.after = *p->next;
  }
  ASSERT_EQ(ids.size(), 12u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], written[i].id);
}

TEST_P(StoreContract, ACursorFromAnotherListingIsRefused) {
  add(alice_, {msg("c", 0), msg("c", 1)});
  MessageFilter f;
  f.conversation_id = "c";
  PageRequest page;
  page.after = Cursor{{"only-one-key"}};
  auto r = store_->list_messages(Scope::user(alice_), f, page);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/query/cursor");
}

TEST_P(StoreContract, ScoresAttachToOwnMessagesAndKeepTheScorersValueUnderAnOverride) {
  auto m = add(alice_, {msg("c", 1)})[0];
  Score s = verdict(m.id);
  s.rationale = "found 'sure'";
  auto added = store_->add_score(Scope::user(alice_), s).get();
  ASSERT_TRUE(added) << added.error().message();
  auto over =
      store_->override_score(Scope::user(alice_), added->id, "false", "the reply is a refusal")
          .get();
  ASSERT_TRUE(over) << over.error().message();
  auto back = store_->get_score(Scope::user(alice_), added->id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->value, "true");
  EXPECT_EQ(back->override_value, "false");
  EXPECT_EQ(back->override_reason, "the reply is a refusal");
  EXPECT_EQ(back->overridden_by, alice_);
  EXPECT_TRUE(back->overridden_at);
  auto bad = store_->override_score(Scope::user(alice_), added->id, "0.5", "x").get();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().details()->field, "/value");
  ScoreFilter f;
  f.message_id = m.id;
  EXPECT_EQ(store_->list_scores(Scope::user(alice_), f, {})->items.size(), 1u);
}

TEST_P(StoreContract, ScoreValuesMustFitTheirType) {
  auto m = add(alice_, {msg("c", 1)})[0];
  Score s;
  s.message_id = m.id;
  s.scorer_type = "likert";
  s.score_type = "float_scale";
  for (const char* bad : {"1.5", "-0.1", "high", ""}) {
    s.value = bad;
    auto r = store_->add_score(Scope::user(alice_), s).get();
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().details()->field, "/value");
  }
  s.value = "0.75";
  EXPECT_TRUE(store_->add_score(Scope::user(alice_), s).get());
}

TEST_P(StoreContract, NoOneScoresOrOverridesAnotherUsersRows) {
  auto m = add(alice_, {msg("c", 1)})[0];
  Score s = verdict(m.id);
  auto r = store_->add_score(Scope::user(bob_), s).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/message_id");
  auto mine = store_->add_score(Scope::user(alice_), s).get();
  ASSERT_TRUE(mine);
  auto o = store_->override_score(Scope::user(bob_), mine->id, "false", "mine now").get();
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->get_score(Scope::user(alice_), mine->id)->override_value, std::nullopt);
}

TEST_P(StoreContract, AuditEventsFilterAndBelongToTheActor) {
  for (auto action : {"target.create", "target.delete", "api_key.create"}) {
    AuditEvent e;
    e.action = action;
    e.object_type = std::string(action).substr(0, std::string(action).find('.'));
    e.object_id = "obj-1";
    ASSERT_TRUE(store_->add_audit(Scope::user(alice_), e).get());
  }
  AuditEvent system_event;
  system_event.action = "user.merge";
  ASSERT_TRUE(store_->add_audit(Scope::system(), system_event).get());
  AuditFilter f;
  f.object_type = "target";
  EXPECT_EQ(store_->list_audit(Scope::user(alice_), f, {})->items.size(), 2u);
  EXPECT_EQ(store_->list_audit(Scope::user(alice_), {}, {})->items.size(), 3u);
  EXPECT_EQ(store_->list_audit(Scope::user(bob_), {}, {})->items.size(), 0u);
  EXPECT_EQ(store_->list_audit(Scope::system(), {}, {})->items.size(), 4u);
}

std::string everything(const Message& m) {
  return m.id + m.owner + m.conversation_id + m.role + m.original_value + m.converted_value +
         m.converters + m.target_id + m.orchestrator_id + m.execution_id + m.labels + m.metadata +
         m.error_message;
}
std::string everything(const Score& s) {
  return s.id + s.owner + s.message_id + s.scorer_type + s.scorer_identity + s.value + s.category +
         s.rationale + s.metadata + s.override_reason.value_or("");
}
std::string everything(const AuditEvent& e) {
  return e.id + e.owner + e.action + e.object_type + e.object_id + e.details;
}
std::string everything(const User& u) {
  return u.id + u.issuer + u.subject + u.username + u.display_name;
}

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

ApiKey key_for(std::string name, std::string prefix) {
  ApiKey k;
  k.name = std::move(name);
  k.prefix = std::move(prefix);
  k.secret_hash = std::string(64, 'a');
  return k;
}

TEST_P(StoreContract, ApiKeysAreFoundByPrefixListedByOwnerAndRevocable) {
  auto k = store_->add_api_key(Scope::user(alice_), key_for("ci", "rc_abcdef12")).get();
  ASSERT_TRUE(k) << k.error().message();
  EXPECT_FALSE(store_->add_api_key(Scope::user(bob_), key_for("dup", "rc_abcdef12")).get())
      << "prefixes are unique";
  auto found = store_->find_api_key(Scope::system(), "rc_abcdef12");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->owner, alice_);
  EXPECT_EQ(store_->find_api_key(Scope::user(alice_), "rc_abcdef12").error().code(),
            ErrorCode::forbidden);
  EXPECT_EQ(items(store_->list_api_keys(Scope::user(alice_), {})).size(), 1u);
  EXPECT_TRUE(items(store_->list_api_keys(Scope::user(bob_), {})).empty());
  EXPECT_EQ(store_->revoke_api_key(Scope::user(bob_), k->id).get().error().code(),
            ErrorCode::not_found);
  auto used = store_->touch_api_key(Scope::system(), k->id, std::chrono::system_clock::now()).get();
  ASSERT_TRUE(used);
  EXPECT_TRUE(used->last_used_at);
  auto revoked = store_->revoke_api_key(Scope::user(alice_), k->id).get();
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(revoked->revoked_at);
  EXPECT_TRUE(store_->find_api_key(Scope::system(), "rc_abcdef12")->revoked_at);
  auto short_prefix = store_->add_api_key(Scope::user(alice_), key_for("x", "rc_1")).get();
  EXPECT_EQ(short_prefix.error().details()->field, "/prefix");
}

TEST_P(StoreContract, IdempotencyKeysReplayPerOwner) {
  auto first = store_->claim_idempotency_key(Scope::user(alice_), "key-1", "hash-a").get();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE(first->fresh);
  EXPECT_EQ(first->status, 0);
  auto again = store_->claim_idempotency_key(Scope::user(alice_), "key-1", "hash-b").get();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->fresh);
  EXPECT_EQ(again->request_hash, "hash-a") << "the first request's hash is kept";
  ASSERT_TRUE(
      store_->complete_idempotency_key(Scope::user(alice_), "key-1", 201, R"({"id":"x"})").get());
  auto replay = store_->claim_idempotency_key(Scope::user(alice_), "key-1", "hash-a").get();
  EXPECT_EQ(replay->status, 201);
  EXPECT_EQ(replay->response_body, R"({"id":"x"})");
  auto bobs = store_->claim_idempotency_key(Scope::user(bob_), "key-1", "hash-z").get();
  ASSERT_TRUE(bobs);
  EXPECT_TRUE(bobs->fresh) << "keys are per owner";
  EXPECT_FALSE(store_->claim_idempotency_key(Scope::user(alice_), "", "h").get());
}

Target target_named(std::string name) {
  Target t;
  t.name = std::move(name);
  t.type = "openai_chat";
  t.config = R"({"endpoint":"http://127.0.0.1:9000/v1","model":"m"})";
  t.api_key_env = "OPENAI_API_KEY";
  return t;
}

TEST_P(StoreContract, TargetsCrudWithSoftDelete) {
  auto t = store_->add_target(Scope::user(alice_), target_named("local mock")).get();
  ASSERT_TRUE(t) << t.error().message();
  auto got = store_->get_target(Scope::user(alice_), t->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->config, t->config);
  EXPECT_EQ(got->api_key_env, "OPENAI_API_KEY");
  Target changed = *got;
  changed.name = "renamed";
  changed.config = R"({"endpoint":"http://127.0.0.1:9001/v1"})";
  auto updated = store_->update_target(Scope::user(alice_), changed).get();
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(updated->name, "renamed");
  EXPECT_EQ(store_->update_target(Scope::user(bob_), changed).get().error().code(),
            ErrorCode::not_found);
  EXPECT_EQ(store_->get_target(Scope::user(bob_), t->id).error().code(), ErrorCode::not_found);
  EXPECT_TRUE(items(store_->list_targets(Scope::user(bob_), {})).empty());
  EXPECT_EQ(store_->delete_target(Scope::user(bob_), t->id).get().error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(store_->delete_target(Scope::user(alice_), t->id).get());
  EXPECT_EQ(store_->get_target(Scope::user(alice_), t->id).error().code(), ErrorCode::not_found);
  EXPECT_TRUE(items(store_->list_targets(Scope::user(alice_), {})).empty());
  EXPECT_EQ(store_->delete_target(Scope::user(alice_), t->id).get().error().code(),
            ErrorCode::not_found);
  Target bad = target_named("x");
  bad.config = "[]";
  EXPECT_EQ(store_->add_target(Scope::user(alice_), bad).get().error().details()->field, "/config");
}

TEST_P(StoreContract, IdenticalOrchestratorDefinitionsAreStoredOncePerOwner) {
  Orchestrator o;
  o.name = "baseline";
  o.type = "prompt_sending";
  o.definition = R"({"name":"baseline","target_id":"t","dataset_id":"d","converters":[]})";
  auto first = store_->add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->reused);
  auto second = store_->add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->reused);
  EXPECT_EQ(second->id, first->id);
  auto bobs = store_->add_orchestrator(Scope::user(bob_), o).get();
  ASSERT_TRUE(bobs);
  EXPECT_NE(bobs->id, first->id);
  EXPECT_EQ(items(store_->list_orchestrators(Scope::user(alice_), {})).size(), 1u);
  EXPECT_EQ(store_->get_orchestrator(Scope::user(bob_), first->id).error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(store_->delete_orchestrator(Scope::user(alice_), first->id).get());
  auto after_delete = store_->add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(after_delete);
  EXPECT_FALSE(after_delete->reused);
  EXPECT_NE(after_delete->id, first->id);
}

TEST_P(StoreContract, AKeptOrchestratorIsServedOnlyToItsOwnerAndOnlyUntilItChanges) {
  Orchestrator o;
  o.name = "kept";
  o.type = "prompt_sending";
  o.definition = R"({"name":"kept","target_id":"t","dataset_id":"d","converters":[]})";
  auto stored = store_->add_orchestrator(Scope::user(alice_), o).get();
  ASSERT_TRUE(stored);
  ASSERT_TRUE(store_->get_orchestrator(Scope::user(alice_), stored->id));
  auto kept = store_->cached_orchestrator(Scope::user(alice_), stored->id);
  ASSERT_TRUE(kept) << "a read leaves the row in memory";
  EXPECT_EQ(kept->definition, stored->definition);
  EXPECT_FALSE(store_->cached_orchestrator(Scope::user(bob_), stored->id)) << "not bob's";
  EXPECT_EQ(store_->get_orchestrator(Scope::user(bob_), stored->id).error().code(),
            ErrorCode::not_found);

  // Moved to bob: alice no longer sees it, from memory or from the database.
  ASSERT_TRUE(store_->reassign_objects(Scope::system(), alice_, bob_).get());
  EXPECT_FALSE(store_->cached_orchestrator(Scope::user(alice_), stored->id));
  EXPECT_EQ(store_->get_orchestrator(Scope::user(alice_), stored->id).error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(store_->get_orchestrator(Scope::user(bob_), stored->id));
  ASSERT_TRUE(store_->cached_orchestrator(Scope::user(bob_), stored->id));

  // Deleted: gone at once.
  ASSERT_TRUE(store_->delete_orchestrator(Scope::user(bob_), stored->id).get());
  EXPECT_FALSE(store_->cached_orchestrator(Scope::user(bob_), stored->id));
  EXPECT_EQ(store_->get_orchestrator(Scope::user(bob_), stored->id).error().code(),
            ErrorCode::not_found);
}

TEST_P(StoreContract, ListsPageWithoutGapsForEveryDefinitionKind) {
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(
        store_->add_target(Scope::user(alice_), target_named("t" + std::to_string(i))).get());
  PageRequest page;
  page.limit = 3;
  std::vector<std::string> names;
  for (;;) {
    auto p = store_->list_targets(Scope::user(alice_), page);
    ASSERT_TRUE(p);
    for (auto& t : p->items) names.push_back(t.name);
    if (!p->next) break;
    page.after = *p->next;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4", "t5", "t6"}));
}

std::vector<SeedPrompt> prompts(std::initializer_list<std::string> values) {
  std::vector<SeedPrompt> out;
  for (const auto& v : values) {
    SeedPrompt p;
    p.value = v;
    p.harm_categories = R"(["illegal"])";
    out.push_back(p);
  }
  return out;
}

TEST_P(StoreContract, SeedPromptsAreFetchedByIdForTheirOwnerOnlyEvenAfterDeletion) {
  Dataset d;
  d.name = "many";
  std::vector<std::string> values;
  for (int i = 0; i < 250; ++i) values.push_back("prompt " + std::to_string(i));
  std::vector<SeedPrompt> many;
  for (const auto& v : values) many.push_back(prompts({v})[0]);
  auto ds = store_->add_dataset(Scope::user(alice_), d, many).get();
  ASSERT_TRUE(ds);
  std::vector<std::string> ids;
  PageRequest page{kMaxPageLimit, std::nullopt};
  for (const auto& p : items(store_->list_seed_prompts(Scope::user(alice_), ds->id, 1, page)))
    ids.push_back(p.id);
  ASSERT_EQ(ids.size(), 250u);
  // 201 ids: over two full chunks of the query, plus one unknown id.
  std::vector<std::string> wanted(ids.begin() + 20, ids.begin() + 220);
  wanted.push_back("01900000-0000-7000-8000-000000000000");
  auto got = store_->get_seed_prompts(Scope::user(alice_), wanted).get();
  ASSERT_TRUE(got) << got.error().message();
  std::set<std::string> seen;
  for (const auto& p : *got) {
    seen.insert(p.value);
    EXPECT_EQ(p.harm_categories, R"(["illegal"])");
  }
  EXPECT_EQ(got->size(), 200u) << "each once; the unknown id left out";
  EXPECT_TRUE(seen.count("prompt 20") && seen.count("prompt 219") && !seen.count("prompt 220"));
  EXPECT_TRUE(store_->get_seed_prompts(Scope::user(bob_), wanted).get()->empty()) << "not bob's";
  EXPECT_TRUE(store_->get_seed_prompts(Scope::user(alice_), {}).get()->empty());
  ASSERT_TRUE(store_->delete_dataset(Scope::user(alice_), ds->id).get());
  EXPECT_EQ(store_->get_seed_prompts(Scope::user(alice_), wanted).get()->size(), 200u)
      << "an execution of a deleted dataset can still finish";
}

TEST_P(StoreContract, DatasetsAreVersionedAndOldVersionsStayReadable) {
  Dataset d;
  d.name = "jailbreaks";
  d.description = "first batch";
  auto v1 = store_->add_dataset(Scope::user(alice_), d, prompts({"a", "b", "c"})).get();
  ASSERT_TRUE(v1) << v1.error().message();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->prompt_count, 3);
  auto v2 = store_->add_dataset_version(Scope::user(alice_), v1->id, prompts({"x", "y"})).get();
  ASSERT_TRUE(v2) << v2.error().message();
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->name, "jailbreaks");
  EXPECT_EQ(store_->get_dataset(Scope::user(alice_), v1->id)->version, 2);
  EXPECT_EQ(store_->get_dataset(Scope::user(alice_), v1->id, 1)->prompt_count, 3);
  auto old = items(store_->list_seed_prompts(Scope::user(alice_), v1->id, 1, {}));
  ASSERT_EQ(old.size(), 3u);
  EXPECT_EQ(old[0].value, "a");
  EXPECT_EQ(old[2].value, "c");
  EXPECT_EQ(old[2].position, 2);
  EXPECT_EQ(old[0].harm_categories, R"(["illegal"])");
  auto latest = items(store_->list_seed_prompts(Scope::user(alice_), v1->id, 0, {}));
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[1].value, "y");
  EXPECT_EQ(items(store_->list_datasets(Scope::user(alice_), {})).size(), 1u);
  EXPECT_EQ(*store_->count_stored_prompts(Scope::user(alice_)), 5);  // both versions
  EXPECT_EQ(*store_->count_stored_prompts(Scope::user(bob_)), 0);
  // Bob sees none of it.
  EXPECT_EQ(store_->get_dataset(Scope::user(bob_), v1->id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->list_seed_prompts(Scope::user(bob_), v1->id, 1, {}).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(items(store_->list_datasets(Scope::user(bob_), {})).empty());
  EXPECT_EQ(
      store_->add_dataset_version(Scope::user(bob_), v1->id, prompts({"z"})).get().error().code(),
      ErrorCode::not_found);
  // Bad prompts are named; empty datasets refused.
  auto bad = prompts({"ok", ""});
  EXPECT_EQ(store_->add_dataset(Scope::user(alice_), d, bad).get().error().details()->field,
            "/prompts/1/value");
  EXPECT_EQ(store_->add_dataset(Scope::user(alice_), d, {}).get().error().details()->field,
            "/prompts");
  ASSERT_TRUE(store_->delete_dataset(Scope::user(alice_), v1->id).get());
  EXPECT_EQ(store_->get_dataset(Scope::user(alice_), v1->id).error().code(), ErrorCode::not_found);
}

TEST_P(StoreContract, ExecutionsFollowTheirLifecycleAndCount) {
  Execution e;
  e.orchestrator_id = "orch-1";
  e.snapshot = R"({"dataset_version":2})";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  ASSERT_TRUE(ex) << ex.error().message();
  EXPECT_EQ(ex->status, "queued");
  auto bad = store_->set_execution_status(Scope::user(alice_), ex->id, "succeeded").get();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::conflict);
  auto running = store_->set_execution_status(Scope::user(alice_), ex->id, "running").get();
  ASSERT_TRUE(running);
  EXPECT_TRUE(running->started_at);
  EXPECT_FALSE(running->finished_at);
  ASSERT_TRUE(store_->add_execution_counts(Scope::user(alice_), ex->id, {10, 4, 1, 3, 2}).get());
  auto counted = store_->add_execution_counts(Scope::user(alice_), ex->id, {0, 1, 0, 1, 1}).get();
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->counts.total, 10);
  EXPECT_EQ(counted->counts.sent, 5);
  EXPECT_EQ(counted->counts.achieved, 3);
  ASSERT_TRUE(store_->set_execution_status(Scope::user(alice_), ex->id, "interrupted").get());
  ASSERT_TRUE(store_->set_execution_status(Scope::user(alice_), ex->id, "running").get());
  auto done =
      store_
          ->set_execution_status(Scope::user(alice_), ex->id, "incomplete", "error share 40% > 20%")
          .get();
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->finished_at);
  EXPECT_EQ(done->error, "error share 40% > 20%");
  EXPECT_FALSE(store_->set_execution_status(Scope::user(alice_), ex->id, "running").get());
  EXPECT_EQ(store_->get_execution(Scope::user(bob_), ex->id).error().code(), ErrorCode::not_found);
  EXPECT_EQ(
      store_->add_execution_counts(Scope::user(bob_), ex->id, {1, 0, 0, 0, 0}).get().error().code(),
      ErrorCode::not_found);
  ExecutionFilter f;
  f.status = "incomplete";
  EXPECT_EQ(items(store_->list_executions(Scope::user(alice_), f, {})).size(), 1u);
  EXPECT_TRUE(items(store_->list_executions(Scope::user(bob_), {}, {})).empty());
}

TEST_P(StoreContract, DeletingAnExecutionPurgesItsResultsOnly) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  Message m = msg("c-exec", 0);
  m.execution_id = ex->id;
  auto written = add(alice_, {m, msg("c-other", 0)});
  ASSERT_TRUE(store_->add_score(Scope::user(alice_), verdict(written[0].id)).get());
  AttackResult r;
  r.execution_id = ex->id;
  r.conversation_id = "c-exec";
  r.outcome = "achieved";
  ASSERT_TRUE(store_->add_attack_result(Scope::user(alice_), r).get());
  EXPECT_EQ(store_->delete_execution(Scope::user(bob_), ex->id).get().error().code(),
            ErrorCode::not_found);
  auto removed = store_->delete_execution(Scope::user(alice_), ex->id).get();
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(store_->get_message(Scope::user(alice_), written[0].id).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(store_->get_message(Scope::user(alice_), written[1].id));
  EXPECT_TRUE(items(store_->list_scores(Scope::user(alice_), {}, {})).empty());
  EXPECT_TRUE(items(store_->list_attack_results(Scope::user(alice_), ex->id, {})).empty());
}

TEST_P(StoreContract, AWorkItemResultIsRecordedWholeOrNotAtAll) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  std::vector<WorkItem> work(2);
  for (int i = 0; i < 2; ++i) {
    work[i].id = ex->id + ":r" + std::to_string(i);
    work[i].execution_id = ex->id;
    work[i].prompt_id = "p";
  }
  ASSERT_EQ(*store_->add_work_items(Scope::user(alice_), work).get(), 2);
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
    Message user, reply;
    user.conversation_id = reply.conversation_id = item;
    user.role = "user";
    user.original_value = user.converted_value = "prompt";
    reply.role = "assistant";
    reply.sequence = 1;
    reply.original_value = reply.converted_value = "sure";
    r.messages = {user, reply};
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
  auto items = store_->list_work_items(Scope::user(alice_), ex->id, items_where("done"), {});
  ASSERT_EQ(items->items.size(), 1u);
  EXPECT_EQ(items->items[0].id, work[0].id);
  // Bob cannot record Alice's item.
  auto bobs = store_->record_work_item_results(Scope::user(bob_), {result(work[1].id, "w1")}).get();
  ASSERT_TRUE(bobs);
  ASSERT_TRUE((*bobs)[0]);
  EXPECT_EQ((*bobs)[0]->code(), ErrorCode::not_found);
}

TEST_P(StoreContract, ScorerConfigsAreOwnedUpdatedAndSoftDeleted) {
  ScorerConfig c;
  c.name = "refusal";
  c.scorer = R"({"type":"refusal"})";
  auto added = store_->add_scorer_config(Scope::user(alice_), c).get();
  ASSERT_TRUE(added) << added.error().message();
  EXPECT_EQ(store_->get_scorer_config(Scope::user(bob_), added->id).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(items(store_->list_scorer_configs(Scope::user(bob_), {})).empty());
  ScorerConfig change = *added;
  change.name = "renamed";
  EXPECT_EQ(store_->update_scorer_config(Scope::user(bob_), change).get().error().code(),
            ErrorCode::not_found);
  auto updated = store_->update_scorer_config(Scope::user(alice_), change).get();
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->name, "renamed");
  EXPECT_EQ(format_time(updated->created_at), format_time(added->created_at));
  c.scorer = "[1]";
  EXPECT_EQ(store_->add_scorer_config(Scope::user(alice_), c).get().error().details()->field,
            "/scorer");
  EXPECT_EQ(store_->delete_scorer_config(Scope::user(bob_), added->id).get().error().code(),
            ErrorCode::not_found);
  ASSERT_TRUE(store_->delete_scorer_config(Scope::user(alice_), added->id).get());
  EXPECT_EQ(store_->get_scorer_config(Scope::user(alice_), added->id).error().code(),
            ErrorCode::not_found);
  EXPECT_TRUE(items(store_->list_scorer_configs(Scope::user(alice_), {})).empty());
}

TEST_P(StoreContract, MergingAUserMovesTheirObjectsAndTheirIdentityFollows) {
  const auto laptop = add_user("local", "local", "admin");
  auto t = store_->add_target(Scope::user(laptop), target_named("laptop target")).get();
  ASSERT_TRUE(t) << t.error().message();
  Message m = msg("conv-laptop", 0);
  ASSERT_TRUE(store_->add_messages(Scope::user(laptop), {m}).get());
  // Only the system scope moves objects between users; nobody can name themselves owner.
  EXPECT_EQ(store_->merge_users(Scope::user(alice_), laptop, alice_).get().error().code(),
            ErrorCode::forbidden);
  EXPECT_EQ(store_->reassign_objects(Scope::system(), laptop, laptop).get().error().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(store_->reassign_objects(Scope::system(), laptop, "no-such-user")
                .get()
                .error()
                .details()
                ->field,
            "/to");

  auto moved = store_->merge_users(Scope::system(), laptop, alice_).get();
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
  EXPECT_EQ(store_->reassign_objects(Scope::system(), bob_, laptop).get().error().details()->field,
            "/to");
  ASSERT_TRUE(store_->reassign_objects(Scope::system(), alice_, bob_).get());
  EXPECT_EQ(items(store_->list_targets(Scope::user(bob_), {})).size(), 1u);
  EXPECT_EQ(add_user("https://idp.test", "alice-sub", "alice"), alice_);
}

TEST_P(StoreContract, MergingAUserMovesTheirSavedScorerConfigsToo) {
  const auto laptop = add_user("local", "local", "admin");
  ScorerConfig c;
  c.name = "laptop refusal";
  c.scorer = R"({"type":"refusal"})";
  auto added = store_->add_scorer_config(Scope::user(laptop), c).get();
  ASSERT_TRUE(added) << added.error().message();
  ASSERT_TRUE(store_->merge_users(Scope::system(), laptop, alice_).get());
  EXPECT_TRUE(store_->get_scorer_config(Scope::user(alice_), added->id));
  EXPECT_TRUE(items(store_->list_scorer_configs(Scope::user(laptop), {})).empty());
}

TEST_P(StoreContract, FinishedItemsComeInFinishingOrderWithTheirVerdictAndFilter) {
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
  ASSERT_EQ(*store_->add_work_items(Scope::user(alice_), work).get(), 4);
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
    auto out = store_->record_work_item_results(Scope::user(alice_), {r}).get();
    ASSERT_TRUE(out && !(*out)[0]);
  };
  finish(0, true);
  finish(1, false);
  finish(2, std::nullopt);
  auto all = store_->list_finished_work_items(Scope::user(alice_), ex->id, 0, 100);
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*all)[i].id, work[i].id);
    EXPECT_EQ((*all)[i].finish_seq, i + 1);
  }
  EXPECT_EQ((*all)[0].achieved, true);
  EXPECT_EQ((*all)[1].achieved, false);
  EXPECT_FALSE((*all)[2].achieved.has_value());
  auto later = store_->list_finished_work_items(Scope::user(alice_), ex->id, 2, 100);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].id, work[2].id);
  finish(3, true);
  later = store_->list_finished_work_items(Scope::user(alice_), ex->id, 2, 1);
  ASSERT_EQ(later->size(), 1u) << "the limit holds";
  EXPECT_EQ((*later)[0].finish_seq, 3);
  EXPECT_TRUE(store_->list_finished_work_items(Scope::user(bob_), ex->id, 0, 100)->empty());

  EXPECT_EQ(
      items(store_->list_work_items(Scope::user(alice_), ex->id, items_where({}, {}, true), {}))
          .size(),
      2u);
  EXPECT_EQ(
      items(store_->list_work_items(Scope::user(alice_), ex->id, items_where({}, {}, false), {}))
          .size(),
      2u)
      << "not achieved includes items without a verdict";
  EXPECT_EQ(
      items(store_->list_work_items(Scope::user(alice_), ex->id, items_where({}, 1), {})).size(),
      2u);
  EXPECT_EQ(
      items(store_->list_work_items(Scope::user(alice_), ex->id, items_where("failed", 0), {}))
          .size(),
      1u);
}

// `n` work items of one execution, prompts p0, p1, ...
std::vector<WorkItem> work_items_for(const std::string& execution_id, int n) {
  std::vector<WorkItem> work;
  for (int i = 0; i < n; ++i) {
    WorkItem w;
    w.id = execution_id + ":p" + std::to_string(i) + ":c0:a0";
    w.execution_id = execution_id;
    w.prompt_id = "p" + std::to_string(i);
    work.push_back(w);
  }
  return work;
}

TEST_P(StoreContract, AClaimRenewsTheWorkersOwnLeasesAndNeverHandsThemBack) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  auto work = work_items_for(ex->id, 4);
  ASSERT_TRUE(store_->add_work_items(Scope::user(alice_), work).get());
  const auto now = std::chrono::system_clock::now();
  // Worker a holds two items whose lease has already run out (a slow target).
  auto first =
      store_->claim_work_items(Scope::user(alice_), ex->id, "a", 2, now - std::chrono::seconds(1))
          .get();
  ASSERT_EQ(first->size(), 2u);
  // a's next claim gets the two pending items only, and renews its two old ones...
  auto second =
      store_->claim_work_items(Scope::user(alice_), ex->id, "a", 10, now + std::chrono::minutes(1))
          .get();
  ASSERT_EQ(second->size(), 2u);
  for (const auto& w : *second)
    for (const auto& held : *first) EXPECT_NE(w.id, held.id);
  // ...so worker b finds nothing to take over.
  EXPECT_TRUE(
      store_->claim_work_items(Scope::user(alice_), ex->id, "b", 10, now + std::chrono::minutes(1))
          .get()
          ->empty());
}

// A claim rewrites only held leases that were not renewed within the last eighth of a lease:
// a claim comes every few hundred items, and rewriting every held row each time cost the
// writer more than the claim itself.
TEST_P(StoreContract, AClaimLeavesFreshLeasesAndRenewsOlderOnes) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  ASSERT_TRUE(store_->add_work_items(Scope::user(alice_), work_items_for(ex->id, 3)).get());
  const auto now = std::chrono::system_clock::now();
  const auto first_lease = now + std::chrono::minutes(2);
  auto held = store_->claim_work_items(Scope::user(alice_), ex->id, "a", 1, first_lease).get();
  ASSERT_EQ(held->size(), 1u);
  auto lease_of_held = [&] {
    auto items = store_->list_work_items(Scope::user(alice_), ex->id, {}, {});
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
  ASSERT_TRUE(store_->claim_work_items(Scope::user(alice_), ex->id, "a", 1, later).get());
  EXPECT_EQ(lease_of_held(), format_time(later));
  EXPECT_LT(renewal_threshold(now, later), later);
  EXPECT_GT(renewal_threshold(now, later), now + std::chrono::minutes(17));
}

TEST_P(StoreContract, WorkItemsAreAddedOnceClaimedWithLeasesAndFinishedByTheirClaimant) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  auto work = work_items_for(ex->id, 5);
  EXPECT_EQ(*store_->add_work_items(Scope::user(alice_), work).get(), 5);
  EXPECT_EQ(*store_->add_work_items(Scope::user(alice_), work).get(), 0) << "ids are deterministic";
  EXPECT_EQ(*store_->add_work_items(Scope::user(bob_), work).get(), 0) << "not Bob's execution";
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
  EXPECT_EQ(store_->finish_work_item(Scope::user(alice_), (*a)[0].id, "worker-b", "done", "conv")
                .get()
                .error()
                .code(),
            ErrorCode::conflict);
  auto fin =
      store_->finish_work_item(Scope::user(alice_), (*a)[0].id, "worker-a", "done", "conv-1").get();
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
  EXPECT_EQ(store_->finish_work_item(Scope::user(alice_), (*b)[0].id, "worker-b", "done", "late")
                .get()
                .error()
                .code(),
            ErrorCode::conflict)
      << "a worker whose lease was taken over cannot finish the item";
  EXPECT_EQ(
      items(store_->list_work_items(Scope::user(alice_), ex->id, items_where("done"), {})).size(),
      1u);
  EXPECT_TRUE(items(store_->list_work_items(Scope::user(bob_), ex->id, {}, {})).empty());
  EXPECT_FALSE(
      store_->finish_work_item(Scope::user(alice_), (*a)[1].id, "worker-a", "exploded", "").get());
}

TEST_P(StoreContract, AttackResultsBelongToOwnExecutions) {
  Execution e;
  e.orchestrator_id = "o";
  auto ex = store_->add_execution(Scope::user(alice_), e).get();
  AttackResult r;
  r.execution_id = ex->id;
  r.conversation_id = "c";
  r.objective = "get the system prompt";
  r.outcome = "not_achieved";
  r.turns = 1;
  ASSERT_TRUE(store_->add_attack_result(Scope::user(alice_), r).get());
  auto bobs = store_->add_attack_result(Scope::user(bob_), r).get();
  ASSERT_FALSE(bobs);
  EXPECT_EQ(bobs.error().details()->field, "/execution_id");
  r.outcome = "maybe";
  EXPECT_EQ(store_->add_attack_result(Scope::user(alice_), r).get().error().details()->field,
            "/outcome");
  auto listed = items(store_->list_attack_results(Scope::user(alice_), ex->id, {}));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].objective, "get the system prompt");
  EXPECT_TRUE(items(store_->list_attack_results(Scope::user(bob_), ex->id, {})).empty());
}

std::string everything(const Target& t) {
  return t.id + t.owner + t.name + t.type + t.config + t.secret_ciphertext + t.api_key_env;
}
std::string everything(const Orchestrator& o) {
  return o.id + o.owner + o.name + o.type + o.definition + o.config_hash;
}
std::string everything(const Dataset& d) {
  return d.id + d.owner + d.name + d.description;
}
std::string everything(const Execution& e) {
  return e.id + e.owner + e.orchestrator_id + e.status + e.snapshot + e.error;
}
std::string everything(const WorkItem& w) {
  return w.id + w.owner + w.execution_id + w.prompt_id + w.claimed_by + w.conversation_id + w.error;
}
std::string everything(const AttackResult& r) {
  return r.id + r.owner + r.execution_id + r.conversation_id + r.objective + r.metadata;
}
std::string everything(const ApiKey& k) {
  return k.id + k.owner + k.name + k.prefix + k.secret_hash;
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

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values(Backend{"sqlite", open_sqlite}),
                         [](const ::testing::TestParamInfo<Backend>& p) { return p.param.name; });

}  // namespace
}  // namespace redcell::memory
