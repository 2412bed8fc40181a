#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/work_pool.hpp"

namespace redcell::api {

void add_health_routes(http::Router& router, std::function<Result<void>()> ready_check,
                       WorkPool& pool) {
  http::RouteOptions open;
  open.authenticated = false;

  open.summary = "The process is up";
  router.add(
      "GET", "/healthz",
      [](http::Request&) {
        static const std::string body = R"({"status":"ok"})";
        return http::Response::text(200, body, "application/json");
      },
      open);

  open.summary = "The process can serve requests: its store answers";
  add_blocking(
      router, "GET", "/readyz", pool,
      [check = std::move(ready_check)](http::Request&) {
        auto ready = check();
        if (!ready)
          return http::Response::json(
              503, {{"status", "unavailable"}, {"reason", ready.error().message()}});
        return http::Response::json(200, {{"status", "ready"}});
      },
      open);
}

void add_metrics_route(http::Router& router, const http::MetricsRegistry& metrics) {
  http::RouteOptions open;
  open.authenticated = false;
  open.summary =
      "Prometheus metrics in the text exposition format (open: serve it on another address "
      "with --metrics-listen)";
  router.add(
      "GET", "/metrics",
      [&metrics](http::Request&) {
        return http::Response::text(200, metrics.render(),
                                    "text/plain; version=0.0.4; charset=utf-8");
      },
      open);
}

}  // namespace redcell::api
