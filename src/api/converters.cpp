#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/records.hpp"
#include "api/routes.hpp"
#include "api/templates.hpp"
#include "common/json_input.hpp"
#include "converters/chain.hpp"
#include "converters/converter.hpp"
#include "engine/execution_runner.hpp"

namespace redcell::api {

namespace {

// Only `allowed` members may appear in a request object; the first other one is named.
Result<void> expect_members(const boost::json::object& obj,
                            std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : obj) {
    bool ok = false;
    for (auto a : allowed) ok = ok || kv.key() == a;
    if (!ok)
      return fail(Error::invalid("/" + std::string(kv.key()), kv.value(), "a known member",
                                 "unknown member \"" + std::string(kv.key()) + "\""));
  }
  return {};
}

struct PreviewChain {
  ConverterChain converters;
  std::vector<boost::json::value> types;
  std::string text;
  std::uint64_t seed = 0;  // what random converters draw from: the same seed, the same output
};

Result<PreviewChain> read_preview(const ConverterRegistry& registry, const http::Request& req) {
  if (!req.json.is_object())
    return fail(Error::invalid("", req.json, "an object {\"text\", \"converters\"}"));
  const auto& body = req.json.as_object();
  if (auto ok = expect_members(body, {"text", "converters", "seed"}); !ok) return fail(ok.error());
  const auto* text = body.if_contains("text");
  if (!text || !text->is_string())
    return fail(Error::invalid("/text", text ? *text : boost::json::value(nullptr), "a string"));
  const auto* chain = body.if_contains("converters");
  if (!chain || !chain->is_array())
    return fail(Error::invalid(
        "/converters", chain ? *chain : boost::json::value(nullptr),
        "an array of {\"type\", \"params\"} (an empty array is the unconverted baseline)"));
  const auto& specs = chain->as_array();
  if (specs.size() > kMaxChainLength)
    return fail(
        Error::invalid("/converters", boost::json::value(specs.size()),
                       "a chain of at most " + std::to_string(kMaxChainLength) + " converters",
                       "the chain has " + std::to_string(specs.size()) + " converters; at most " +
                           std::to_string(kMaxChainLength) + " are allowed"));
  if (text->as_string().size() > kMaxConvertedBytes)
    return fail(
        Error::invalid("/text", std::nullopt,
                       "a text of at most " + std::to_string(kMaxConvertedBytes) + " bytes"));
  PreviewChain out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto converter = registry.create(specs[i], "/converters/" + std::to_string(i));
    if (!converter) return fail(converter.error());
    out.converters.push_back(std::move(*converter));
    out.types.push_back(specs[i].as_object().at("type"));
  }
  out.text = std::string(text->as_string());
  auto seed = JsonInput(body, "").opt_int("seed", 0, (std::int64_t{1} << 53) - 1);
  if (!seed) return fail(seed.error());
  out.seed = static_cast<std::uint64_t>(seed->value_or(0));
  return out;
}

boost::json::object preview_json(const PreviewChain& chain, std::string output,
                                 std::vector<std::string> outputs) {
  boost::json::array steps;
  for (std::size_t i = 0; i < outputs.size(); ++i)
    steps.push_back(
        {{"type", chain.types[i]}, {"output", boost::json::string(std::move(outputs[i]))}});
  return {{"output", std::move(output)}, {"steps", std::move(steps)}, {"seed", chain.seed}};
}

struct PreviewRun {
  PreviewChain chain;
  std::vector<std::string> outputs;
  Result<std::string> out = fail(ErrorCode::internal, "not converted");
};

Task<void> convert_sample(std::shared_ptr<PreviewRun> run, LlmClient& llm) {
  std::string text = run->chain.text;  // named, moved: see engine/async.hpp
  std::string field = "/converters";
  run->out = co_await run_chain_async(run->chain.converters, std::move(text), std::move(field), llm,
                                      run->chain.seed, &run->outputs);
}

// A pure chain runs on the pool (20 steps over 1 MiB is real CPU work); one with an LLM
// step runs on the engine, asking the caller's own targets, and shows their exchanges.
void preview_chain(const ConverterRegistry& registry, WorkPool& pool, ExecutionRunner& runner,
                   std::shared_ptr<http::Request> req, http::Reply reply) {
  auto chain = read_preview(registry, *req);
  if (!chain) return reply(http::Response::error(chain.error()));
  auto run = std::make_shared<PreviewRun>();
  run->chain = std::move(*chain);
  if (!chain_needs_llm(run->chain.converters)) {
    pool.post([run, reply] {
      auto out = run_chain(run->chain.converters, run->chain.text, "/converters", run->chain.seed,
                           &run->outputs);
      if (!out) return reply(http::Response::error(out.error()));
      reply(http::Response::json(
          200, preview_json(run->chain, std::move(*out), std::move(run->outputs))));
    });
    return;
  }
  auto started = runner.run_sample(
      scope_of(*req), [run](LlmClient& llm) { return convert_sample(run, llm); },
      [run, reply](std::vector<HelperExchange> exchanges, std::string failure) {
        if (!failure.empty()) {
          auto r = http::Response::error(Error(ErrorCode::internal, "the conversion failed"));
          r.internal_detail = failure;
          return reply(std::move(r));
        }
        if (!run->out) return reply(http::Response::error(run->out.error()));
        auto json = preview_json(run->chain, std::move(*run->out), std::move(run->outputs));
        json["helper_exchanges"] = helper_exchanges_json(exchanges);
        reply(http::Response::json(200, std::move(json)));
      });
  if (!started) reply(error_with_retry(started.error()));
}

// A chain naming a stored template reads it from the store first, on the pool.
void preview(const ConverterRegistry& registry, memory::Store& store, WorkPool& pool,
             ExecutionRunner& runner, std::shared_ptr<http::Request> req, http::Reply reply) {
  auto* chain = req->json.is_object() ? req->json.as_object().if_contains("converters") : nullptr;
  if (!chain || !names_stored_template(*chain))
    return preview_chain(registry, pool, runner, std::move(req), std::move(reply));
  pool.post([&registry, &store, &pool, &runner, req, reply]() mutable {
    auto& steps = req->json.as_object().at("converters");
    if (auto ok = resolve_stored_templates(store, scope_of(*req), steps, "/converters"); !ok)
      return reply(http::Response::error(ok.error()));
    preview_chain(registry, pool, runner, std::move(req), std::move(reply));
  });
}

}  // namespace

void add_converter_routes(http::Router& router, const ConverterRegistry& converters,
                          memory::Store& store, WorkPool& pool, ExecutionRunner& runner) {
  http::RouteOptions opts;
  opts.summary = "The converters this server offers, with a JSON Schema of their params";
  router.add(
      "GET", "/api/v1/converters",
      [&converters](http::Request&) { return catalog_json(converters); }, opts);

  opts.summary =
      "Runs text (at most 1 MiB) through a converter chain (at most 20 steps, each output at "
      "most 1 MiB) and shows every step";
  opts.json_body = true;
  router.add_async(
      "POST", "/api/v1/converters/preview",
      [&converters, &store, &pool, &runner](std::shared_ptr<http::Request> req, http::Reply reply) {
        preview(converters, store, pool, runner, std::move(req), std::move(reply));
      },
      opts);
}

}  // namespace redcell::api
