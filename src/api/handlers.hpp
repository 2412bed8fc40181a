#pragma once
// Helpers every resource file shares: routes whose handler may block (store calls) and
// the list conventions (?limit=, ?cursor=, {"items", "next_cursor"}).

#include <boost/json.hpp>
#include <functional>
#include <memory>

#include "common/page.hpp"
#include "common/work_pool.hpp"
#include "http/server/router.hpp"

namespace redcell::api {

// The handler runs on `pool`, never on an event loop; its Response goes back to the
// connection.
inline void add_blocking(http::Router& router, std::string method, std::string pattern,
                         WorkPool& pool, std::function<http::Response(http::Request&)> handler,
                         http::RouteOptions options) {
  router.add_async(
      std::move(method), std::move(pattern),
      [&pool, handler = std::move(handler)](std::shared_ptr<http::Request> req, http::Reply reply) {
        pool.post([handler, req, reply = std::move(reply)] { reply(handler(*req)); });
      },
      std::move(options));
}

inline Result<PageRequest> page_of(const http::Request& req) {
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

}  // namespace redcell::api
