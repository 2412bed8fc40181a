#include "engine/definition.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/json_input.hpp"

namespace redcell {
namespace {

Result<OrchestratorDefinition> parse(const char* text) {
  return parse_definition(boost::json::parse(text), ConverterRegistry::builtin(),
                          ScorerRegistry::builtin());
}

TEST(Definition, NormalizesOneChainAndTheOnlyScorer) {
  auto d = parse(R"({"name":"n","type":"prompt_sending","target_id":"t","dataset_id":"d",
    "converters":[{"type":"base64"}],"scorers":[{"type":"substring","params":{"substring":"x"}}]})");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->objective_scorer, 0);
  auto json = d->to_json();
  EXPECT_EQ(json.at("converter_chains"),
            boost::json::parse(R"([[{"type":"base64","params":{}}]])"));
  EXPECT_EQ(json.at("datasets"), boost::json::parse(R"([{"id":"d","version":null}])"));
  // The normalized form parses back to the same normalized form.
  auto again = parse_definition(json, ConverterRegistry::builtin(), ScorerRegistry::builtin());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(canonical_json(again->to_json()), canonical_json(json));
}

TEST(Definition, SeveralChainsWithTheBaseline) {
  auto d = parse(R"({"name":"n","type":"prompt_sending","target_id":"t","prompts":["a"],
    "converter_chains":[[],[{"type":"rot13"},{"type":"base64"}]]})");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->converter_chains.size(), 2u);
  EXPECT_FALSE(d->objective_scorer);
}

TEST(Definition, ErrorsNameTheMember) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (auto c : {
           Case{R"({"name":"n","type":"prompt_sending","target_id":"t"})", "/dataset_id"},
           Case{R"({"name":"n","type":"prompt_sending","target_id":"t","prompts":["a"],
                  "converter_chains":[[{"type":"base64"}],[{"type":"zz"}]]})",
                "/converter_chains/1/0/type"},
           Case{R"({"name":"n","type":"prompt_sending","target_id":"t","prompts":["a"],
                  "scorers":[{"type":"refusal"},{"type":"refusal"}],"objective_scorer":2})",
                "/objective_scorer"},
           Case{R"({"name":"n","type":"prompt_sending","target_id":"t","prompts":["a"],
                  "datasets":[{"id":"d","version":0}]})",
                "/datasets/0/version"},
           Case{R"({"name":"n","type":"prompt_sending","target_id":"t","prompts":["a"],
                  "converters":[],"converter_chains":[[]]})",
                "/converter_chains"},
       }) {
    auto d = parse(c.body);
    ASSERT_FALSE(d) << c.body;
    EXPECT_EQ(d.error().details()->field, c.field) << d.error().message();
  }
}

TEST(Definition, CrescendoTakesBacktracksAndARefusalScorer) {
  auto d = parse(R"({"name":"n","type":"crescendo","target_id":"t","prompts":["a"],
    "adversarial_target_id":"a","scorers":[{"type":"substring","params":{"substring":"x"}}]})");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->max_backtracks, 10);
  auto json = d->to_json();
  EXPECT_EQ(json.at("refusal_scorer"), boost::json::parse(R"({"type":"refusal","params":{}})"));
  auto again = parse_definition(json, ConverterRegistry::builtin(), ScorerRegistry::builtin());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(canonical_json(again->to_json()), canonical_json(json));
  // red_teaming's normalized form has neither member, so its hash did not change.
  auto rt = parse(R"({"name":"n","type":"red_teaming","target_id":"t","prompts":["a"],
    "adversarial_target_id":"a","scorers":[{"type":"substring","params":{"substring":"x"}}]})");
  ASSERT_TRUE(rt) << rt.error().message();
  EXPECT_FALSE(rt->to_json().contains("max_backtracks"));
  EXPECT_FALSE(rt->to_json().contains("refusal_scorer"));
}

TEST(Definition, CrescendoErrorsNameTheMember) {
  const std::string base =
      R"("name":"n","target_id":"t","prompts":["a"],"scorers":[{"type":"refusal"}])";
  struct Case {
    std::string body;
    const char* field;
  };
  for (const auto& c : {
           Case{R"({"type":"crescendo",)" + base + "}", "/adversarial_target_id"},
           Case{R"({"type":"crescendo","adversarial_target_id":"a","max_backtracks":51,)" + base +
                    "}",
                "/max_backtracks"},
           Case{R"({"type":"crescendo","adversarial_target_id":"a","max_backtracks":-1,)" + base +
                    "}",
                "/max_backtracks"},
           Case{R"({"type":"crescendo","adversarial_target_id":"a",
                  "refusal_scorer":{"type":"nope"},)" +
                    base + "}",
                "/refusal_scorer/type"},
           Case{R"({"type":"crescendo","adversarial_target_id":"a",
                  "refusal_scorer":{"type":"plagiarism","params":{"reference_text":"r"}},)" +
                    base + "}",
                "/refusal_scorer"},
           Case{R"({"type":"red_teaming","adversarial_target_id":"a","max_backtracks":2,)" + base +
                    "}",
                "/max_backtracks"},
           Case{R"({"type":"prompt_sending","refusal_scorer":{"type":"refusal"},)" + base + "}",
                "/refusal_scorer"},
           Case{R"({"type":"crescendo","adversarial_target_id":"a","name":"n","target_id":"t",
                  "prompts":["a"]})",
                "/scorers"},
       }) {
    auto d = parse(c.body.c_str());
    ASSERT_FALSE(d) << c.body;
    EXPECT_EQ(d.error().details()->field, c.field) << d.error().message();
  }
}

TEST(Definition, TreeOfAttacksTakesItsTreeAndAnOptionalRankScorer) {
  auto d = parse(R"({"name":"n","type":"tree_of_attacks","target_id":"t","prompts":["a"],
    "adversarial_target_id":"a","scorers":[{"type":"substring","params":{"substring":"x"}}]})");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->width, 3);
  EXPECT_EQ(d->depth, 5);
  EXPECT_EQ(d->branching_factor, 2);
  EXPECT_TRUE(d->on_topic_check);
  auto json = d->to_json();
  EXPECT_TRUE(json.at("rank_scorer").is_null());
  EXPECT_FALSE(json.contains("max_turns"));
  auto again = parse_definition(json, ConverterRegistry::builtin(), ScorerRegistry::builtin());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(canonical_json(again->to_json()), canonical_json(json));
  auto ranked = parse(R"({"name":"n","type":"tree_of_attacks","target_id":"t","prompts":["a"],
    "adversarial_target_id":"a","on_topic_check":false,"width":1,
    "rank_scorer":{"type":"llm_scale","params":{"target_id":"j"}},
    "scorers":[{"type":"substring","params":{"substring":"x"}}]})");
  ASSERT_TRUE(ranked) << ranked.error().message();
  EXPECT_FALSE(ranked->on_topic_check);
  EXPECT_EQ(ranked->rank_scorer.at("type").as_string(), "llm_scale");
}

}  // namespace
}  // namespace redcell
