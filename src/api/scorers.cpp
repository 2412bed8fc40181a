// /api/v1/scorers: the catalog, and a test of one scorer on sample text (no orchestrator).
// An LLM-backed scorer (a judge) runs on the engine with the caller's own targets as
// helpers; its exchanges come back in the answer and nothing is stored.
#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/records.hpp"
#include "api/routes.hpp"
#include "common/chat_turns.hpp"
#include "common/json_input.hpp"
#include "engine/execution_runner.hpp"
#include "scorers/scorer.hpp"

namespace redcell::api {

namespace {

boost::json::object score_json(const boost::json::value& type, const ScoreResult& r) {
  return {{"scorer_type", type},
          {"score_type", r.score_type},
          {"value", r.value},
          {"category", r.category},
          {"rationale", r.rationale}};
}

Task<void> judge_sample(std::shared_ptr<const Scorer> scorer, ScoreInput input,
                        std::shared_ptr<Result<ScoreResult>> out, LlmClient& llm) {
  *out = co_await scorer->score_async(std::move(input), llm);
}

// The optional "conversation" of a test: the turns before `text`.
Result<std::vector<ChatTurn>> read_conversation(const JsonInput& body) {
  std::vector<ChatTurn> turns;
  const auto* v = body.get("conversation");
  if (!v) return turns;
  auto read = read_chat_turns(*v, "/conversation", 200, 100'000);
  if (!read) return fail(read.error());
  for (auto& [role, content] : *read) turns.push_back({std::move(role), std::move(content)});
  return turns;
}

void test(const ScorerRegistry& registry, ExecutionRunner& runner,
          std::shared_ptr<http::Request> req, http::Reply reply) {
  auto body = JsonInput::of(req->json, "",
                            "an object {\"text\", \"objective\"?, \"conversation\"?, "
                            "\"scorer\": {\"type\", \"params\"}}");
  if (!body) return reply(http::Response::error(body.error()));
  if (auto ok = body->only({"text", "objective", "conversation", "scorer"}); !ok)
    return reply(http::Response::error(ok.error()));
  const auto* text = body->get("text");
  if (!text || !text->is_string())
    return reply(http::Response::error(
        Error::invalid("/text", text ? *text : boost::json::value(nullptr), "a string")));
  auto objective = body->opt_string("objective", 100'000, true);
  if (!objective) return reply(http::Response::error(objective.error()));
  auto before = read_conversation(*body);
  if (!before) return reply(http::Response::error(before.error()));
  const auto* spec = body->get("scorer");
  if (!spec)
    return reply(http::Response::error(
        Error::invalid("/scorer", nullptr, "a scorer {\"type\", \"params\"}")));
  auto scorer = registry.create(*spec, "/scorer");
  if (!scorer) return reply(http::Response::error(scorer.error()));
  const boost::json::value type = spec->as_object().at("type");
  // As the engine does: the conversation ends with the reply, and only a scorer that
  // reads it is given it.
  ScoreInput input{std::string(text->as_string()), objective->value_or(""), {}};
  if ((*scorer)->traits().needs_conversation) {
    input.conversation = std::move(*before);
    input.conversation.push_back({"assistant", input.text});
  }
  if (!(*scorer)->traits().needs_llm) {
    auto r = (*scorer)->judge(input);
    if (!r) return reply(http::Response::error(r.error()));
    return reply(http::Response::json(200, {{"scores", boost::json::array{score_json(type, *r)}},
                                            {"helper_exchanges", boost::json::array{}}}));
  }
  std::shared_ptr<const Scorer> shared(std::move(*scorer));
  auto out = std::make_shared<Result<ScoreResult>>(fail(ErrorCode::internal, "not scored"));
  auto started = runner.run_sample(
      scope_of(*req),
      [shared, input, out](LlmClient& llm) { return judge_sample(shared, input, out, llm); },
      [reply, out, type](std::vector<HelperExchange> exchanges, std::string failure) {
        if (!failure.empty() || !*out) {
          auto r = http::Response::error(
              failure.empty() ? out->error() : Error(ErrorCode::internal, "the scorer failed"));
          if (!failure.empty()) r.internal_detail = failure;
          return reply(std::move(r));
        }
        reply(http::Response::json(200, {{"scores", boost::json::array{score_json(type, **out)}},
                                         {"helper_exchanges", helper_exchanges_json(exchanges)}}));
      });
  if (!started) reply(error_with_retry(started.error()));
}
}  // namespace

void add_scorer_routes(http::Router& router, const ScorerRegistry& scorers,
                       ExecutionRunner& runner) {
  http::RouteOptions opts;
  opts.summary = "The scorers this server offers, with a JSON Schema of their params";
  router.add(
      "GET", "/api/v1/scorers", [&scorers](http::Request&) { return catalog_json(scorers); }, opts);

  opts.summary =
      "Scores sample text with one scorer (an LLM judge asks your own saved target); nothing "
      "is stored";
  opts.json_body = true;
  router.add_async(
      "POST", "/api/v1/scorers/test",
      [&scorers, &runner](std::shared_ptr<http::Request> req, http::Reply reply) {
        test(scorers, runner, std::move(req), std::move(reply));
      },
      opts);
}

}  // namespace redcell::api
