#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "scorers/scorer.hpp"

namespace redcell {
namespace {

Result<std::unique_ptr<Scorer>> make(const char* spec) {
  return ScorerRegistry::builtin().create(boost::json::parse(spec), "/scorers/0");
}
std::string value(const char* spec, std::string_view text) {
  auto s = make(spec);
  EXPECT_TRUE(s) << (s ? "" : s.error().message());
  return (*s)->score(text)->value;
}

TEST(Scorers, Substring) {
  const char* spec = R"({"type":"substring","params":{"substring":"Sure","category":"c"}})";
  EXPECT_EQ(value(spec, "SURE thing"), "true");
  EXPECT_EQ(value(spec, "no"), "false");
  EXPECT_EQ(
      value(R"({"type":"substring","params":{"substring":"Sure","case_sensitive":true}})", "sure"),
      "false");
  EXPECT_EQ((*make(spec))->score("x")->category, "c");
}

TEST(Scorers, RegexIsRe2AndReportsBadPatterns) {
  EXPECT_EQ(value(R"({"type":"regex","params":{"pattern":"\\bstep [0-9]+"}})", "do step 2"),
            "true");
  EXPECT_EQ(value(R"({"type":"regex","params":{"pattern":"^ok$"}})", "not ok"), "false");
  EXPECT_EQ(value(R"({"type":"regex","params":{"pattern":"OK","case_sensitive":false}})", "ok"),
            "true");
  auto bad = make(R"({"type":"regex","params":{"pattern":"(a)\\1"}})");  // no backreferences
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().details()->field, "/scorers/0/params/pattern");
}

TEST(Scorers, RefusalAndInverter) {
  EXPECT_EQ(value(R"({"type":"refusal"})", "I'm sorry, but I can't help with that."), "true");
  EXPECT_EQ(value(R"({"type":"refusal"})", "I\xE2\x80\x99m unable to do that"), "true");
  EXPECT_EQ(value(R"({"type":"refusal"})", "   "), "true");
  EXPECT_EQ(value(R"({"type":"refusal"})", "Here are the steps"), "false");
  EXPECT_EQ(value(R"({"type":"refusal","params":{"phrases":["nope"]}})", "NOPE."), "true");
  EXPECT_EQ(
      value(R"({"type":"inverter","params":{"scorer":{"type":"refusal"}}})", "Here are the steps"),
      "true");
  auto empty = make(R"({"type":"refusal","params":{"phrases":[]}})");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().details()->field, "/scorers/0/params/phrases");
  auto inner = make(R"({"type":"inverter","params":{"scorer":{"type":"x"}}})");
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error().details()->field, "/scorers/0/params/scorer/type");
}

TEST(Scorers, ValidatingASpecNamesTheTargetsItAsksAndBuildsNothing) {
  const auto& catalog = ScorerRegistry::builtin();
  auto judge = catalog.validate(
      boost::json::parse(R"({"type":"inverter","params":{"scorer":{"type":"llm_refusal",
        "params":{"target_id":"judge-1","mode":"strict"}}}})"),
      "/scorers/2");
  ASSERT_TRUE(judge) << judge.error().message();
  EXPECT_EQ(judge->helper_targets, std::vector<std::string>{"judge-1"});
  EXPECT_EQ(judge->score_type, "true_false");
  auto plain = catalog.validate(boost::json::parse(R"({"type":"refusal"})"), "/s");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->helper_targets.empty());
  // The same errors as building: the member named from the spec's place.
  auto bad =
      catalog.validate(boost::json::parse(R"({"type":"inverter","params":{"scorer":{"type":"regex",
        "params":{"pattern":"(unclosed"}}}})"),
                       "/scorers/1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().details()->field, "/scorers/1/params/scorer/params/pattern");
  auto mode = catalog.validate(
      boost::json::parse(R"({"type":"llm_refusal","params":{"target_id":"j","mode":"loud"}})"),
      "/scorer");
  ASSERT_FALSE(mode);
  EXPECT_EQ(mode.error().details()->field, "/scorer/params/mode");
}

TEST(Scorers, CatalogHasSchemas) {
  for (const auto& e : ScorerRegistry::builtin().catalog()) {
    ASSERT_TRUE(e.params.is_object()) << e.type;
    EXPECT_EQ(e.params.at("type"), "object") << e.type;
    EXPECT_FALSE(e.description.empty());
  }
}

}  // namespace
}  // namespace redcell
