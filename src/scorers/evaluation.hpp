#pragma once
// Scorer evaluation: a scorer's verdicts on a labelled set (text, optional objective, the
// human label) against the labels. True/false scorers: accuracy, precision, recall, F1 and
// the confusion matrix, with the misjudged items listed; 0-1 scorers: mean absolute error
// and Krippendorff's alpha (interval metric) between scorer and labels. Undetermined
// verdicts and scoring errors are counted apart and left out of the figures.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "scorers/scorer.hpp"

namespace redcell::evaluation {

struct LabelledItem {
  std::string text;
  std::string objective;
  double label = 0;  // true_false: 1 or 0
};

// Items from a JSON array of {"text", "objective"?, "label"}: label a boolean (or "true"/
// "false") for a true_false scorer, a number from 0 to 1 for a float_scale one. Errors name
// `field`/i/member. At most `max_items`, texts of at most 100,000 bytes.
Result<std::vector<LabelledItem>> read_items(const boost::json::value& items,
                                             const std::string& field, std::string_view score_type,
                                             std::size_t max_items);

// Krippendorff's alpha, interval metric, two coders and no missing values: 1 - Do/De.
// nullopt when every value is the same (no expected disagreement).
std::optional<double> krippendorff_alpha(const std::vector<std::pair<double, double>>& pairs);

// The report: {"score_type", "items", "undetermined", "errors", and the figures}.
boost::json::object report(std::string_view score_type, const std::vector<LabelledItem>& items,
                           const std::vector<Result<ScoreResult>>& verdicts);

}  // namespace redcell::evaluation
