// red_teaming against a fake AttackContext: what it sends, stores and records, and how it
// goes on from stored turns after a restart.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <deque>

#include "engine/attack.hpp"

namespace redcell {
namespace {

class FakeContext final : public AttackContext, public LlmClient {
 public:
  memory::WorkItem work;
  QueuedPrompt objective{"get the code", "[]"};
  OrchestratorDefinition def;
  std::map<std::string, std::vector<memory::Message>> store;  // by conversation
  std::vector<TargetRequest> sent_to_target;
  std::deque<std::string> target_replies;
  int attacker_calls = 0;
  std::string chain = "[]";
  std::vector<std::string> none;

  FakeContext() {
    work.id = "item-1";
    def.type = "red_teaming";
    def.adversarial_target_id = "attacker";
    def.max_turns = 4;
  }

  const memory::WorkItem& item() const override { return work; }
  const QueuedPrompt* prompt() const override { return &objective; }
  const OrchestratorDefinition& definition() const override { return def; }
  Task<Result<std::string>> convert(std::string text, std::uint64_t round) override {
    rounds.push_back(round);
    co_return text;
  }
  std::uint64_t seed() const override { return 0; }
  std::string conversation_id(std::string_view name) const override {
    // Not the item's id, as in the runner: a strategy must not mix the two up.
    return "conv-of-item-1/" + std::string(name);
  }
  Task<Result<std::string>> branch(std::string, std::int64_t, std::string) override {
    co_return fail(ErrorCode::internal, "red_teaming does not branch");
  }
  std::vector<std::uint64_t> rounds;  // the turn each conversion was seeded with
  Task<std::optional<Sent>> send(TargetRequest request) override {
    sent_to_target.push_back(request);
    Sent s;
    s.result = TargetReply{target_replies.front(), "none", "", 1, 1};
    target_replies.pop_front();
    s.attempts.push_back({TimePoint{}, "ok", std::nullopt});
    co_return s;
  }
  bool scores_conversation() const override { return true; }
  std::vector<std::vector<ChatTurn>> scored_after;  // what each score was told was sent
  Task<Verdicts> score(const std::string& reply, const std::string&,
                       const std::vector<ChatTurn>& sent) override {
    scored_after.push_back(sent);
    Verdicts v;
    v.achieved = reply.find("1234") != std::string::npos;
    v.objective_rationale = *v.achieved ? "leaked" : "held";
    memory::Score sc;
    sc.score_type = "true_false";
    sc.value = *v.achieved ? "true" : "false";
    sc.rationale = *v.achieved ? "leaked" : "held";
    sc.metadata = R"({"objective":true})";
    v.scores.push_back(sc);
    co_return v;
  }
  LlmClient& llm() override { return *this; }
  Task<Result<Exchange>> ask(const std::string&, std::vector<ChatTurn>, std::string) override {
    co_return fail(ErrorCode::internal, "unused");
  }
  Task<std::optional<Sent>> send_helper(const std::string& target, TargetRequest) override {
    EXPECT_EQ(target, "attacker");
    ++attacker_calls;
    Sent s;
    s.result = TargetReply{R"({"next_message": "message )" + std::to_string(attacker_calls) +
                               R"(", "rationale": "r"})",
                           "none", "", 1, 1};
    co_return s;
  }
  Task<Result<std::int64_t>> checkpoint(memory::WorkItemResult partial) override {
    for (auto& m : partial.messages) store[m.conversation_id].push_back(m);
    co_return static_cast<std::int64_t>(partial.messages.size());
  }
  Task<Result<std::vector<memory::Message>>> stored(const std::string& id) override {
    co_return store[id];
  }
  bool cancelled() const override { return false; }
  memory::Message message(std::string role) const override {
    memory::Message m;
    m.conversation_id = conversation_id("objective");
    m.role = std::move(role);
    return m;
  }
  const std::string& chain_json() const override { return chain; }
  const std::vector<std::string>& converter_conversations() const override { return none; }
};

std::optional<memory::WorkItemResult> run(FakeContext& ctx) {
  boost::asio::io_context io;
  std::optional<memory::WorkItemResult> out;
  boost::asio::co_spawn(io, red_teaming_strategy().run(ctx),
                        [&](std::exception_ptr e, std::optional<memory::WorkItemResult> r) {
                          if (e) std::rethrow_exception(e);
                          out = std::move(r);
                        });
  io.run();
  return out;
}

