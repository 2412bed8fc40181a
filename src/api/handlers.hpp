#pragma once
// Helpers every resource file shares: routes whose handler may block (store calls), the
// list conventions (?limit=, ?cursor=, {"items", "next_cursor"}), the caller's scope, audit
// rows and Idempotency-Key handling for creating POSTs.

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "common/page.hpp"
#include "common/work_pool.hpp"
#include "http/server/router.hpp"

namespace redcell::memory {
class Scope;
class Store;
}  // namespace redcell::memory

namespace redcell::api {

using BlockingHandler = std::function<http::Response(http::Request&)>;
// Answers from memory on the event loop when it can (nullopt: it cannot); never blocks.
using MemoryHandler = std::function<std::optional<http::Response>(http::Request&)>;

// A 500 for a handler that threw: the detail goes to the log with the request id, the
// client gets only the id.
http::Response internal_error(const http::Request& req, std::string_view detail);
// An error answer; a too_many_requests one says when to retry (Retry-After, seconds).
inline http::Response error_with_retry(const Error& e, std::string_view retry_after = "5") {
  auto r = http::Response::error(e);
  if (e.code() == ErrorCode::too_many_requests)
    r.headers.emplace_back("Retry-After", std::string(retry_after));
  return r;
}

// The handler runs on `pool`, never on an event loop; its Response goes back to the
// connection. `from_memory`, when given, runs first on the loop and spares the hop when it
// answers.
inline void add_blocking(http::Router& router, std::string method, std::string pattern,
                         WorkPool& pool, BlockingHandler handler, http::RouteOptions options,
                         MemoryHandler from_memory = {}) {
  router.add_async(
      std::move(method), std::move(pattern),
      [&pool, handler = std::move(handler), from_memory = std::move(from_memory)](
          std::shared_ptr<http::Request> req, http::Reply reply) {
        if (from_memory) {
          if (auto r = from_memory(*req)) return reply(std::move(*r));
        }
        pool.post([handler, req, reply = std::move(reply)] {
          try {
            reply(handler(*req));
          } catch (const std::exception& e) {
            reply(internal_error(*req, e.what()));
          }
        });
      },
      std::move(options));
}

// A creating POST on `pool` that honours `Idempotency-Key`: the same key with the same body
// replays the first answer; with another body 422; while the first is still running 409.
// `stored_body` may strip what must not be kept (an API key's secret) from the body kept
// for replays.
using BodyRedactor = std::function<std::string(const std::string& body)>;
void add_creating(http::Router& router, std::string pattern, memory::Store& store, WorkPool& pool,
                  BlockingHandler handler, http::RouteOptions options,
                  BodyRedactor stored_body = {});

inline Result<PageRequest> page_of(const http::Request& req) {
  auto limit = req.query_param("limit");
  auto cursor = req.query_param("cursor");
  return parse_page_request(limit ? std::optional<std::string_view>(*limit) : std::nullopt,
                            cursor ? std::optional<std::string_view>(*cursor) : std::nullopt);
}

// A true/false query parameter (nullopt when absent); anything else names /query/NAME.
inline Result<std::optional<bool>> bool_param(const http::Request& req, const char* name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<bool>{};
  if (*v != "true" && *v != "false")
    return fail(
        Error::invalid(std::string("/query/") + name, boost::json::value(*v), "true or false"));
  return std::optional<bool>{*v == "true"};
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

// A catalog (converters, scorers) as a one-page list of {type, description, params}.
template <class Catalog>
http::Response catalog_json(const Catalog& catalog) {
  boost::json::array items;
  for (const auto& c : catalog.catalog())
    items.push_back({{"type", c.type}, {"description", c.description}, {"params", c.params}});
  return http::Response::json(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
}

memory::Scope scope_of(const http::Request& req);

// Writes an audit row and waits for its commit, so whoever reads the audit log after the
// response sees it. Only on the WorkPool, where waiting is allowed.
void audit(memory::Store& store, const http::Request& req, std::string action,
           std::string object_type, const std::string& object_id, boost::json::object details = {});

}  // namespace redcell::api
