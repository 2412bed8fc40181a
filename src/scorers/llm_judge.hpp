#pragma once
// What LLM judges share: ask a helper target for a verdict as a JSON object
// {"score_value": ..., "rationale": ...}, read the answer forgivingly (markdown fences and
// prose around the object are skipped), re-ask a bounded number of times when it cannot be
// read, and turn what still fails into an undetermined score carrying the raw reply.

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_input.hpp"
#include "common/params_schema.hpp"
#include "scorers/scorer.hpp"

namespace redcell {

// The first JSON object in a judge's reply, or nullopt.
std::optional<boost::json::object> find_json_object(std::string_view reply);

// "true"/"false" (any case, also yes/no and JSON booleans), or nullopt.
std::optional<bool> read_verdict(const boost::json::value& v);

struct JudgeRequest {
  std::string target_id;
  std::string system_prompt;
  std::string user_message;
  std::string category;
  int retries = 2;  // re-asks after an unreadable answer
};

// What a judge reads: the request (when known) and the response, each fenced.
std::string judge_user_message(const ScoreInput& input);

// The params every LLM judge reads: `target_id` (required).
Result<std::string> judge_target_param(const boost::json::object& params, const std::string& field);

// What a judge's JSON object says: the score value as stored ("true", "0.75"), with the
// category it names; or, when it cannot be read, the problem (sent back on a re-ask).
struct JudgeReading {
  std::optional<std::string> value;
  std::string category;  // empty: the request's
  std::string problem;
};
using JudgeReader = std::function<JudgeReading(const boost::json::object&)>;

// A verdict of `score_type` read from the judge's answer by `read`, or an undetermined
// score with the reason. Never an error: a judge that fails is recorded as undetermined,
// not as a failed attack. `answer_shape` tells the judge again what to answer on a re-ask.
Task<Result<ScoreResult>> judge_with(LlmClient& llm, JudgeRequest request, std::string score_type,
                                     JudgeReader read, std::string answer_shape);

// A true_false verdict from "score_value".
Task<Result<ScoreResult>> judge_true_false(LlmClient& llm, JudgeRequest request);

// "score_value" as a number from `low` to `high`, or the problem.
JudgeReading read_number(const boost::json::object& answer, double low, double high);

// An LLM judge with params P: `ask(P, ScoreInput, LlmClient&)` returns the verdict;
// `score_type(P)` what it returns; the judge's saved target is P::target.
template <class P, class Ask>
class LlmJudge final : public Scorer {
 public:
  LlmJudge(P params, Ask ask, std::string score_type)
      : params_(std::move(params)), ask_(std::move(ask)), score_type_(std::move(score_type)) {}
  Result<ScoreResult> score(std::string_view) const override {
    return fail(ErrorCode::invalid_argument, "an LLM judge asks a helper LLM: use score_async");
  }
  std::string_view score_type() const override { return score_type_; }
  ScorerTraits traits() const override { return {true, "text", score_type_, false}; }
  Task<Result<ScoreResult>> score_async(ScoreInput input, LlmClient& llm) const override {
    co_return co_await ask_(params_, std::move(input), llm);
  }

 private:
  P params_;
  Ask ask_;
  std::string score_type_;
};

// A catalog entry for an LLM judge: `schema` (its properties are the members accepted;
// target_id among them), `read(JsonInput, target)` -> Result<P>, `score_type(P)`, `ask`.
template <class P, class Read, class Type, class Ask>
ScorerInfo judge_entry(std::string type, std::string description, const char* schema, Read read,
                       Type score_type, Ask ask) {
  auto parsed = boost::json::parse(schema);
  return catalog_entry<Scorer, P>(
      std::move(type), std::move(description), parsed,
      [read, members = SchemaMembers(parsed)](const boost::json::object& params,
                                              const std::string& field,
                                              const ScorerRegistry&) -> Result<P> {
        JsonInput in(params, field);
        if (auto ok = members.check(in); !ok) return fail(ok.error());
        auto target = judge_target_param(params, field);
        if (!target) return fail(target.error());
        return read(in, std::move(*target));
      },
      [score_type](const P& p) {
        return PieceInfo{{p.target}, std::string(score_type(p))};
      },
      [ask, score_type](P p, const ScorerRegistry&) -> Result<std::unique_ptr<Scorer>> {
        std::string t(score_type(p));
        return std::make_unique<LlmJudge<P, Ask>>(std::move(p), ask, std::move(t));
      });
}

}  // namespace redcell
