// Admin routes: /api/v1/users and /api/v1/audit (filterable), both keyset-paged.
#include <boost/json.hpp>

#include "api/routes.hpp"
#include "common/time.hpp"
#include "common/work_pool.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

// The page a list request asks for, from ?limit= and ?cursor=.
Result<PageRequest> page_of(const http::Request& req) {
  auto limit = req.query_param("limit");
  auto cursor = req.query_param("cursor");
  return parse_page_request(limit ? std::optional<std::string_view>(*limit) : std::nullopt,
                            cursor ? std::optional<std::string_view>(*cursor) : std::nullopt);
}

template <class T, class ToJson>
http::Response page_json(const Result<Page<T>>& page, ToJson to_json) {
  if (!page) return http::Response::error(page.error());
  boost::json::array items;
  for (const auto& x : page->items) items.push_back(to_json(x));
  return http::Response::json(
      200,
      {{"items", std::move(items)},
       {"next_cursor", page->next ? boost::json::value(encode_cursor(*page->next)) : nullptr}});
}

boost::json::object user_json(const memory::User& u) {
  boost::json::array roles;
  for (const auto& r : u.roles) roles.emplace_back(r);
  return {{"id", u.id},
          {"issuer", u.issuer},
          {"subject", u.subject},
          {"username", u.username},
          {"display_name", u.display_name},
          {"roles", std::move(roles)},
          {"created_at", format_time(u.created_at)},
          {"updated_at", format_time(u.updated_at)}};
}

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
  router.add_async(
      "GET", "/api/v1/users",
      [&store, &pool](std::shared_ptr<http::Request> req, http::Reply reply) {
        pool.post([&store, req, reply = std::move(reply)] {
          auto page = page_of(*req);
          if (!page) return reply(http::Response::error(page.error()));
          reply(page_json(store.list_users(memory::Scope::system(), *page), user_json));
        });
      },
      opts);

  opts.summary = "The audit log (admin): ?action=, ?object_type=, ?object_id=";
  router.add_async(
      "GET", "/api/v1/audit",
      [&store, &pool](std::shared_ptr<http::Request> req, http::Reply reply) {
        pool.post([&store, req, reply = std::move(reply)] {
          auto page = page_of(*req);
          if (!page) return reply(http::Response::error(page.error()));
          memory::AuditFilter f;
          f.action = req->query_param("action");
          f.object_type = req->query_param("object_type");
          f.object_id = req->query_param("object_id");
          reply(page_json(store.list_audit(memory::Scope::system(), f, *page), audit_json));
        });
      },
      opts);
}

}  // namespace redcell::api
