// GET /api/v1/stats/attack-success?by=target|harm_category|converter_chain: the dashboard's
// figures, over the caller's own finished work items only (reviews included). A chain's
// label names its converters in order ("base64 → caesar"; "(none)" for the unconverted
// baseline).
#include <boost/json.hpp>
#include <string>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

std::string chain_label(const std::string& chain_json) {
  boost::system::error_code ec;
  auto chain = boost::json::parse(chain_json, ec);
  if (ec || !chain.is_array()) return chain_json;
  if (chain.as_array().empty()) return "(none)";
  std::string out;
  for (const auto& step : chain.as_array()) {
    const auto* type = step.is_object() ? step.as_object().if_contains("type") : nullptr;
    if (!out.empty()) out += " \u2192 ";
    out += type && type->is_string() ? std::string(type->as_string()) : "?";
  }
  return out;
}

Result<memory::SuccessGrouping> grouping_of(const http::Request& req) {
  auto by = req.query_param("by").value_or("target");
  if (by == "target") return memory::SuccessGrouping::target;
  if (by == "harm_category") return memory::SuccessGrouping::harm_category;
  if (by == "converter_chain") return memory::SuccessGrouping::converter_chain;
  return fail(Error::invalid("/query/by", boost::json::value(by),
                             "target, harm_category or converter_chain"));
}

}  // namespace

void add_stats_routes(http::Router& router, const Services& s) {
  http::RouteOptions opts;
  opts.summary = "Attack success grouped by target, harm category or converter chain";
  add_blocking(
      router, "GET", "/api/v1/stats/attack-success", s.pool,
      [s](http::Request& req) {
        auto by = grouping_of(req);
        if (!by) return http::Response::error(by.error());
        auto groups = s.store.attack_success(scope_of(req), *by);
        if (!groups) return http::Response::error(groups.error());
        boost::json::array items;
        for (const auto& g : *groups) {
          std::string label = g.label;
          if (*by == memory::SuccessGrouping::converter_chain) label = chain_label(g.key);
          if (*by == memory::SuccessGrouping::harm_category) label = g.key;
          items.push_back(
              {{"key", g.key},
               {"label", label},
               {"executions", g.executions},
               {"items", g.items},
               {"decided", g.decided},
               {"achieved", g.achieved},
               {"success_rate", g.decided ? boost::json::value(static_cast<double>(g.achieved) /
                                                               static_cast<double>(g.decided))
                                          : boost::json::value(nullptr)}});
        }
        return http::Response::json(200,
                                    {{"by", std::string(req.query_param("by").value_or("target"))},
                                     {"items", std::move(items)}});
      },
      opts);
}

}  // namespace redcell::api
