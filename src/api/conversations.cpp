// /api/v1/conversations/{id}: one conversation's messages in order, each with its scores.
#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/records.hpp"
#include "api/routes.hpp"
#include "memory/store.hpp"

namespace redcell::api {

void add_conversation_routes(http::Router& router, const Services& s) {
  http::RouteOptions opts;
  opts.summary = "A conversation: its messages in order, each with its scores";
  add_blocking(
      router, "GET", "/api/v1/conversations/{id}", s.pool,
      [s](http::Request& req) {
        auto messages = conversation_messages(s.store, scope_of(req), std::string(req.param("id")));
        if (!messages) return http::Response::error(messages.error());
        if (messages->empty())
          return http::Response::error(Error(ErrorCode::not_found, "conversation not found"));
        return http::Response::json(200,
                                    {{"id", req.param("id")}, {"messages", std::move(*messages)}});
      },
      opts);
}

}  // namespace redcell::api
