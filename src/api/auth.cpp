// Browser sign-in (OIDC authorization code flow with PKCE, RFC 7636) for JWT mode:
// GET /auth/login sends the browser to the issuer's authorization endpoint (read from its
// discovery document); GET /auth/callback checks the state against the login cookie, trades
// the code for tokens at the token endpoint, verifies the ID token (signature, iss, aud =
// the client id, exp, and the nonce of this login), resolves the user by (issuer, subject)
// like a bearer token, and keeps a session in an HttpOnly, SameSite=Strict cookie: the
// browser never holds a token. GET /auth/session tells the UI who is signed in and the CSRF
// token its unsafe requests must send; POST /auth/logout ends the session.
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "common/work_pool.hpp"
#include "http/client/client.hpp"
#include "identity/jwt.hpp"
#include "identity/session.hpp"

namespace redcell::api {

namespace {

constexpr const char* kLoginCookie = "redcell_login";

struct Discovery {
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string end_session_endpoint;  // empty when the issuer has none
};

// The issuer's endpoints, fetched once (a failed fetch is tried again at the next login).
struct DiscoveryCache {
  std::mutex mu;
  std::shared_ptr<const Discovery> value;
};

std::optional<std::string> cookie(const http::Request& req, std::string_view name) {
  auto header = req.header("Cookie");
  return header ? cookie_value(*header, name) : std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value, std::string_view path,
                       std::string_view same_site, std::int64_t max_age, bool secure) {
  std::string c = std::string(name) + "=" + std::string(value) + "; Path=" + std::string(path) +
                  "; HttpOnly; SameSite=" + std::string(same_site) +
                  "; Max-Age=" + std::to_string(max_age);
  if (secure) c += "; Secure";
  return c;
}

// Where to go after signing in: a path of this server only (never another origin).
std::string safe_next(std::optional<std::string> next) {
  if (!next || next->empty() || next->size() > 2000 || next->front() != '/' ||
      next->rfind("//", 0) == 0 || next->find('\\') != std::string::npos ||
      next->rfind("/auth/", 0) == 0)
    return "/";
  for (char c : *next)
    if (static_cast<unsigned char>(c) < 0x20) return "/";
  return *next;
}

http::Response redirect(const std::string& location) {
  auto r = http::Response::text(302, "", "text/plain; charset=utf-8");
  r.headers.emplace_back("Location", location);
  return r;
}

// A failed sign-in goes back to the page, which shows why.
http::Response back_with_error(std::string_view message) {
  return redirect("/?sign_in_error=" + boost::urls::encode(message, boost::urls::unreserved_chars));
}

std::string form(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += boost::urls::encode(v, boost::urls::unreserved_chars);
  }
  return out;
}

Result<std::string> string_member(const boost::json::value& doc, const char* name,
                                  bool required = true) {
  const auto* v = doc.is_object() ? doc.as_object().if_contains(name) : nullptr;
  if (v && v->is_string()) return std::string(v->as_string());
  if (!required) return std::string();
  return fail(
      Error(ErrorCode::unavailable, std::string("the identity provider's answer has no ") + name));
}

void discover(const AuthServices& a, const std::shared_ptr<DiscoveryCache>& cache,
              std::function<void(Result<std::shared_ptr<const Discovery>>)> done) {
  {
    std::lock_guard lock(cache->mu);
    if (cache->value) return done(cache->value);
  }
  http::ClientRequest req;
  req.method = "GET";
  req.url = a.oidc->issuer + "/.well-known/openid-configuration";
  req.timeout = std::chrono::seconds(10);
  a.client->send(std::move(req), [cache, done = std::move(done)](Result<http::ClientResponse> r) {
    if (!r)
      return done(fail(Error(ErrorCode::unavailable,
                             "the identity provider's discovery document could not be "
                             "read: " +
                                 r.error().message())));
    boost::system::error_code ec;
    auto doc = boost::json::parse(r->body, ec);
    if (ec || r->status != 200)
      return done(fail(Error(ErrorCode::unavailable,
                             "the identity provider's discovery document is not JSON (HTTP " +
                                 std::to_string(r->status) + ")")));
    auto authz = string_member(doc, "authorization_endpoint");
    auto token = string_member(doc, "token_endpoint");
    auto end = string_member(doc, "end_session_endpoint", false);
    if (!authz) return done(fail(authz.error()));
    if (!token) return done(fail(token.error()));
    auto d = std::make_shared<const Discovery>(Discovery{*authz, *token, end.value_or("")});
    std::lock_guard lock(cache->mu);
    cache->value = d;
    done(d);
  });
}

void login(const AuthServices& a, const std::shared_ptr<DiscoveryCache>& cache,
           const std::shared_ptr<http::Request>& req, const http::Reply& reply) {
  if (!a.oidc)
    return reply(
        http::Response::error(Error(ErrorCode::not_found,
                                    "browser sign-in is not configured: start the server with "
                                    "--auth jwt and --oidc-client-id")));
  auto next = safe_next(req->query_param("next"));
  discover(a, cache, [a, next, reply](Result<std::shared_ptr<const Discovery>> d) {
    if (!d) return reply(http::Response::error(d.error()));
    auto pending = a.sessions->begin_login(next);
    if (!pending) return reply(error_with_retry(pending.error(), "60"));
    boost::urls::url u((*d)->authorization_endpoint);
    u.params().append({"response_type", "code"});
    u.params().append({"client_id", a.oidc->client_id});
    u.params().append({"redirect_uri", a.oidc->public_url + "/auth/callback"});
    u.params().append({"scope", "openid profile email"});
    u.params().append({"state", pending->state});
    u.params().append({"nonce", pending->nonce});
    u.params().append({"code_challenge", pkce_challenge(pending->verifier)});
    u.params().append({"code_challenge_method", "S256"});
    auto r = redirect(std::string(u.buffer()));
    r.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, pending->state, "/auth", "Lax",
                                                    600, a.oidc->secure));
    reply(std::move(r));
  });
}

