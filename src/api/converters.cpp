#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
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

  std::string current(text->as_string());
  boost::json::array steps;
  const auto& specs = chain->as_array();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::string field = "/converters/" + std::to_string(i);
    auto converter = registry.create(specs[i], field);
    if (!converter) return http::Response::error(converter.error());
    auto out = (*converter)->convert(current);
    if (!out) return http::Response::error(out.error());
    current = std::move(*out);
    steps.push_back(
        {{"type", specs[i].as_object().at("type")}, {"output", boost::json::string(current)}});
  }
  return http::Response::json(200, {{"output", current}, {"steps", std::move(steps)}});
}

}  // namespace

void add_converter_routes(http::Router& router, const ConverterRegistry& converters) {
  http::RouteOptions opts;
  opts.summary = "The converters this server offers, with a JSON Schema of their params";
  router.add(
      "GET", "/api/v1/converters",
      [&converters](http::Request&) { return catalog_json(converters); }, opts);

  opts.summary = "Runs text through a converter chain and shows every step";
  opts.json_body = true;
  router.add(
      "POST", "/api/v1/converters/preview",
      [&converters](http::Request& req) { return preview(converters, req); }, opts);
}

}  // namespace redcell::api
