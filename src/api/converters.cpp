#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "converters/chain.hpp"
#include "converters/converter.hpp"

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

http::Response preview(const ConverterRegistry& registry, const http::Request& req) {
  if (!req.json.is_object())
    return http::Response::error(
        Error::invalid("", req.json, "an object {\"text\", \"converters\"}"));
  const auto& body = req.json.as_object();
  if (auto ok = expect_members(body, {"text", "converters"}); !ok)
    return http::Response::error(ok.error());
  const auto* text = body.if_contains("text");
  if (!text || !text->is_string())
    return http::Response::error(
        Error::invalid("/text", text ? *text : boost::json::value(nullptr), "a string"));
  const auto* chain = body.if_contains("converters");
  if (!chain || !chain->is_array())
    return http::Response::error(Error::invalid(
        "/converters", chain ? *chain : boost::json::value(nullptr),
        "an array of {\"type\", \"params\"} (an empty array is the unconverted baseline)"));

  const auto& specs = chain->as_array();
  if (specs.size() > kMaxChainLength)
    return http::Response::error(
        Error::invalid("/converters", boost::json::value(specs.size()),
                       "a chain of at most " + std::to_string(kMaxChainLength) + " converters",
                       "the chain has " + std::to_string(specs.size()) + " converters; at most " +
                           std::to_string(kMaxChainLength) + " are allowed"));
  if (text->as_string().size() > kMaxConvertedBytes)
    return http::Response::error(
        Error::invalid("/text", std::nullopt,
                       "a text of at most " + std::to_string(kMaxConvertedBytes) + " bytes"));
  ConverterChain converters;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto converter = registry.create(specs[i], "/converters/" + std::to_string(i));
    if (!converter) return http::Response::error(converter.error());
    converters.push_back(std::move(*converter));
  }
  std::vector<std::string> outputs;
  auto out = run_chain(converters, std::string(text->as_string()), "/converters", &outputs);
  if (!out) return http::Response::error(out.error());
  boost::json::array steps;
  for (std::size_t i = 0; i < outputs.size(); ++i)
    steps.push_back({{"type", specs[i].as_object().at("type")},
                     {"output", boost::json::string(std::move(outputs[i]))}});
  return http::Response::json(200, {{"output", std::move(*out)}, {"steps", std::move(steps)}});
}

}  // namespace

void add_converter_routes(http::Router& router, const ConverterRegistry& converters,
                          WorkPool& pool) {
  http::RouteOptions opts;
  opts.summary = "The converters this server offers, with a JSON Schema of their params";
  router.add(
      "GET", "/api/v1/converters",
      [&converters](http::Request&) { return catalog_json(converters); }, opts);

  opts.summary =
      "Runs text (at most 1 MiB) through a converter chain (at most 20 steps, each output at "
      "most 1 MiB) and shows every step";
  opts.json_body = true;
  // Off the event loop: a chain of 20 steps over 1 MiB is real CPU work.
  add_blocking(
      router, "POST", "/api/v1/converters/preview", pool,
      [&converters](http::Request& req) { return preview(converters, req); }, opts);
}

}  // namespace redcell::api
