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
        auto scope = scope_of(req);
        memory::MessageFilter filter;
        filter.conversation_id = std::string(req.param("id"));
        boost::json::array messages;
        PageRequest page{kMaxPageLimit, std::nullopt};
        for (int round = 0; round < 100; ++round) {
          auto got = s.store.list_messages(scope, filter, page);
          if (!got) return http::Response::error(got.error());
          for (const auto& m : got->items) {
            auto json = message_json(m);
            boost::json::array scores;
            memory::ScoreFilter sf;
            sf.message_id = m.id;
            auto sc = s.store.list_scores(scope, sf, PageRequest{kMaxPageLimit, std::nullopt});
            if (!sc) return http::Response::error(sc.error());
            for (const auto& x : sc->items) scores.push_back(score_json(x));
            json["scores"] = std::move(scores);
            messages.push_back(std::move(json));
          }
          if (!got->next) break;
          page.after = got->next;
        }
        if (messages.empty())
          return http::Response::error(Error(ErrorCode::not_found, "conversation not found"));
        return http::Response::json(200,
                                    {{"id", req.param("id")}, {"messages", std::move(messages)}});
      },
      opts);
}

}  // namespace redcell::api
