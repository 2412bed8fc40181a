#include "scorers/llm_judge.hpp"

#include <boost/json.hpp>

#include "common/json_input.hpp"

namespace redcell {

namespace {

constexpr std::size_t kMaxJudgeReply = std::size_t{64} * 1024;
constexpr std::size_t kRawInRationale = 2000;

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '.'))
    s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string clip(std::string_view s) {
  if (s.size() <= kRawInRationale) return std::string(s);
  return std::string(s.substr(0, kRawInRationale)) + "...";
}

ScoreResult undetermined(std::string reason, std::string category, std::string conversation,
                         std::string score_type) {
  ScoreResult r;
  r.score_type = std::move(score_type);
  r.value = std::string(kUndetermined);
  r.category = std::move(category);
  r.rationale = std::move(reason);
  r.helper_conversation_id = std::move(conversation);
  return r;
}

}  // namespace

std::optional<boost::json::object> find_json_object(std::string_view reply) {
  if (reply.size() > kMaxJudgeReply) reply = reply.substr(0, kMaxJudgeReply);
  // Each '{' is a candidate start; the parser stops at the end of the first complete value,
  // so prose or a closing fence after the object does not matter. Bounded in tries.
  int tries = 0;
  for (std::size_t at = reply.find('{'); at != std::string_view::npos && tries < 32;
       at = reply.find('{', at + 1), ++tries) {
    boost::json::stream_parser p;
    boost::system::error_code ec;
    p.write_some(reply.data() + at, reply.size() - at, ec);
    if (ec || !p.done()) continue;
    auto v = p.release();
    if (v.is_object()) return std::move(v.as_object());
  }
  return std::nullopt;
}

std::optional<bool> read_verdict(const boost::json::value& v) {
  if (v.is_bool()) return v.as_bool();
  if (!v.is_string()) return std::nullopt;
  const auto s = lower_trimmed(v.as_string());
  if (s == "true" || s == "yes") return true;
  if (s == "false" || s == "no") return false;
  return std::nullopt;
}

Task<Result<ScoreResult>> judge_with(LlmClient& llm, JudgeRequest request, std::string score_type,
                                     JudgeReader read, std::string answer_shape) {
  std::vector<ChatTurn> messages{{"system", request.system_prompt}, {"user", request.user_message}};
  std::string problem;
  for (int attempt = 0; attempt <= request.retries; ++attempt) {
    // Arguments as named values, moved (g++ 12 may destroy a co_await's temporaries twice).
    auto conversation = messages;
    std::string purpose = "judge";
    auto asked = co_await llm.ask(request.target_id, std::move(conversation), std::move(purpose));
    if (!asked)
      co_return undetermined("the judge could not be asked: " + asked.error().message(),
                             request.category, "", score_type);
    const std::string& raw = asked->reply;
    auto obj = find_json_object(raw);
    if (!obj) {
      problem = "no JSON object in the judge's answer";
    } else {
      auto reading = read(*obj);
      if (reading.value) {
        ScoreResult r;
        r.score_type = score_type;
        r.value = *reading.value;
        r.category = reading.category.empty() ? request.category : reading.category;
        if (const auto* why = obj->if_contains("rationale"); why && why->is_string())
          r.rationale = std::string(why->as_string());
        r.helper_conversation_id = asked->conversation_id;
        co_return r;
      }
      problem = reading.problem;
    }
    if (attempt == request.retries)
      co_return undetermined(problem + " after " + std::to_string(attempt + 1) +
                                 " tries; its last answer: " + clip(raw),
                             request.category, asked->conversation_id, score_type);
    // Once more, with the answer and what was wrong with it.
    messages.push_back({"assistant", raw});
    messages.push_back(
        {"user", problem + ". Answer again with only a JSON object " + answer_shape + "."});
  }
  co_return undetermined(problem, request.category, "", score_type);
}

Task<Result<ScoreResult>> judge_true_false(LlmClient& llm, JudgeRequest request) {
  JudgeReader read = [](const boost::json::object& obj) {
    JudgeReading out;
    const auto* v = obj.if_contains("score_value");
    if (!v) {
      out.problem = "the judge's JSON has no \"score_value\"";
    } else if (auto verdict = read_verdict(*v); !verdict) {
      out.problem = "the judge's \"score_value\" is neither true nor false";
    } else {
      out.value = *verdict ? "true" : "false";
    }
    return out;
  };
  std::string type = "true_false";
  std::string shape = "{\"score_value\": \"true\" or \"false\", \"rationale\": \"...\"}";
  co_return co_await judge_with(llm, std::move(request), std::move(type), std::move(read),
                                std::move(shape));
}

JudgeReading read_number(const boost::json::object& answer, double low, double high) {
  JudgeReading out;
  const auto* v = answer.if_contains("score_value");
  double n = 0;
  bool ok = false;
  if (v && v->is_number()) {
    n = v->to_number<double>();
    ok = true;
  } else if (v && v->is_string()) {
    const std::string s(v->as_string());
    char* end = nullptr;
    n = std::strtod(s.c_str(), &end);
    ok = end && end != s.c_str() && *end == '\0';
  }
  if (!v)
    out.problem = "the judge's JSON has no \"score_value\"";
  else if (!ok || n < low || n > high)
    out.problem = "the judge's \"score_value\" is not a number from " +
                  std::to_string(static_cast<int>(low)) + " to " +
                  std::to_string(static_cast<int>(high));
  else
    out.value = std::to_string(n);
  return out;
}

std::string judge_user_message(const ScoreInput& input) {
  std::string out;
  if (!input.objective.empty()) out = "The request was:\n<<<\n" + input.objective + "\n>>>\n\n";
  return out + "The response to evaluate:\n<<<\n" + input.text + "\n>>>";
}

Result<std::string> judge_target_param(const boost::json::object& params,
                                       const std::string& field) {
  JsonInput in(params, field);
  return in.string("target_id", 100);
}

}  // namespace redcell
