// /api/v1/scorers/evaluate and /api/v1/scorers/evaluations: a scorer run over a labelled set
// (inline items or a set shipped in the binary) and judged against the labels; every
// evaluation is stored and listed per scorer config (or per spec hash), so a team sees
// whether a judge got better or worse after a rubric change. An LLM judge asks the caller's
// own targets on the engine (run_sample, the same per-user cap as /scorers/test).
#include <boost/json.hpp>
#include <chrono>
#include <future>

#include "api/handlers.hpp"
#include "api/records.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "engine/execution_runner.hpp"
#include "memory/store.hpp"
#include "scorers/evaluation.hpp"
#include "scorers/labelled_sets.hpp"
#include "scorers/scorer.hpp"

namespace redcell::api {

namespace {
constexpr std::size_t kMaxRuleItems = 10'000;
constexpr std::size_t kMaxJudgeItems = 300;

boost::json::object evaluation_json(const memory::ScorerEvaluation& e) {
  boost::system::error_code ec;
  auto report = boost::json::parse(e.report, ec);
  return {{"id", e.id},
          {"scorer_config_id", e.scorer_config_id.empty() ? boost::json::value(nullptr)
                                                          : boost::json::value(e.scorer_config_id)},
          {"scorer", boost::json::parse(e.scorer)},
          {"scorer_hash", e.scorer_hash},
          {"report", ec ? boost::json::value(boost::json::object()) : report},
          {"created_at", format_time(e.created_at)}};
}

// A built-in set's JSON Lines as a JSON array.
Result<boost::json::value> builtin_items(const std::string& name) {
  auto text = evaluation::builtin_set(name);
  if (!text) {
    std::string known;
    for (auto n : evaluation::builtin_set_names())
      known += (known.empty() ? "" : ", ") + std::string(n);
    return fail(Error::invalid("/labelled_set", boost::json::value(name), "one of " + known));
  }
  boost::json::array out;
  std::size_t at = 0;
  while (at < text->size()) {
    auto end = text->find('\n', at);
    if (end == std::string_view::npos) end = text->size();
    if (end > at) out.push_back(boost::json::parse(text->substr(at, end - at)));
    at = end + 1;
  }
  return boost::json::value(std::move(out));
}

Task<void> judge_all(std::shared_ptr<const Scorer> scorer,
                     std::shared_ptr<const std::vector<evaluation::LabelledItem>> items,
                     std::shared_ptr<std::vector<Result<ScoreResult>>> out, LlmClient& llm) {
  for (const auto& item : *items) {
    ScoreInput input{item.text, item.objective, {}};
    auto r = co_await scorer->score_async(std::move(input), llm);
    out->push_back(std::move(r));
  }
}

http::Response evaluate(const Services& s, ExecutionRunner& runner, http::Request& req) {
  auto body = JsonInput::of(req.json, "",
                            "an object {\"scorer\" or \"scorer_config_id\", \"items\" or "
                            "\"labelled_set\"}");
  if (!body) return http::Response::error(body.error());
  if (auto ok = body->only({"scorer", "scorer_config_id", "items", "labelled_set"}); !ok)
    return http::Response::error(ok.error());
  const auto scope = scope_of(req);
  // The scorer: inline, or a saved config of the caller's.
  boost::json::value spec;
  std::string config_id, field = "/scorer";
  if (body->has("scorer") == body->has("scorer_config_id"))
    return http::Response::error(
        Error::invalid("/scorer", body->has("scorer") ? *body->get("scorer") : nullptr,
                       "either a scorer {\"type\", \"params\"} or a scorer_config_id, not both"));
  if (body->has("scorer")) {
    spec = *body->get("scorer");
  } else {
    auto id = body->string("scorer_config_id", 100);
    if (!id) return http::Response::error(id.error());
    auto config = s.store.get_scorer_config(scope, *id);
    if (!config) return http::Response::error(config.error());
    config_id = config->id;
    spec = boost::json::parse(config->scorer);
    field = "/scorer_config_id";
  }
  auto info = s.scorers.validate(spec, field);
  if (!info) return http::Response::error(info.error());
  for (const auto& helper : info->helper_targets)
    if (auto t = s.store.get_target(scope, helper); !t)
      return http::Response::error(
          Error::invalid(field, spec, "a scorer whose judge is one of your saved targets"));
  auto scorer = s.scorers.create(spec, field);
  if (!scorer) return http::Response::error(scorer.error());
  const bool llm = (*scorer)->traits().needs_llm;
  // The items: inline, or a set shipped in the binary.
  boost::json::value raw;
  std::string items_field = "/items";
  if (body->has("items") == body->has("labelled_set"))
    return http::Response::error(Error::invalid(
        "/items", body->has("items") ? *body->get("items") : nullptr,
        "either items [{\"text\", \"objective\"?, \"label\"}] or a labelled_set name, not both"));
  if (body->has("items")) {
    raw = *body->get("items");
  } else {
    auto name = body->string("labelled_set", 64);
    if (!name) return http::Response::error(name.error());
    auto set = builtin_items(*name);
    if (!set) return http::Response::error(set.error());
    raw = std::move(*set);
    items_field = "/labelled_set";
  }
  auto items = evaluation::read_items(raw, items_field, info->score_type,
                                      llm ? kMaxJudgeItems : kMaxRuleItems);
  if (!items) return http::Response::error(items.error());
  auto verdicts = std::make_shared<std::vector<Result<ScoreResult>>>();
  if (!llm) {
    for (const auto& item : *items)
      verdicts->push_back((*scorer)->judge(ScoreInput{item.text, item.objective, {}}));
  } else {
    // On the engine; this pool thread waits (bounded: the judges' own timeouts end it).
    std::shared_ptr<const Scorer> shared(std::move(*scorer));
    auto all = std::make_shared<const std::vector<evaluation::LabelledItem>>(*items);
    auto done = std::make_shared<std::promise<std::string>>();
    auto finished = done->get_future();
    auto started = runner.run_sample(
        scope,
        [shared, all, verdicts](LlmClient& c) { return judge_all(shared, all, verdicts, c); },
        [done](std::vector<HelperExchange>, std::string failure) {
          done->set_value(std::move(failure));
        });
    if (!started) return error_with_retry(started.error());
    if (finished.wait_for(std::chrono::minutes(30)) != std::future_status::ready)
      return http::Response::error(Error(ErrorCode::unavailable, "the evaluation did not finish"));
    if (auto failure = finished.get(); !failure.empty() || verdicts->size() != items->size())
      return http::Response::error(Error(ErrorCode::internal, "the scorer failed"));
  }
  const auto report = evaluation::report(info->score_type, *items, *verdicts);
  auto stored =
      s.store.add_scorer_evaluation(scope, evaluation_record(spec, report, config_id)).get();
  if (!stored) return http::Response::error(stored.error());
  return http::Response::json(201, evaluation_json(*stored));
}
}  // namespace

void add_scorer_evaluation_routes(http::Router& router, const Services& s,
                                  ExecutionRunner& runner) {
  http::RouteOptions opts;
  opts.summary =
      "Evaluates a scorer (inline or a saved config) on labelled items or a built-in labelled "
      "set: accuracy, precision, recall, F1 and the confusion matrix, or MAE and "
      "Krippendorff's alpha; stored";
  opts.json_body = true;
  add_blocking(
      router, "POST", "/api/v1/scorers/evaluate", s.pool,
      [s, &runner](http::Request& req) { return evaluate(s, runner, req); }, opts);

  opts = {};
  opts.summary = "Your scorer evaluations: ?scorer_config_id= or ?scorer_hash=";
  add_blocking(
      router, "GET", "/api/v1/scorers/evaluations", s.pool,
      [s](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        memory::EvaluationFilter f;
        f.scorer_config_id = req.query_param("scorer_config_id");
        f.scorer_hash = req.query_param("scorer_hash");
        return page_json(s.store.list_scorer_evaluations(scope_of(req), f, *page), evaluation_json);
      },
      opts);
}

}  // namespace redcell::api
