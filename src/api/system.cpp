#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/work_pool.hpp"
#include "memory/store.hpp"

namespace redcell::api {

boost::json::object identity_json(const Identity& id) {
  boost::json::array roles;
  for (const auto& r : id.roles) roles.emplace_back(r);
  return {{"id", id.user_id},
          {"issuer", id.issuer},
          {"subject", id.subject},
          {"username", id.username},
          {"display_name", id.display_name},
          {"roles", std::move(roles)}};
}

void add_system_routes(http::Router& router, memory::Store& store, WorkPool& pool,
                       const SystemInfo& info) {
  http::RouteOptions opts;
  opts.summary = "The caller's resolved identity";
  router.add(
      "GET", "/api/v1/me",
      [](http::Request& req) { return http::Response::json(200, identity_json(*req.identity)); },
      opts);

  opts.summary = "Server, store and writer-queue figures (admin)";
  opts.role = "admin";
  add_blocking(
      router, "GET", "/api/v1/system", pool,
      [&store, info](http::Request&) {
        {
          auto s = store.stats();
          auto check = store.ping();
          boost::json::object doc{
              {"version", REDCELL_VERSION},
              {"started_at", info.started_at},
              {"auth", info.auth_mode},
              {"store",
               {{"url", s.url},
                {"kind", info.store_kind},
                {"schema_version", s.schema_version},
                {"reachable", check.has_value()},
                {"writer_queue", {{"depth", s.queue_depth}, {"capacity", s.queue_capacity}}},
                {"batches", s.batches},
                {"writes", s.writes},
                {"largest_batch", s.largest_batch},
                {"mean_batch",
                 s.batches ? static_cast<double>(s.writes) / static_cast<double>(s.batches) : 0.0},
                {"connections", {{"read", s.read_connections}, {"write", s.write_connections}}},
                {"wal_bytes_largest", s.wal_bytes_largest},
                {"checkpoints", s.checkpoints}}}};
          if (info.engine) doc["engine"] = info.engine();
          return http::Response::json(200, doc);
        }
      },
      opts);
}

}  // namespace redcell::api