TEST(RedTeaming, StopsAtTheFirstSuccessWithEveryTurnStored) {
  FakeContext ctx;
  ctx.target_replies = {"no", "still no", "fine: 1234", "unused"};
  auto r = run(ctx);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "done");
  EXPECT_EQ(r->achieved, true);
  ASSERT_TRUE(r->attack);
  EXPECT_EQ(r->attack->outcome, "achieved");
  EXPECT_EQ(r->attack->turns, 3);
  EXPECT_TRUE(r->messages.empty()) << "the turns were stored as they happened";
  EXPECT_EQ(ctx.store["conv-of-item-1/objective"].size(), 6u);
  EXPECT_EQ(ctx.store["conv-of-item-1/attacker"].size(), 7u);  // system + 3 x (user, assistant)
  // Each send carries the whole conversation so far.
  ASSERT_EQ(ctx.sent_to_target.size(), 3u);
  EXPECT_EQ(ctx.sent_to_target[2].messages.size(), 5u);
  EXPECT_EQ(ctx.sent_to_target[2].messages.back().content, "message 3");
  // The attacker heard the target's last reply and the verdict.
  EXPECT_NE(ctx.store["conv-of-item-1/attacker"][5].converted_value.find("still no"),
            std::string::npos);
  // Each turn's conversion draws from its own seed (random converters differ per turn).
  EXPECT_EQ(ctx.rounds, (std::vector<std::uint64_t>{0, 1, 2}));
  // A conversation scorer is told the whole conversation sent before each reply.
  ASSERT_EQ(ctx.scored_after.size(), 3u);
  ASSERT_EQ(ctx.scored_after[2].size(), 5u);
  EXPECT_EQ(ctx.scored_after[2][1].role, "assistant");
  EXPECT_EQ(ctx.scored_after[2][1].content, "no");
  EXPECT_EQ(ctx.scored_after[2][3].content, "still no");
  EXPECT_EQ(ctx.scored_after[2][4].content, "message 3");
}

TEST(RedTeaming, GoesOnFromStoredTurnsWithoutSendingThemAgain) {
  FakeContext first;
  first.def.max_turns = 2;  // a run that "stopped" after two turns
  first.target_replies = {"no", "still no"};
  ASSERT_TRUE(run(first));
  FakeContext again;
  again.store = first.store;  // what the store kept
  again.attacker_calls = 2;
  again.target_replies = {"no again", "ok: 1234"};
  auto r = run(again);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->turns, 4);
  EXPECT_EQ(r->attack->outcome, "achieved");
  ASSERT_EQ(again.sent_to_target.size(), 2u) << "turns 1 and 2 were not sent again";
  EXPECT_EQ(again.rounds, (std::vector<std::uint64_t>{2, 3})) << "seeded as the first run would";
  EXPECT_EQ(again.sent_to_target[0].messages.size(), 5u);  // 2 stored turns + the new message
  EXPECT_EQ(again.sent_to_target[0].messages[3].content, "still no");
  EXPECT_EQ(again.store["conv-of-item-1/objective"].size(), 8u);
  std::int64_t seq = 0;
  for (const auto& m : again.store["conv-of-item-1/objective"]) EXPECT_EQ(m.sequence, seq++);
}

TEST(RedTeaming, AnAttemptAlreadyAchievedBeforeARestartSendsNothing) {
  FakeContext first;
  first.target_replies = {"1234"};
  ASSERT_TRUE(run(first));
  FakeContext again;
  again.store = first.store;
  auto r = run(again);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "achieved");
  EXPECT_TRUE(again.sent_to_target.empty());
  EXPECT_EQ(again.attacker_calls, 0);
}

TEST(RedTeaming, AGuardThatHoldsEndsNotAchievedAfterMaxTurns) {
  FakeContext ctx;
  ctx.target_replies = {"no", "no", "no", "no"};
  auto r = run(ctx);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "not_achieved");
  EXPECT_EQ(r->attack->turns, 4);
  EXPECT_EQ(r->counts.scored, 1);
  EXPECT_EQ(r->counts.achieved, 0);
}

}  // namespace
}  // namespace redcell
