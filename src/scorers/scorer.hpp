#pragma once
// A scorer judges one response. Scorers are pure functions of the text and their params;
// they never touch the store. A scorer that cannot judge returns an error, which the engine
// stores as a scoring error: nothing is ever invented in its place.
// One scorer per file; adding one touches its file, its test and one line of registry.cpp.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalog.hpp"
#include "common/error.hpp"
#include "common/task.hpp"
#include "targets/llm_client.hpp"

namespace redcell {

// A verdict: true/false, a value in [0, 1], or undetermined with its reason (the judge
// failed or its answer could not be read). Undetermined is never "the attack failed".
inline constexpr std::string_view kUndetermined = "undetermined";
struct ScoreResult {
  std::string score_type;  // true_false | float_scale
  std::string value;       // "true"/"false", a decimal in [0, 1], or "undetermined"
  std::string category;
  std::string rationale;  // for undetermined: why, with the judge's raw reply
  bool undetermined() const { return value == kUndetermined; }
  // A rule-based verdict.
  static ScoreResult of(std::string score_type, std::string value, std::string category,
                        std::string rationale) {
    ScoreResult r;
    r.score_type = std::move(score_type);
    r.value = std::move(value);
    r.category = std::move(category);
    r.rationale = std::move(rationale);
    return r;
  }
  std::string helper_conversation_id;  // the judge's stored exchange, when one was asked
};

// What a scorer judges: the reply, and the attack's objective (or prompt) when known.
struct ScoreInput {
  std::string text;
  std::string objective;
  // The conversation that led to the reply, oldest first and ending with the reply; filled
  // only for scorers whose traits ask for it (empty: the reply alone is at hand).
  std::vector<ChatTurn> conversation;
};

struct ScorerTraits {
  bool needs_llm = false;  // asks a helper LLM: runs through score_async only
  std::string_view input_type = "text";
  std::string_view score_type = "true_false";
  bool needs_conversation = false;  // reads ScoreInput::conversation
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  // A rule-based verdict, synchronous: the engine calls it directly on the hot path.
  virtual Result<ScoreResult> score(std::string_view text) const = 0;
  // The same with the attack's objective (or prompt) at hand, for the rules that compare
  // against it (decoding); the default judges the text alone.
  virtual Result<ScoreResult> judge(const ScoreInput& input) const { return score(input.text); }
  // Every scorer runs here; the default is score() (a pure scorer stays a few lines).
  virtual Task<Result<ScoreResult>> score_async(ScoreInput input, LlmClient& llm) const;
  // true_false or float_scale: what score() returns.
  virtual std::string_view score_type() const { return "true_false"; }
  virtual ScorerTraits traits() const { return {false, "text", score_type(), false}; }
};

using ScorerInfo = CatalogEntry<Scorer>;
using ScorerRegistry = Catalog<Scorer>;

// Registration functions, one per scorer file.
ScorerInfo substring_scorer();
ScorerInfo regex_scorer();
ScorerInfo refusal_scorer();
ScorerInfo inverter_scorer();
ScorerInfo llm_true_false_scorer();
ScorerInfo llm_refusal_scorer();
ScorerInfo markdown_injection_scorer();
ScorerInfo credential_leak_scorer();
ScorerInfo xss_scorer();
ScorerInfo sql_injection_scorer();
ScorerInfo shell_injection_scorer();
ScorerInfo path_traversal_scorer();
ScorerInfo ssrf_scorer();
ScorerInfo ssti_scorer();
ScorerInfo xxe_scorer();
ScorerInfo ldap_injection_scorer();
ScorerInfo open_redirect_scorer();
ScorerInfo pii_scorer();
ScorerInfo prompt_injection_scorer();
ScorerInfo system_prompt_extraction_scorer();
ScorerInfo plagiarism_scorer();
ScorerInfo decoding_scorer();
ScorerInfo keyword_list_scorer();
ScorerInfo float_threshold_scorer();
ScorerInfo composite_scorer();
ScorerInfo llm_likert_scorer();
ScorerInfo llm_scale_scorer();
ScorerInfo llm_category_scorer();
ScorerInfo llm_question_answer_scorer();
ScorerInfo llm_insecure_code_scorer();
ScorerInfo conversation_scorer();

}  // namespace redcell
