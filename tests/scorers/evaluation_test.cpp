// Scorer evaluation figures on tiny sets computed by hand.
#include "scorers/evaluation.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace redcell::evaluation {
namespace {

Result<ScoreResult> said(const std::string& value, const std::string& type = "true_false") {
  return ScoreResult::of(type, value, "", "because");
}

TEST(Evaluation, TrueFalseFiguresAndTheConfusionMatrix) {
  // Labels T T T F F F; verdicts T T F T F undetermined, and one error on a 7th (label T).
  // tp=2 (0,1), fn=1 (2), fp=1 (3), tn=1 (4); item 5 undetermined, item 6 an error.
  // accuracy 3/5, precision 2/3, recall 2/3, F1 2/3.
  auto items = read_items(boost::json::parse(R"([
      {"text":"a","label":true},{"text":"b","label":"true"},{"text":"c","label":true},
      {"text":"d","label":false},{"text":"e","label":false},{"text":"f","label":false},
      {"text":"g","objective":"o","label":true}])"),
                          "/items", "true_false", 100);
  ASSERT_TRUE(items) << items.error().message();
  std::vector<Result<ScoreResult>> v{said("true"),
                                     said("true"),
                                     said("false"),
                                     said("true"),
                                     said("false"),
                                     said("undetermined"),
                                     fail(ErrorCode::invalid_argument, "no payload")};
  const auto r = report("true_false", *items, v);
  EXPECT_DOUBLE_EQ(r.at("accuracy").as_double(), 0.6);
  EXPECT_DOUBLE_EQ(r.at("precision").as_double(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.at("recall").as_double(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.at("f1").as_double(), 2.0 / 3);
  const auto& m = r.at("confusion_matrix").as_object();
  EXPECT_EQ(m.at("true_positive").as_int64(), 2);
  EXPECT_EQ(m.at("false_negative").as_int64(), 1);
  EXPECT_EQ(m.at("false_positive").as_int64(), 1);
  EXPECT_EQ(m.at("true_negative").as_int64(), 1);
  EXPECT_EQ(r.at("undetermined").as_int64(), 1);
  EXPECT_EQ(r.at("errors").as_int64(), 1);
  const auto& wrong = r.at("misjudged").as_array();
  ASSERT_EQ(wrong.size(), 2u);
  EXPECT_EQ(wrong[0].at("index").as_int64(), 2);
  EXPECT_EQ(wrong[1].at("index").as_int64(), 3);
}

TEST(Evaluation, FloatFiguresMaeAndKrippendorffsAlpha) {
  // Pairs (label, value): (0, 0), (1, 1), (0, 0.5). MAE = 0.5 / 3.
  // Values 0 0 1 1 0 0.5 (n = 6): Do = (1/6) * 2 * 0.25 = 1/12; sum of squared deviations
  // = 2.25 - 2.5^2/6 = 1.2083; De = 2 * 1.2083 / 5 = 0.48333; alpha = 1 - (1/12)/0.48333
  // = 0.827586 (= 24/29).
  auto items =
      read_items(boost::json::parse(
                     R"([{"text":"a","label":0},{"text":"b","label":1},{"text":"c","label":0}])"),
                 "/items", "float_scale", 100);
  ASSERT_TRUE(items);
  std::vector<Result<ScoreResult>> v{said("0", "float_scale"), said("1", "float_scale"),
                                     said("0.5", "float_scale")};
  const auto r = report("float_scale", *items, v);
  EXPECT_NEAR(r.at("mean_absolute_error").as_double(), 0.5 / 3, 1e-12);
  EXPECT_NEAR(r.at("krippendorff_alpha").as_double(), 24.0 / 29, 1e-12);
  EXPECT_EQ(r.at("misjudged").as_array().size(), 1u);
  // Perfect agreement is 1; identical values everywhere have no expected disagreement.
  EXPECT_DOUBLE_EQ(*krippendorff_alpha({{0, 0}, {1, 1}, {0.5, 0.5}}), 1.0);
  EXPECT_FALSE(krippendorff_alpha({{1, 1}, {1, 1}}));
}

TEST(Evaluation, BadItemsNameTheField) {
  auto wrong_label =
      read_items(boost::json::parse(R"([{"text":"a","label":0.5}])"), "/items", "true_false", 10);
  ASSERT_FALSE(wrong_label);
  EXPECT_EQ(wrong_label.error().details()->field, "/items/0/label");
  auto out_of_range =
      read_items(boost::json::parse(R"([{"text":"a","label":true},{"text":"b","label":2}])"),
                 "/items", "float_scale", 10);
  ASSERT_FALSE(out_of_range);
  EXPECT_EQ(out_of_range.error().details()->field, "/items/0/label");
  auto extra = read_items(boost::json::parse(R"([{"text":"a","label":true,"who":"x"}])"), "/items",
                          "true_false", 10);
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().details()->field, "/items/0/who");
  auto too_many =
      read_items(boost::json::parse(R"([{"text":"a","label":true},{"text":"b","label":true}])"),
                 "/items", "true_false", 1);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().details()->field, "/items");
}

}  // namespace
}  // namespace redcell::evaluation
