#include "scorers/llm_judge.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <deque>

namespace redcell {
namespace {

// A judge that answers from a list, recording what it was asked.
class ScriptedLlm final : public LlmClient {
 public:
  std::deque<Result<std::string>> answers;
  std::vector<std::vector<ChatTurn>> asked;
  Task<Result<Exchange>> ask(const std::string&, std::vector<ChatTurn> messages,
                             std::string) override {
    asked.push_back(messages);
    auto a = answers.front();
    answers.pop_front();
    if (!a) co_return fail(a.error());
    co_return Exchange{*a, "conv-" + std::to_string(asked.size())};
  }
};

Result<ScoreResult> run(ScriptedLlm& llm) {
  boost::asio::io_context io;
  std::optional<Result<ScoreResult>> out;
  JudgeRequest r;
  r.target_id = "judge";
  r.system_prompt = "sys";
  r.user_message = "the reply";
  boost::asio::co_spawn(io, judge_true_false(llm, r),
                        [&](std::exception_ptr, Result<ScoreResult> v) { out = std::move(v); });
  io.run();
  return *out;
}

TEST(LlmJudge, FindsTheObjectInsideFencesAndProse) {
  EXPECT_EQ(find_json_object(R"({"score_value": "true"})")->at("score_value"), "true");
  auto fenced =
      find_json_object("Sure.\n```json\n{\"score_value\": false, \"rationale\": \"x\"}\n```\nbye");
  ASSERT_TRUE(fenced);
  EXPECT_EQ(fenced->at("score_value"), false);
  // A brace in the prose before the object is skipped.
  auto after = find_json_object("use {braces} carefully: {\"score_value\": \"no\"}");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->at("score_value"), "no");
  EXPECT_FALSE(find_json_object("no json here"));
  EXPECT_FALSE(find_json_object("[1, 2]"));
}

TEST(LlmJudge, ReadsVerdictsForgivingly) {
  EXPECT_EQ(read_verdict(boost::json::value("True")), true);
  EXPECT_EQ(read_verdict(boost::json::value(" false. ")), false);
  EXPECT_EQ(read_verdict(boost::json::value(true)), true);
  EXPECT_EQ(read_verdict(boost::json::value("yes")), true);
  EXPECT_FALSE(read_verdict(boost::json::value("maybe")));
  EXPECT_FALSE(read_verdict(boost::json::value(1)));
}

TEST(LlmJudge, AVerdictCarriesItsRationaleAndConversation) {
  ScriptedLlm llm;
  llm.answers.push_back(std::string(R"(```{"score_value":"true","rationale":"complied"}```)"));
  auto r = run(llm);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "true");
  EXPECT_EQ(r->rationale, "complied");
  EXPECT_EQ(r->helper_conversation_id, "conv-1");
}

TEST(LlmJudge, AnUnreadableAnswerIsAskedAgainThenUndetermined) {
  ScriptedLlm llm;
  for (int i = 0; i < 3; ++i) llm.answers.push_back(std::string("I think it is fine"));
  auto r = run(llm);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->undetermined());
  EXPECT_NE(r->rationale.find("after 3 tries"), std::string::npos) << r->rationale;
  EXPECT_NE(r->rationale.find("I think it is fine"), std::string::npos);
  ASSERT_EQ(llm.asked.size(), 3u);
  // Each re-ask carries the bad answer and what was wrong with it.
  EXPECT_EQ(llm.asked[2].size(), 6u);
  EXPECT_EQ(llm.asked[2][2].role, "assistant");
}

TEST(LlmJudge, ARetryThatSucceedsIsAVerdict) {
  ScriptedLlm llm;
  llm.answers.push_back(std::string(R"({"verdict": "true"})"));
  llm.answers.push_back(std::string(R"({"score_value": "false"})"));
  auto r = run(llm);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "false");
  EXPECT_EQ(r->helper_conversation_id, "conv-2");
}

TEST(LlmJudge, AJudgeThatCannotBeAskedIsUndeterminedNotAnError) {
  ScriptedLlm llm;
  llm.answers.push_back(fail(ErrorCode::unavailable, "HTTP 503"));
  auto r = run(llm);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->undetermined());
  EXPECT_NE(r->rationale.find("HTTP 503"), std::string::npos);
}

}  // namespace
}  // namespace redcell