// With the ID token verified: the user, a session, the cookie (on the pool: it writes).
void sign_in(const AuthServices& a, const PendingLogin& pending, const std::string& id_token,
             const http::Reply& reply) {
  auto claims = a.id_tokens->verify(id_token);
  if (!claims)
    return reply(back_with_error("the ID token was refused: " + claims.error().message()));
  if (claims->nonce != pending.nonce)
    return reply(back_with_error("the ID token was not issued for this sign-in (nonce)"));
  auto user_id = a.resolve_user(*claims);
  if (!user_id) return reply(http::Response::error(user_id.error()));
  Identity identity{
      *user_id,      claims->issuer, claims->subject, claims->username, claims->display_name,
      claims->roles, false};
  auto session = a.sessions->create(std::move(identity));
  if (!session) return reply(http::Response::error(session.error()));
  log::info("signed_in", {{"user_id", *user_id}, {"username", claims->username}});
  auto r = redirect(pending.next);
  r.headers.emplace_back("Set-Cookie",
                         set_cookie(session_cookie_name(a.oidc->secure), session->id, "/", "Strict",
                                    a.sessions->lifetime().count(), a.oidc->secure));
  r.headers.emplace_back("Set-Cookie",
                         set_cookie(kLoginCookie, "", "/auth", "Lax", 0, a.oidc->secure));
  reply(std::move(r));
}

