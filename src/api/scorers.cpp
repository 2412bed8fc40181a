// /api/v1/scorers: the catalog, and a test of one scorer on sample text (no orchestrator).
#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "scorers/scorer.hpp"

namespace redcell::api {

namespace {
http::Response test(const ScorerRegistry& registry, const http::Request& req) {
  auto body =
      JsonInput::of(req.json, "", "an object {\"text\", \"scorer\": {\"type\", \"params\"}}");
  if (!body) return http::Response::error(body.error());
  if (auto ok = body->only({"text", "scorer"}); !ok) return http::Response::error(ok.error());
  const auto* text = body->get("text");
  if (!text || !text->is_string())
    return http::Response::error(
        Error::invalid("/text", text ? *text : boost::json::value(nullptr), "a string"));
  const auto* spec = body->get("scorer");
  if (!spec)
    return http::Response::error(
        Error::invalid("/scorer", nullptr, "a scorer {\"type\", \"params\"}"));
  auto scorer = registry.create(*spec, "/scorer");
  if (!scorer) return http::Response::error(scorer.error());
  auto r = (*scorer)->score(text->as_string());
  if (!r) return http::Response::error(r.error());
  boost::json::array scores;
  scores.push_back({{"scorer_type", spec->as_object().at("type")},
                    {"score_type", r->score_type},
                    {"value", r->value},
                    {"category", r->category},
                    {"rationale", r->rationale}});
  return http::Response::json(200, {{"scores", std::move(scores)}});
}
}  // namespace

void add_scorer_routes(http::Router& router, const ScorerRegistry& scorers) {
  http::RouteOptions opts;
  opts.summary = "The scorers this server offers, with a JSON Schema of their params";
  router.add(
      "GET", "/api/v1/scorers", [&scorers](http::Request&) { return catalog_json(scorers); }, opts);

  opts.summary = "Scores sample text with one scorer; nothing is stored";
  opts.json_body = true;
  router.add(
      "POST", "/api/v1/scorers/test", [&scorers](http::Request& req) { return test(scorers, req); },
      opts);
}

}  // namespace redcell::api
