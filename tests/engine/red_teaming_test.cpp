// red_teaming, crescendo and tree_of_attacks against a fake AttackContext: what they send,
// store and record, how they go on from stored turns after a restart, how crescendo takes a
// refused turn back and how a tree prunes its branches.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <deque>
#include <set>

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
  std::set<std::string> failing_branches;  // tree branches whose attacker call fails
  std::string chain = "[]";
  std::vector<std::string> none;
  std::vector<std::vector<std::pair<std::size_t, memory::Score>>> stored_scores;  // per turn

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
  // A copy of `from` up to a sequence into conversation `name`, unless it holds one already.
  int branches_made = 0;
  Task<Result<std::string>> branch(std::string from, std::int64_t up_to,
                                   std::string name) override {
    const std::string id = conversation_id(name);
    if (!store[id].empty()) co_return id;
    ++branches_made;
    for (auto m : store[from]) {
      if (m.sequence > up_to) continue;
      auto meta = boost::json::parse(m.metadata.empty() ? "{}" : m.metadata).as_object();
      meta["copied_from"] = from;
      m.metadata = boost::json::serialize(meta);
      m.conversation_id = id;
      store[id].push_back(m);
    }
    co_return id;
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
  Task<std::optional<Sent>> send_helper(const std::string& target, TargetRequest request) override {
    EXPECT_EQ(target, "attacker");
    ++attacker_calls;
    // A tree's branch is named in what the attacker is asked; it writes "message <branch>".
    const std::string& ask = request.messages.back().content;
    const auto at = ask.find("branch tap-");
    const std::string label = at == std::string::npos
                                  ? std::to_string(attacker_calls)
                                  : ask.substr(at + 7, ask.find_first_of(",.", at) - at - 7);
    Sent s;
    if (failing_branches.count(label)) {
      s.result =
          std::unexpected(TargetFailure{"the attacker is down", false, std::nullopt, "unknown"});
      co_return s;
    }
    s.result = TargetReply{R"({"next_message": "message )" + label + R"(", "rationale": "r"})",
                           "none", "", 1, 1};
    co_return s;
  }
  Task<Result<std::int64_t>> checkpoint(memory::WorkItemResult partial) override {
    for (auto& m : partial.messages) store[m.conversation_id].push_back(m);
    ++checkpoints;
    stored_scores.push_back(partial.scores);
    co_return static_cast<std::int64_t>(partial.messages.size());
  }
  Task<Result<std::vector<memory::Message>>> stored(const std::string& id) override {
    co_return store[id];
  }
  int cancel_after_checkpoints = -1;  // the run is stopped once this many turns are stored
  int checkpoints = 0;
  bool cancelled() const override {
    return cancel_after_checkpoints >= 0 && checkpoints >= cancel_after_checkpoints;
  }
  // Crescendo's refusal check: a reply saying "refuse" is a refusal; "judge down" fails it.
  std::vector<std::vector<ChatTurn>> refusal_checked_after;
  Task<Result<memory::Score>> judge_side(Side, const std::string& reply, const std::string&,
                                         const std::vector<ChatTurn>& sent) override {
    refusal_checked_after.push_back(sent);
    if (reply.find("judge down") != std::string::npos)
      co_return fail(ErrorCode::unavailable, "the refusal judge is down");
    memory::Score sc;
    sc.scorer_type = "refusal";
    sc.score_type = "true_false";
    sc.value = reply.find("refuse") != std::string::npos ? "true" : "false";
    sc.metadata = R"({"objective":false,"refusal_check":true})";
    co_return sc;
  }
  memory::Message message(std::string role) const override {
    memory::Message m;
    m.conversation_id = conversation_id("objective");
    m.role = std::move(role);
    return m;
  }
  const std::string& chain_json() const override { return chain; }
  const std::vector<std::string>& converter_conversations() const override { return none; }
};

