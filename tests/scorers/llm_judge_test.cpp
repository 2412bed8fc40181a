#include "scorers/llm_judge.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <deque>

#include "../support/scripted_llm.hpp"

namespace redcell {
namespace {

using testing_support::ScriptedLlm;

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

// A catalog judge run on `text` against the scripted answers.
Result<ScoreResult> run_judge(ScriptedLlm& llm, const std::string& type, const std::string& params,
                              const std::string& text, const std::string& objective = "") {
  auto scorer = ScorerRegistry::builtin().create(
      boost::json::parse(R"({"type":")" + type + R"(","params":)" + params + "}"), "/scorer");
  EXPECT_TRUE(scorer) << (scorer ? "" : scorer.error().message());
  if (!scorer) return fail(scorer.error());
  boost::asio::io_context io;
  std::optional<Result<ScoreResult>> out;
  boost::asio::co_spawn(io, (*scorer)->score_async(ScoreInput{text, objective, {}}, llm),
                        [&](std::exception_ptr, Result<ScoreResult> v) { out = std::move(v); });
  io.run();
  return *out;
}

TEST(LlmJudges, LikertIsNormalisedAndOutOfRangeIsAskedAgain) {
  ScriptedLlm llm;
  llm.answers.push_back(std::string(R"(Rating: {"score_value": 7, "rationale": "off scale"})"));
  llm.answers.push_back(std::string(R"({"score_value": "4", "rationale": "detailed"})"));
  auto r = run_judge(llm, "llm_likert", R"({"target_id":"j","category":"cyber"})", "reply");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->score_type, "float_scale");
  EXPECT_EQ(r->value, "0.75");
  EXPECT_EQ(r->category, "cyber");
  ASSERT_EQ(llm.asked.size(), 2u);
  EXPECT_NE(llm.asked[1].back().content.find("not a number from 1 to 5"), std::string::npos);
  EXPECT_NE(llm.asked[0][0].content.find("5: "), std::string::npos);
}

TEST(LlmJudges, ScaleIsAValueOrWithAThresholdAVerdict) {
  ScriptedLlm llm;
  llm.answers.push_back(std::string(R"({"score_value": 85})"));
  auto v = run_judge(llm, "llm_scale", R"({"target_id":"j"})", "reply");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value, "0.85");
  EXPECT_EQ(v->score_type, "float_scale");
  llm.answers.push_back(std::string(R"(```json
{"score_value": 79.5}
```)"));
  auto t = run_judge(llm, "llm_scale", R"({"target_id":"j","threshold":80})", "reply");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->value, "false");
  EXPECT_EQ(t->score_type, "true_false");
  // Three answers that are not objects: undetermined, of the scorer's own type.
  for (int i = 0; i < 3; ++i) llm.answers.push_back(std::string("[85]"));
  auto u = run_judge(llm, "llm_scale", R"({"target_id":"j"})", "reply");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->undetermined());
  EXPECT_EQ(u->score_type, "float_scale");
}

TEST(LlmJudges, CategoryNamesOneOfTheListOrNone) {
  const std::string params = R"({"target_id":"j","categories":[
      {"name":"weapons","description":"arms"},{"name":"fraud","description":"scams"}]})";
  ScriptedLlm llm;
  llm.answers.push_back(std::string(R"({"category":"fraud","rationale":"a phishing mail"})"));
  auto r = run_judge(llm, "llm_category", params, "reply");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "true");
  EXPECT_EQ(r->category, "fraud");
  llm.answers.push_back(std::string(R"({"category":"none"})"));
  EXPECT_EQ(run_judge(llm, "llm_category", params, "reply")->value, "false");
  // A category not in the list is asked again, then undetermined; an empty reply likewise.
  llm.answers.push_back(std::string(R"({"category":"poetry"})"));
  llm.answers.push_back(std::string(""));
  llm.answers.push_back(std::string(R"({"category":"gardening"})"));
  auto u = run_judge(llm, "llm_category", params, "reply");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->undetermined());
  EXPECT_NE(u->rationale.find("gardening"), std::string::npos);
  auto dup = ScorerRegistry::builtin().validate(
      boost::json::parse(R"({"type":"llm_category","params":{"target_id":"j","categories":[
        {"name":"a","description":"x"},{"name":"a","description":"y"}]}})"),
      "/s");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().details()->field, "/s/params/categories/1/name");
}

TEST(LlmJudges, QuestionAnswerReadsTheQuestionFromTheObjective) {
  ScriptedLlm llm;
  llm.answers.push_back(std::string(R"({"score_value":"true","rationale":"right"})"));
  auto r = run_judge(llm, "llm_question_answer", R"({"target_id":"j","correct_answer":"42"})",
                     "It is forty-two.", "What is six times seven?");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "true");
  EXPECT_NE(llm.asked[0][0].content.find("Question: What is six times seven?"), std::string::npos);
  EXPECT_NE(llm.asked[0][0].content.find("Correct answer: 42"), std::string::npos);
}

TEST(LlmJudges, InsecureCodeRatesTheWorstFlawWithItsCwe) {
  ScriptedLlm llm;
  llm.answers.push_back(
      std::string(R"({"score_value":0.75,"category":"CWE-89","rationale":"string-built SQL"})"));
  auto r = run_judge(llm, "llm_insecure_code", R"({"target_id":"j"})", "query = 'x' + name");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "0.75");
  EXPECT_EQ(r->category, "CWE-89");
  llm.answers.push_back(fail(ErrorCode::unavailable, "timed out"));
  auto t = run_judge(llm, "llm_insecure_code", R"({"target_id":"j"})", "code");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->undetermined());
}

}  // namespace
}  // namespace redcell
