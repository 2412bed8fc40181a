// /api/v1/api-keys: create (the secret is in this one response only), list, revoke.
#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "common/work_pool.hpp"
#include "identity/api_key_authenticator.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

boost::json::object key_json(const memory::ApiKey& k) {
  boost::json::object o{{"id", k.id},
                        {"name", k.name},
                        {"prefix", k.prefix},
                        {"created_at", format_time(k.created_at)}};
  o["last_used_at"] = k.last_used_at ? boost::json::value(format_time(*k.last_used_at)) : nullptr;
  o["revoked_at"] = k.revoked_at ? boost::json::value(format_time(*k.revoked_at)) : nullptr;
  return o;
}

Result<std::string> key_name(const boost::json::value& body) {
  if (!body.is_object()) return fail(Error::invalid("", body, "an object {\"name\"}"));
  for (const auto& kv : body.as_object()) {
    if (kv.key() == "name") continue;
    std::string field = "/" + std::string(kv.key());
    bool read_only = kv.key() == "id" || kv.key() == "prefix" || kv.key() == "secret" ||
                     kv.key() == "created_at" || kv.key() == "last_used_at" ||
                     kv.key() == "revoked_at" || kv.key() == "owner";
    return fail(Error::invalid(
        field, kv.value(), read_only ? "no value: the server sets it" : "only \"name\"",
        field + (read_only ? " is read-only" : " is not a member of an API key")));
  }
  const auto* name = body.as_object().if_contains("name");
  if (!name || !name->is_string() || name->as_string().empty() || name->as_string().size() > 200)
    return fail(Error::invalid("/name", name ? *name : nullptr, "a name of 1 to 200 characters"));
  return std::string(name->as_string());
}

}  // namespace

void add_api_key_routes(http::Router& router, memory::Store& store, WorkPool& pool) {
  http::RouteOptions opts;
  opts.summary = "Create an API key; the secret is returned once";
  add_creating(
      router, "/api/v1/api-keys", store, pool,
      [&store](http::Request& req) {
        // A key minted by a key would outlive the revocation of its parent.
        if (req.identity && req.identity->via_api_key)
          return http::Response::error(Error(
              ErrorCode::forbidden,
              "an API key cannot create API keys: sign in with your identity provider (or use "
              "--auth local) to create one"));
        auto name = key_name(req.json);
        if (!name) return http::Response::error(name.error());
        auto secret = generate_api_key_secret();
        memory::ApiKey k;
        k.name = *name;
        k.prefix = secret.prefix;
        k.secret_hash = secret.hash;
        auto stored = store.add_api_key(scope_of(req), k).get();
        if (!stored) return http::Response::error(stored.error());
        audit(store, req, "api_key.create", "api_key", stored->id);
        auto body = key_json(*stored);
        body["secret"] = secret.secret;
        return http::Response::json(201, body);
      },
      opts,
      [](const std::string& body) {
        // The secret is shown once: a replay answers without it.
        auto doc = boost::json::parse(body);
        if (doc.is_object() && doc.as_object().erase("secret"))
          doc.as_object()["secret_shown_once"] = true;
        return boost::json::serialize(doc);
      });

  opts = {};
  opts.summary = "Your API keys (prefix, creation, last use; never the secret)";
  add_blocking(
      router, "GET", "/api/v1/api-keys", pool,
      [&store](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        return page_json(store.list_api_keys(scope_of(req), *page), key_json);
      },
      opts);

  opts.summary = "Revoke an API key; it stops working on the next request";
  add_blocking(
      router, "DELETE", "/api/v1/api-keys/{id}", pool,
      [&store](http::Request& req) {
        auto revoked = store.revoke_api_key(scope_of(req), std::string(req.param("id"))).get();
        if (!revoked) return http::Response::error(revoked.error());
        audit(store, req, "api_key.revoke", "api_key", revoked->id);
        return http::Response::json(200, key_json(*revoked));
      },
      opts);
}

}  // namespace redcell::api