std::optional<memory::WorkItemResult> run(FakeContext& ctx,
                                          const AttackStrategy& strategy = red_teaming_strategy()) {
  boost::asio::io_context io;
  std::optional<memory::WorkItemResult> out;
  boost::asio::co_spawn(io, strategy.run(ctx),
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

FakeContext crescendo(int max_turns, int max_backtracks) {
  FakeContext ctx;
  ctx.def.type = "crescendo";
  ctx.def.max_turns = max_turns;
  ctx.def.max_backtracks = max_backtracks;
  return ctx;
}

bool taken_back(const memory::Message& m) {
  return boost::json::parse(m.metadata).as_object().contains("backtracked");
}

TEST(Crescendo, ARefusedTurnIsTakenBackAndNeverSentAgain) {
  auto ctx = crescendo(4, 10);
  ctx.target_replies = {"vaults keep things safe", "I refuse to say", "ok: 1234"};
  auto r = run(ctx, crescendo_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "achieved");
  EXPECT_EQ(r->attack->turns, 2) << "the refused turn does not count";
  EXPECT_EQ(boost::json::parse(r->attack->metadata).at("backtracks").as_int64(), 1);
  ASSERT_EQ(ctx.sent_to_target.size(), 3u);
  // The third send holds turn 1 and the new message: not the refused one, nor its reply.
  const auto& third = ctx.sent_to_target[2].messages;
  ASSERT_EQ(third.size(), 3u);
  EXPECT_EQ(third[0].content, "message 1");
  EXPECT_EQ(third[1].content, "vaults keep things safe");
  EXPECT_EQ(third[2].content, "message 3");
  // Stored as it happened, the refused exchange marked on both of its messages.
  const auto& conv = ctx.store["conv-of-item-1/objective"];
  ASSERT_EQ(conv.size(), 6u);
  EXPECT_EQ((std::vector<bool>{taken_back(conv[0]), taken_back(conv[1]), taken_back(conv[2]),
                               taken_back(conv[3]), taken_back(conv[4]), taken_back(conv[5])}),
            (std::vector<bool>{false, false, true, true, false, false}));
  EXPECT_EQ(boost::json::parse(conv[3].metadata).at("backtrack").as_int64(), 1);
  EXPECT_FALSE(boost::json::parse(conv[3].metadata).as_object().contains("score_value"))
      << "a taken-back reply is not judged against the objective";
  // The refused reply holds only the refusal check's score; the others both scores.
  ASSERT_EQ(ctx.stored_scores.size(), 3u);
  EXPECT_EQ(ctx.stored_scores[1].size(), 1u);
  EXPECT_EQ(ctx.stored_scores[1][0].second.scorer_type, "refusal");
  EXPECT_EQ(ctx.stored_scores[2].size(), 2u);
  // The attacker heard the refusal and that it was taken back.
  const auto& att = ctx.store["conv-of-item-1/attacker"];
  ASSERT_EQ(att.size(), 7u);
  EXPECT_NE(att[5].converted_value.find("refused"), std::string::npos);
  EXPECT_NE(att[5].converted_value.find("I refuse to say"), std::string::npos);
  EXPECT_NE(att[5].converted_value.find("9 take-backs are left"), std::string::npos);
  EXPECT_NE(att[5].converted_value.find("turn 2 of 4"), std::string::npos);
  EXPECT_NE(att[0].converted_value.find("at most 4 turns"), std::string::npos);
  // Each send, the refused one too, converts with its own seed.
  EXPECT_EQ(ctx.rounds, (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST(Crescendo, OnceTheBacktracksAreUsedARefusalCountsAsATurn) {
  auto ctx = crescendo(2, 1);
  ctx.target_replies = {"I refuse", "I refuse again", "no"};
  auto r = run(ctx, crescendo_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "not_achieved");
  EXPECT_EQ(r->attack->turns, 2);
  EXPECT_EQ(boost::json::parse(r->attack->metadata).at("backtracks").as_int64(), 1);
  ASSERT_EQ(ctx.sent_to_target.size(), 3u);
  // The second refusal stayed in the conversation the target sees.
  EXPECT_EQ(ctx.sent_to_target[2].messages.size(), 3u);
  EXPECT_EQ(ctx.sent_to_target[2].messages[1].content, "I refuse again");
  EXPECT_EQ(ctx.stored_scores[1].size(), 2u) << "judged: the refusal check and the objective";
}

TEST(Crescendo, NoBacktracksAllowedSendsEveryTurnOnce) {
  auto ctx = crescendo(2, 0);
  ctx.target_replies = {"I refuse", "no"};
  auto r = run(ctx, crescendo_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->turns, 2);
  EXPECT_EQ(ctx.sent_to_target.size(), 2u);
}

TEST(Crescendo, GoesOnAfterARestartThatFollowedATakenBackTurn) {
  auto first = crescendo(3, 10);
  first.target_replies = {"sure", "I refuse"};
  first.cancel_after_checkpoints = 2;  // stopped right after the refused turn was stored
  EXPECT_FALSE(run(first, crescendo_strategy())) << "given back, not finished";
  auto again = crescendo(3, 10);
  again.store = first.store;
  again.attacker_calls = 2;
  again.target_replies = {"ok: 1234"};
  auto r = run(again, crescendo_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "achieved");
  EXPECT_EQ(r->attack->turns, 2);
  EXPECT_EQ(boost::json::parse(r->attack->metadata).at("backtracks").as_int64(), 1);
  ASSERT_EQ(again.sent_to_target.size(), 1u) << "nothing stored was sent again";
  const auto& sent = again.sent_to_target[0].messages;
  ASSERT_EQ(sent.size(), 3u) << "turn 1 and the new message; the refused turn stays out";
  EXPECT_EQ(sent[1].content, "sure");
  EXPECT_EQ(again.rounds, (std::vector<std::uint64_t>{2})) << "seeded as the first run would";
  // The attacker is told about the refusal read back from the store.
  const auto& att = again.store["conv-of-item-1/attacker"];
  EXPECT_NE(att[att.size() - 2].converted_value.find("I refuse"), std::string::npos);
  std::int64_t seq = 0;
  for (const auto& m : again.store["conv-of-item-1/objective"]) EXPECT_EQ(m.sequence, seq++);
}

TEST(Crescendo, AFailedRefusalCheckLeavesTheTurnToTheObjectiveScorer) {
  auto ctx = crescendo(1, 10);
  ctx.target_replies = {"judge down, and 1234"};
  auto r = run(ctx, crescendo_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "achieved");
  const auto meta = boost::json::parse(ctx.store["conv-of-item-1/objective"].back().metadata);
  EXPECT_EQ(meta.at("refusal_check_error").as_string(), "the refusal judge is down");
  // The refusal check is told what was sent before the reply.
  ASSERT_EQ(ctx.refusal_checked_after.size(), 1u);
  EXPECT_EQ(ctx.refusal_checked_after[0].back().content, "message 1");
}

FakeContext tree(int width, int depth, int factor) {
  FakeContext ctx;
  ctx.def.type = "tree_of_attacks";
  ctx.def.width = width;
  ctx.def.depth = depth;
  ctx.def.branching_factor = factor;
  ctx.def.on_topic_check = false;
  return ctx;
}

std::vector<std::string> contents(const TargetRequest& r) {
  std::vector<std::string> out;
  for (const auto& t : r.messages) out.push_back(t.content);
  return out;
}

TEST(TreeOfAttacks, EachLevelGrowsFromTheKeptBranchesAndTheWinnerIsTheItemsConversation) {
  auto ctx = tree(1, 3, 2);
  ctx.target_replies = {"no", "no", "no", "ok: 1234"};
  auto r = run(ctx, tree_of_attacks_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "achieved");
  EXPECT_EQ(r->attack->turns, 2);
  EXPECT_EQ(r->conversation_id, "conv-of-item-1/tap-2-1") << "the winning branch";
  const auto meta = boost::json::parse(r->attack->metadata);
  EXPECT_EQ(meta.at("nodes").as_int64(), 4);
  EXPECT_EQ(meta.at("pruned").as_int64(), 2);  // tap-1-1 (a tie kept the first), tap-2-0
  ASSERT_EQ(ctx.sent_to_target.size(), 4u);
  // Level 2 carries the kept level-1 branch (tap-1-0), not the pruned one.
  EXPECT_EQ(contents(ctx.sent_to_target[3]),
            (std::vector<std::string>{"message tap-1-0", "no", "message tap-2-1"}));
  EXPECT_EQ(ctx.checkpoints, 2) << "one write per level";
  EXPECT_EQ(ctx.branches_made, 4) << "each level-2 child copies its target and attacker sides";
}

TEST(TreeOfAttacks, GoesOnFromAStoredLevelWithoutSendingItAgain) {
  auto first = tree(1, 3, 2);
  first.target_replies = {"no", "no"};
  first.cancel_after_checkpoints = 1;  // stopped once level 1 was stored
  EXPECT_FALSE(run(first, tree_of_attacks_strategy()));
  auto again = tree(1, 3, 2);
  again.store = first.store;
  again.target_replies = {"no", "ok: 1234"};
  auto r = run(again, tree_of_attacks_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "achieved");
  ASSERT_EQ(again.sent_to_target.size(), 2u) << "level 1 was read back, not sent again";
  EXPECT_EQ(contents(again.sent_to_target[1]),
            (std::vector<std::string>{"message tap-1-0", "no", "message tap-2-1"}));
  EXPECT_EQ(boost::json::parse(r->attack->metadata).at("nodes").as_int64(), 4);
}

TEST(TreeOfAttacks, AllLevelsWithoutSuccessEndNotAchievedOnTheBestBranch) {
  auto ctx = tree(2, 2, 2);
  ctx.target_replies = {"no", "no", "no", "no", "no", "no"};
  auto r = run(ctx, tree_of_attacks_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "not_achieved");
  EXPECT_EQ(ctx.sent_to_target.size(), 6u) << "2 at level 1, 2 kept x 2 children at level 2";
  EXPECT_EQ(r->conversation_id, "conv-of-item-1/tap-2-0");
  EXPECT_EQ(boost::json::parse(r->attack->metadata).at("pruned").as_int64(), 2);
}

TEST(TreeOfAttacks, ABranchWhoseAttackerFailedIsPrunedAndItsLevelIsNotRedone) {
  auto first = tree(1, 3, 2);
  first.failing_branches = {"tap-1-0"};
  first.target_replies = {"no"};
  first.cancel_after_checkpoints = 1;
  EXPECT_FALSE(run(first, tree_of_attacks_strategy()));
  ASSERT_EQ(first.sent_to_target.size(), 1u) << "only tap-1-1 was sent";
  auto again = tree(1, 3, 2);
  again.store = first.store;
  again.target_replies = {"no", "ok: 1234"};
  auto r = run(again, tree_of_attacks_strategy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attack->outcome, "achieved");
  ASSERT_EQ(again.sent_to_target.size(), 2u) << "level 1 was read back, its failure too";
  EXPECT_EQ(contents(again.sent_to_target[0]).front(), "message tap-1-1");
  EXPECT_EQ(boost::json::parse(r->attack->metadata).at("pruned").as_int64(), 2);
}

}  // namespace
}  // namespace redcell