void callback(const AuthServices& a, const std::shared_ptr<DiscoveryCache>& cache,
              const std::shared_ptr<http::Request>& req, const http::Reply& reply) {
  if (!a.oidc) return reply(back_with_error("browser sign-in is not configured"));
  if (auto e = req->query_param("error"))
    return reply(back_with_error("the identity provider refused the sign-in: " + *e));
  auto state = req->query_param("state");
  auto code = req->query_param("code");
  auto bound = cookie(*req, kLoginCookie);
  if (!state || !code || !bound || *bound != *state)
    return reply(back_with_error("this sign-in was not started by this browser: try again"));
  auto pending = a.sessions->take_login(*state);
  if (!pending) return reply(back_with_error("this sign-in has expired or was used: try again"));
  discover(a, cache, [a, pending = *pending, code = *code, reply](auto d) {
    if (!d) return reply(http::Response::error(d.error()));
    http::ClientRequest token;
    token.url = (*d)->token_endpoint;
    token.timeout = std::chrono::seconds(15);
    token.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
    token.body = form({{"grant_type", "authorization_code"},
                       {"code", code},
                       {"redirect_uri", a.oidc->public_url + "/auth/callback"},
                       {"client_id", a.oidc->client_id},
                       {"code_verifier", pending.verifier}});
    if (!a.oidc->client_secret.empty())
      token.body += "&" + form({{"client_secret", a.oidc->client_secret}});
    a.client->send(std::move(token), [a, pending, reply](Result<http::ClientResponse> r) {
      if (!r)
        return reply(back_with_error("the token endpoint did not answer: " + r.error().message()));
      boost::system::error_code ec;
      auto doc = boost::json::parse(r->body, ec);
      if (ec || r->status != 200)
        return reply(back_with_error("the token endpoint refused the code (HTTP " +
                                     std::to_string(r->status) + ")"));
      auto id_token = string_member(doc, "id_token");
      if (!id_token) return reply(back_with_error("the token endpoint gave no ID token"));
      a.pool->post([a, pending, id = *id_token, reply] { sign_in(a, pending, id, reply); });
    });
  });
}

boost::json::object session_json(const AuthServices& a, const http::Request& req) {
  if (a.mode == "local") return {{"mode", "local"}, {"signed_in", true}};
  boost::json::object out{{"mode", a.mode},
                          {"signed_in", false},
                          {"sign_in", a.oidc ? boost::json::value("/auth/login") : nullptr}};
  auto id = session_from_cookie_header(req.header("Cookie").value_or(""));
  auto s = id ? a.sessions->find(*id) : std::nullopt;
  if (!s) return out;
  out["signed_in"] = true;
  out["csrf_token"] = s->csrf_token;
  out["expires_at"] = format_time(s->expires);
  out["username"] = s->identity.username;
  return out;
}

}  // namespace

void add_auth_routes(http::Router& router, const AuthServices& a) {
  http::RouteOptions opts;
  opts.authenticated = false;  // these routes are how a browser signs in
  opts.documented = false;
  auto cache = std::make_shared<DiscoveryCache>();
  opts.summary = "Sign in: to the identity provider";
  router.add_async(
      "GET", "/auth/login",
      [a, cache](std::shared_ptr<http::Request> req, http::Reply reply) {
        login(a, cache, req, reply);
      },
      opts);
  opts.summary = "Sign in: back from the identity provider";
  router.add_async(
      "GET", "/auth/callback",
      [a, cache](std::shared_ptr<http::Request> req, http::Reply reply) {
        callback(a, cache, req, reply);
      },
      opts);
  opts.summary = "Who is signed in, and the CSRF token";
  router.add(
      "GET", "/auth/session",
      [a](http::Request& req) { return http::Response::json(200, session_json(a, req)); }, opts);
  opts.summary = "Sign out";
  router.add(
      "POST", "/auth/logout",
      [a](http::Request& req) {
        auto id = session_from_cookie_header(req.header("Cookie").value_or(""));
        if (auto s = id ? a.sessions->find(*id) : std::nullopt) {
          if (auto ok = check_csrf(*s, req.header("X-CSRF-Token")); !ok)
            return http::Response::error(ok.error());
          a.sessions->remove(*id);
        }
        bool secure = a.oidc && a.oidc->secure;
        auto r = http::Response::json(200, {{"signed_out", true}});
        r.headers.emplace_back(
            "Set-Cookie", set_cookie(session_cookie_name(secure), "", "/", "Strict", 0, secure));
        return r;
      },
      opts);
}

}  // namespace redcell::api
