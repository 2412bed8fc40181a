#include "api/handlers.hpp"

#include "common/encoding.hpp"
#include "common/json_input.hpp"
#include "common/log.hpp"
#include "memory/store.hpp"

namespace redcell::api {

http::Response internal_error(const http::Request& req, std::string_view detail) {
  log::error("handler_exception",
             {{"request_id", req.request_id}, {"route", req.route}, {"what", detail}});
  return http::Response::error(Error(ErrorCode::internal, "the handler failed"));
}

memory::Scope scope_of(const http::Request& req) {
  return memory::Scope::user(req.identity->user_id);
}

void audit(memory::Store& store, const http::Request& req, std::string action,
           std::string object_type, const std::string& object_id, boost::json::object details) {
  memory::AuditEvent e;
  e.action = std::move(action);
  e.object_type = std::move(object_type);
  e.object_id = object_id;
  details["request_id"] = req.request_id;
  e.details = boost::json::serialize(details);
  if (auto done = store.add_audit(scope_of(req), e).get(); !done)
    log::error("audit_write_failed",
               {{"action", e.action}, {"object_id", object_id}, {"error", done.error().message()}});
}

namespace {

http::Response idempotent(memory::Store& store, const BlockingHandler& handler,
                          const BodyRedactor& stored_body, http::Request& req) {
  auto key = req.header("idempotency-key");
  if (!key) return handler(req);
  if (key->empty() || key->size() > 255)
    return http::Response::error(Error::invalid("/headers/idempotency-key",
                                                boost::json::value(std::string(*key)),
                                                "a key of 1 to 255 characters"));
  const auto scope = scope_of(req);
  const std::string hash =
      sha256_hex(req.method + " " + req.path + "\n" + canonical_json(req.json));
  auto claimed = store.claim_idempotency_key(scope, std::string(*key), hash).get();
  if (!claimed) return http::Response::error(claimed.error());
  if (!claimed->fresh) {
    if (claimed->request_hash != hash)
      return http::Response::error(
          Error(ErrorCode::unprocessable,
                "this Idempotency-Key was used with a different request; use a new key",
                ErrorDetails{"/headers/idempotency-key", boost::json::value(std::string(*key)),
                             "a new key for a different request"}));
    if (claimed->status == 0)
      return http::Response::error(
          Error(ErrorCode::conflict,
                "a request with this Idempotency-Key is still being answered; retry later"));
    http::Response replay;
    replay.status = static_cast<unsigned>(claimed->status);
    replay.body = claimed->response_body;
    replay.headers.emplace_back("Idempotent-Replayed", "true");
    return replay;
  }
  auto response = handler(req);
  auto done =
      store
          .complete_idempotency_key(scope, std::string(*key), static_cast<int>(response.status),
                                    stored_body ? stored_body(response.body) : response.body)
          .get();
  if (!done)
    log::error("idempotency_write_failed",
               {{"request_id", req.request_id}, {"error", done.error().message()}});
  return response;
}

}  // namespace

void add_creating(http::Router& router, std::string pattern, memory::Store& store, WorkPool& pool,
                  BlockingHandler handler, http::RouteOptions options, BodyRedactor stored_body) {
  options.json_body = true;
  add_blocking(
      router, "POST", std::move(pattern), pool,
      [&store, handler = std::move(handler), stored_body = std::move(stored_body)](
          http::Request& req) { return idempotent(store, handler, stored_body, req); },
      std::move(options));
}

}  // namespace redcell::api
