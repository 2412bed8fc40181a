// Admin routes: /api/v1/users and /api/v1/audit (filterable), both keyset-paged.
#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/records.hpp"
#include "api/routes.hpp"
#include "common/time.hpp"
#include "common/work_pool.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

boost::json::object audit_json(const memory::AuditEvent& e) {
  boost::system::error_code ec;
  auto details = boost::json::parse(e.details, ec);
  return {{"id", e.id},
          {"actor", e.owner},
          {"action", e.action},
          {"object_type", e.object_type},
          {"object_id", e.object_id},
          {"details", ec ? boost::json::value(boost::json::object()) : details},
          {"created_at", format_time(e.created_at)}};
}

}  // namespace

void add_admin_routes(http::Router& router, memory::Store& store, WorkPool& pool) {
  http::RouteOptions opts;
  opts.role = "admin";
  opts.summary = "Every user (admin)";
  add_blocking(
      router, "GET", "/api/v1/users", pool,
      [&store](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        return page_json(store.list_users(memory::Scope::system(), *page), user_json);
      },
      opts);

  opts.summary = "The audit log (admin): ?action=, ?object_type=, ?object_id=";
  add_blocking(
      router, "GET", "/api/v1/audit", pool,
      [&store](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        memory::AuditFilter f;
        f.action = req.query_param("action");
        f.object_type = req.query_param("object_type");
        f.object_id = req.query_param("object_id");
        return page_json(store.list_audit(memory::Scope::system(), f, *page), audit_json);
      },
      opts);
}

}  // namespace redcell::api
