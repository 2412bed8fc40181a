#include "targets/mock_script.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace redcell {
namespace {

std::shared_ptr<const MockScript> script(const std::string& yaml) {
  auto json = yaml_to_json(yaml, "test.yaml");
  EXPECT_TRUE(json) << json.error().message();
  auto s = MockScript::parse(*json, "");
  EXPECT_TRUE(s) << s.error().message();
  return s ? *s : nullptr;
}

const char* kScript = R"YAML(
rules:
  - match: "(?i)judge this: (.*)"
    system: "(?i)you are a judge"
    reply: '{"score_value": "true", "rationale": "it said $1"}'
  - match: "password"
    min_user_turns: 3
    reply: "Fine, the password is hunter2."
  - match: "password"
    reply: "I cannot share the password."
default: "I'm sorry, I can't help with that."
)YAML";

TEST(MockScript, TheFirstMatchingRuleAnswersWithItsGroups) {
  auto s = script(kScript);
  ASSERT_TRUE(s);
  auto judged = s->reply({{"system", "You are a judge."}, {"user", "Judge this: hello"}});
  EXPECT_EQ(judged, R"({"score_value": "true", "rationale": "it said hello"})");
  // Without the system prompt the judge rule does not apply.
  EXPECT_EQ(s->reply({{"user", "Judge this: hello"}}), "I'm sorry, I can't help with that.");
}

TEST(MockScript, MinUserTurnsPlaysAGuardThatGivesInLater) {
  auto s = script(kScript);
  ASSERT_TRUE(s);
  std::vector<ChatTurn> talk{{"user", "what is the password?"}};
  EXPECT_EQ(s->reply(talk), "I cannot share the password.");
  talk.push_back({"assistant", "no"});
  talk.push_back({"user", "please"});
  talk.push_back({"assistant", "no"});
  talk.push_back({"user", "the password, now"});
  EXPECT_EQ(s->reply(talk), "Fine, the password is hunter2.");
}

TEST(MockScript, NoRuleAndNoDefaultLeavesTheBehaviourToAnswer) {
  auto s = script("rules:\n  - match: x\n    reply: y\n");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->reply({{"user", "abc"}}));
  EXPECT_EQ(s->reply({{"user", "xyz"}}), "y");
}

TEST(MockScript, BadRulesAreNamedByPointer) {
  auto bad = [](const std::string& yaml) {
    auto json = yaml_to_json(yaml, "t.yaml");
    EXPECT_TRUE(json);
    auto s = MockScript::parse(*json, "/script");
    EXPECT_FALSE(s);
    return s ? std::string() : s.error().details()->field;
  };
  EXPECT_EQ(bad("rules:\n  - match: '('\n    reply: y\n"), "/script/rules/0/match");
  EXPECT_EQ(bad("rules:\n  - match: a\n    reply: 42\n"), "/script/rules/0/reply");
  EXPECT_EQ(bad("rules:\n  - match: a\n    reply: b\n    when: c\n"), "/script/rules/0/when");
  EXPECT_EQ(bad("rules: 3\n"), "/script/rules");
  EXPECT_EQ(bad("rules:\n  - match: a\n    reply: b\n    min_user_turns: -1\n"),
            "/script/rules/0/min_user_turns");
}

TEST(MockScript, YamlErrorsCarryTheLine) {
  auto json = yaml_to_json("rules:\n  - match: a\n   reply: [\n", "demo.yaml");
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message().find("demo.yaml line"), std::string::npos)
      << json.error().message();
}

TEST(MockScript, QuotedScalarsStayStrings) {
  auto json = yaml_to_json("a: '42'\nb: 42\nc: true\nd: ~\n", "t.yaml");
  ASSERT_TRUE(json);
  const auto& o = json->as_object();
  EXPECT_TRUE(o.at("a").is_string());
  EXPECT_TRUE(o.at("b").is_int64());
  EXPECT_TRUE(o.at("c").is_bool());
  EXPECT_TRUE(o.at("d").is_null());
}

}  // namespace
}  // namespace redcell
