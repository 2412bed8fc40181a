#include "scorers/scorer.hpp"

namespace redcell {

Task<Result<ScoreResult>> Scorer::score_async(ScoreInput input, LlmClient&) const {
  co_return judge(input);
}

}  // namespace redcell
