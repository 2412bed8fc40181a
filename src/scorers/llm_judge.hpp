#pragma once
// What LLM judges share: ask a helper target for a verdict as a JSON object
// {"score_value": ..., "rationale": ...}, read the answer forgivingly (markdown fences and
// prose around the object are skipped), re-ask a bounded number of times when it cannot be
// read, and turn what still fails into an undetermined score carrying the raw reply.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

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

// A true_false verdict from the judge, or an undetermined score with the reason. Never an
// error: a judge that fails is recorded as undetermined, not as a failed attack.
Task<Result<ScoreResult>> judge_true_false(LlmClient& llm, JudgeRequest request);

// What a judge reads: the request (when known) and the response, each fenced.
std::string judge_user_message(const ScoreInput& input);

// The params every LLM judge reads: `target_id` (required).
Result<std::string> judge_target_param(const boost::json::object& params, const std::string& field);

}  // namespace redcell
