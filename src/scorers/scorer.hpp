#pragma once
// A scorer judges one response. Scorers are pure functions of the text and their params;
// they never touch the store. A scorer that cannot judge returns an error, which the engine
// stores as a scoring error: nothing is ever invented in its place.
// One scorer per file; adding one touches its file, its test and one line of registry.cpp.

#include <memory>
#include <string>
#include <string_view>

#include "common/catalog.hpp"
#include "common/error.hpp"

namespace redcell {

struct ScoreResult {
  std::string score_type;  // true_false | float_scale
  std::string value;       // "true"/"false", or a decimal in [0, 1]
  std::string category;
  std::string rationale;
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual Result<ScoreResult> score(std::string_view text) const = 0;
  // true_false or float_scale: what score() returns.
  virtual std::string_view score_type() const { return "true_false"; }
};

using ScorerInfo = CatalogEntry<Scorer>;
using ScorerRegistry = Catalog<Scorer>;

// Registration functions, one per scorer file.
ScorerInfo substring_scorer();
ScorerInfo regex_scorer();
ScorerInfo refusal_scorer();
ScorerInfo inverter_scorer();

}  // namespace redcell
