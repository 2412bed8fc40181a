// The RecordRepository contract: messages and their scores.
#include <boost/json.hpp>
#include <map>

#include "contract.hpp"

namespace redcell::memory::contract {
namespace {

using RecordContract = RepositoryContract<RecordRepository>;

TEST_P(RecordContract, MessagesRoundTripEveryFieldAndAreReadableOnceTheWriteCompletes) {
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
  auto back = repo().get_message(Scope::user(alice_), w.id);
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

TEST_P(RecordContract, AnUnconvertedMessageReadsBackWithBothValues) {
  auto written = add(alice_, {msg("plain", 0, "as sent")})[0];
  auto back = repo().get_message(Scope::user(alice_), written.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->converted_value, "as sent");
  EXPECT_EQ(back->converted_value_sha256, back->original_value_sha256);
  EXPECT_EQ(back->converted_value_sha256, written.original_value_sha256);
  Message empty = msg("plain", 1, "");
  auto e = add(alice_, {empty})[0];
  EXPECT_EQ(repo().get_message(Scope::user(alice_), e.id)->converted_value, "");
}

TEST_P(RecordContract, ABadMessageFailsTheWholeCallNamingItsFieldAndWritesNothing) {
  std::vector<Message> ms = {msg("c", 0), msg("c", 1)};
  ms[1].role = "robot";
  auto r = repo().add_messages(Scope::user(alice_), ms).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/messages/1/role");
  EXPECT_EQ(r.error().details()->value, boost::json::value("robot"));
  ms[1].role = "user";
  ms[1].labels = "[1]";
  r = repo().add_messages(Scope::user(alice_), ms).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/messages/1/labels");
  EXPECT_TRUE(repo().list_messages(Scope::user(alice_), {}, {})->items.empty());
}

TEST_P(RecordContract, ConversationPagesFollowSequenceWithoutGapsOrRepeats) {
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
    auto p = repo().list_messages(Scope::user(alice_), f, page);
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

TEST_P(RecordContract, BatchReadsReturnOnlyTheScopesConversationsAndScoresInOrder) {
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
  auto got = repo().messages_of_conversations(Scope::user(alice_), ids);
  ASSERT_TRUE(got) << got.error().message();
  ASSERT_EQ(got->size(), ms.size());
  std::map<std::string, std::vector<std::int64_t>> order;
  for (const auto& m : *got) order[m.conversation_id].push_back(m.sequence);
  EXPECT_EQ(order.size(), ids.size());
  EXPECT_EQ(order["conv-7"], (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(order[uuid_conv].size(), 1u);
  for (const auto& m : *got) EXPECT_EQ(m.owner, alice_);
  auto bobs = repo().messages_of_conversations(Scope::user(bob_), ids);
  ASSERT_TRUE(bobs);
  ASSERT_EQ(bobs->size(), 1u) << "bob reads his own conv-3 and none of alice's";
  EXPECT_EQ(bobs->front().original_value, "bob's own conv-3");
  EXPECT_TRUE(repo().messages_of_conversations(Scope::user(alice_), {})->empty());

  auto a = repo().add_score(Scope::user(alice_), verdict(stored[0].id, "true")).get();
  auto b = repo().add_score(Scope::user(alice_), verdict(stored[0].id, "false")).get();
  auto c = repo().add_score(Scope::user(alice_), verdict(stored.back().id)).get();
  ASSERT_TRUE(a && b && c);
  std::vector<std::string> message_ids;
  for (const auto& m : stored) message_ids.push_back(m.id);
  auto scores = repo().scores_of_messages(Scope::user(alice_), message_ids);
  ASSERT_TRUE(scores) << scores.error().message();
  ASSERT_EQ(scores->size(), 3u);
  EXPECT_EQ(repo().scores_of_messages(Scope::user(bob_), message_ids)->size(), 0u);
}

TEST_P(RecordContract, ExecutionListingPagesByTimeOrderedId) {
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
    auto p = repo().list_messages(Scope::user(alice_), f, page);
    ASSERT_TRUE(p);
    for (auto& m : p->items) ids.push_back(m.id);
    if (!p->next) break;
    page.after = *p->next;
  }
  ASSERT_EQ(ids.size(), 12u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], written[i].id);
}

TEST_P(RecordContract, ACursorFromAnotherListingIsRefused) {
  add(alice_, {msg("c", 0), msg("c", 1)});
  MessageFilter f;
  f.conversation_id = "c";
  PageRequest page;
  page.after = Cursor{{"only-one-key"}};
  auto r = repo().list_messages(Scope::user(alice_), f, page);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/query/cursor");
}

TEST_P(RecordContract, ScoresAttachToOwnMessagesAndKeepTheScorersValueUnderAnOverride) {
  auto m = add(alice_, {msg("c", 1)})[0];
  Score s = verdict(m.id);
  s.rationale = "found 'sure'";
  auto added = repo().add_score(Scope::user(alice_), s).get();
  ASSERT_TRUE(added) << added.error().message();
  auto over = repo()
                  .override_score(Scope::user(alice_), added->id, "false", "the reply is a refusal")
                  .get();
  ASSERT_TRUE(over) << over.error().message();
  auto back = repo().get_score(Scope::user(alice_), added->id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->value, "true");
  EXPECT_EQ(back->override_value, "false");
  EXPECT_EQ(back->override_reason, "the reply is a refusal");
  EXPECT_EQ(back->overridden_by, alice_);
  EXPECT_TRUE(back->overridden_at);
  auto bad = repo().override_score(Scope::user(alice_), added->id, "0.5", "x").get();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().details()->field, "/value");
  ScoreFilter f;
  f.message_id = m.id;
  EXPECT_EQ(repo().list_scores(Scope::user(alice_), f, {})->items.size(), 1u);
}

TEST_P(RecordContract, ScoreValuesMustFitTheirType) {
  auto m = add(alice_, {msg("c", 1)})[0];
  Score s;
  s.message_id = m.id;
  s.scorer_type = "likert";
  s.score_type = "float_scale";
  for (const char* bad : {"1.5", "-0.1", "high", ""}) {
    s.value = bad;
    auto r = repo().add_score(Scope::user(alice_), s).get();
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().details()->field, "/value");
  }
  s.value = "0.75";
  EXPECT_TRUE(repo().add_score(Scope::user(alice_), s).get());
}

// The store remembers the last JSON texts it found valid (a chain or a scorer identity comes
// again on every row); a text seen valid as one kind, or a broken one, is still refused.
TEST_P(RecordContract, JsonFieldsAreCheckedEveryTimeEvenWhenTheSameTextCameBefore) {
  auto m = add(alice_, {msg("c", 1)})[0];
  Score s = verdict(m.id);
  s.scorer_identity = R"({"type":"substring","params":{"substring":"sure"}})";
  s.metadata = R"({"objective":true})";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(repo().add_score(Scope::user(alice_), s).get());
  for (const char* bad : {"", "[]", "{\"objective\":true", "[{\"objective\":true}]"}) {
    Score b = s;
    b.metadata = bad;
    auto r = repo().add_score(Scope::user(alice_), b).get();
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().details()->field, "/metadata");
  }
  // "{}" is a valid object: as a message's converter list (an array) it is refused.
  Message wrong = msg("c", 2);
  wrong.labels = "{}";
  wrong.converters = "{}";
  auto r = repo().add_messages(Scope::user(alice_), {wrong}).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/messages/0/converters");
  ScoreFilter f;
  f.message_id = m.id;
  EXPECT_EQ(repo().list_scores(Scope::user(alice_), f, {})->items.size(), 3u);
}

TEST_P(RecordContract, NoOneScoresOrOverridesAnotherUsersRows) {
  auto m = add(alice_, {msg("c", 1)})[0];
  Score s = verdict(m.id);
  auto r = repo().add_score(Scope::user(bob_), s).get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details()->field, "/message_id");
  auto mine = repo().add_score(Scope::user(alice_), s).get();
  ASSERT_TRUE(mine);
  auto o = repo().override_score(Scope::user(bob_), mine->id, "false", "mine now").get();
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code(), ErrorCode::not_found);
  EXPECT_EQ(repo().get_score(Scope::user(alice_), mine->id)->override_value, std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordContract, ::testing::ValuesIn(backends_for("records")),
                         backend_name);

}  // namespace
}  // namespace redcell::memory::contract
