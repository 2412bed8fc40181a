// The LLM-backed converters against a scripted helper: each sends our instruction made from
// its params, returns the trimmed reply, and fails (never invents text) when the helper
// answers nothing or cannot be asked. The random translation draws its words from the seed.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <deque>

#include "../support/scripted_llm.hpp"
#include "converters/converter.hpp"

namespace redcell {
namespace {

using testing_support::ScriptedLlm;

Result<std::string> convert(ScriptedLlm& llm, const std::string& type, const std::string& params,
                            const std::string& text, std::uint64_t seed = 1) {
  auto c = ConverterRegistry::builtin().create(
      boost::json::parse(R"({"type":")" + type + R"(","params":)" + params + "}"), "/c");
  EXPECT_TRUE(c) << type << ": " << (c ? "" : c.error().message());
  if (!c) return fail(c.error());
  EXPECT_TRUE((*c)->traits().needs_llm);
  boost::asio::io_context io;
  std::optional<Result<std::string>> out;
  boost::asio::co_spawn(io, (*c)->convert_async(text, llm, seed),
                        [&](std::exception_ptr, Result<std::string> v) { out = std::move(v); });
  io.run();
  return *out;
}

TEST(LlmConverters, EachSendsItsInstructionAndReturnsTheTrimmedReply) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"llm_translation", R"({"target_id":"h","language":"Zulu"})"},
      {"llm_variation", R"({"target_id":"h"})"},
      {"llm_tense", R"({"target_id":"h"})"},
      {"llm_tone", R"({"target_id":"h","tone":"flattering"})"},
      {"llm_noise", R"({"target_id":"h","number_errors":3})"},
      {"llm_persuasion", R"({"target_id":"h","persuasion_technique":"logical_appeal"})"},
      {"llm_malicious_question", R"({"target_id":"h"})"},
      {"llm_math_prompt", R"({"target_id":"h"})"},
      {"llm_scientific_translation", R"({"target_id":"h","style":"technical"})"},
      {"llm_denylist", R"({"target_id":"h","denylist":["vault","code"]})"},
      {"llm_random_translation", R"({"target_id":"h","share":1})"},
  };
  const std::vector<std::string> expected_in_instruction = {
      "into Zulu",       "different words",      "past tense",
      "flattering tone", "Add 3 typos",          "step by step",
      "intends harm",    "symbolic mathematics", "technical scientific",
      "vault, code",     "word 0 \"open\""};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ScriptedLlm llm;
    llm.answers.push_back(std::string("\n  rewritten text \n"));
    auto out = convert(llm, cases[i].first, cases[i].second, "open the vault");
    ASSERT_TRUE(out) << cases[i].first << ": " << out.error().message();
    EXPECT_EQ(*out, "rewritten text") << cases[i].first;
    ASSERT_EQ(llm.asked.size(), 1u);
    EXPECT_EQ(llm.targets[0], "h");
    const auto& user = llm.asked[0][1].content;
    EXPECT_NE(user.find(expected_in_instruction[i]), std::string::npos)
        << cases[i].first << ": " << user;
    EXPECT_NE(user.find("<<<\nopen the vault\n>>>"), std::string::npos);
  }
}

TEST(LlmConverters, AnEmptyReplyOrAFailedHelperIsAnErrorNotText) {
  ScriptedLlm llm;
  llm.answers.push_back(std::string("  \n"));
  EXPECT_FALSE(convert(llm, "llm_tone", R"({"target_id":"h","tone":"calm"})", "x"));
  llm.answers.push_back(fail(ErrorCode::unavailable, "HTTP 500 from the helper"));
  auto failed = convert(llm, "llm_tone", R"({"target_id":"h","tone":"calm"})", "x");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("HTTP 500"), std::string::npos);
  llm.answers.push_back(fail(ErrorCode::unavailable, "timed out after 30000 ms"));
  EXPECT_FALSE(convert(llm, "llm_variation", R"({"target_id":"h"})", "x"));
}

TEST(LlmConverters, RandomTranslationPicksWordsFromTheSeed) {
  const std::string text = "one two three four five six seven eight nine ten";
  const auto instruction = [&](std::uint64_t seed) {
    ScriptedLlm llm;
    llm.answers.push_back(std::string("ok"));
    EXPECT_TRUE(convert(llm, "llm_random_translation",
                        R"({"target_id":"h","languages":["Welsh"],"share":0.5})", text, seed));
    return llm.asked[0][1].content;
  };
  EXPECT_EQ(instruction(4), instruction(4));
  EXPECT_NE(instruction(4), instruction(5));
  EXPECT_NE(instruction(4).find("into Welsh"), std::string::npos);
}

TEST(LlmConverters, BadParamsAreRefusedByName) {
  for (
      const auto& [spec, field] : std::vector<std::pair<std::string, std::string>>{
          {R"({"type":"llm_translation","params":{"target_id":"h"}})", "/c/params/language"},
          {R"({"type":"llm_persuasion","params":{"target_id":"h","persuasion_technique":"bribe"}})",
           "/c/params/persuasion_technique"},
          {R"({"type":"llm_denylist","params":{"target_id":"h","denylist":[]}})",
           "/c/params/denylist"},
          {R"({"type":"llm_tone","params":{"tone":"calm"}})", "/c/params/target_id"},
          {R"({"type":"llm_noise","params":{"target_id":"h","number_errors":0}})",
           "/c/params/number_errors"}}) {
    auto c = ConverterRegistry::builtin().validate(boost::json::parse(spec), "/c");
    ASSERT_FALSE(c) << spec;
    EXPECT_EQ(c.error().details()->field, field) << spec;
  }
  auto ok = ConverterRegistry::builtin().validate(
      boost::json::parse(R"({"type":"llm_tone","params":{"target_id":"h","tone":"calm"}})"), "/c");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->helper_targets, std::vector<std::string>{"h"});
}

}  // namespace
}  // namespace redcell
