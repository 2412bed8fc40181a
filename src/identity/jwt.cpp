#include "identity/jwt.hpp"

#include <cjose/cjose.h>

#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>

#include "common/log.hpp"
#include "common/time.hpp"

namespace redcell {

namespace {

Error unauthorized(std::string reason) {
  return Error(ErrorCode::unauthorized, "invalid bearer token: " + reason);
}

struct JwkDeleter {
  void operator()(cjose_jwk_t* k) const { cjose_jwk_release(k); }
};
struct JwsDeleter {
  void operator()(cjose_jws_t* j) const { cjose_jws_release(j); }
};
using JwkPtr = std::unique_ptr<cjose_jwk_t, JwkDeleter>;
using JwsPtr = std::unique_ptr<cjose_jws_t, JwsDeleter>;

struct Key {
  std::string kid;
  std::string alg;  // "RS256" or "ES256": the only algorithm this key verifies
  JwkPtr jwk;
};

const boost::json::value* at_path(const boost::json::object& obj, std::string_view path) {
  const boost::json::object* cur = &obj;
  while (true) {
    auto dot = path.find('.');
    auto* v = cur->if_contains(path.substr(0, dot));
    if (!v) return nullptr;
    if (dot == std::string_view::npos) return v;
    if (!v->is_object()) return nullptr;
    cur = &v->as_object();
    path.remove_prefix(dot + 1);
  }
}

// A NumericDate (seconds since the epoch), or nothing when absent or malformed.
std::optional<double> numeric_date(const boost::json::object& claims, const char* name,
                                   bool& malformed) {
  auto* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  if (v->is_double() && std::isfinite(v->as_double())) return v->as_double();
  malformed = true;
  return std::nullopt;
}

using KeySet = std::vector<Key>;

// The RS256/ES256 keys of a JWKS document; `where` names its source in errors.
Result<std::shared_ptr<const KeySet>> parse_jwks(const std::string& text,
                                                 const std::string& where) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(text, ec);
  const boost::json::array* list = nullptr;
  if (!ec && doc.is_object())
    if (auto* k = doc.as_object().if_contains("keys"); k && k->is_array()) list = &k->as_array();
  if (!list) return fail(Error::invalid(where, nullptr, "a JWKS document {\"keys\": [...]}"));
  auto keys = std::make_shared<KeySet>();
  cjose_err err;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& entry = (*list)[i];
    std::string field = where + ": /keys/" + std::to_string(i);
    if (!entry.is_object()) return fail(Error::invalid(field, entry, "a JWK object"));
    const auto& o = entry.as_object();
    auto* kty = o.if_contains("kty");
    std::string alg;
    if (kty && kty->is_string() && kty->as_string() == "RSA") alg = "RS256";
    if (kty && kty->is_string() && kty->as_string() == "EC") {
      auto* crv = o.if_contains("crv");
      if (!crv || !crv->is_string() || crv->as_string() != "P-256")
        return fail(Error::invalid(field + "/crv", crv ? *crv : nullptr, "P-256 (ES256)"));
      alg = "ES256";
    }
    if (alg.empty()) return fail(Error::invalid(field + "/kty", kty ? *kty : nullptr, "RSA or EC"));
    if (auto* a = o.if_contains("alg"); a && (!a->is_string() || a->as_string() != alg))
      return fail(Error::invalid(field + "/alg", *a, alg));
    std::string json = boost::json::serialize(o);
    JwkPtr jwk(cjose_jwk_import(json.c_str(), json.size(), &err));
    if (!jwk)
      return fail(Error::invalid(field, nullptr, "a valid public JWK",
                                 field + " does not load: " + err.message));
    std::string kid;
    if (auto* k = o.if_contains("kid"); k && k->is_string()) kid = k->as_string();
    keys->push_back(Key{kid, alg, std::move(jwk)});
  }
  return std::shared_ptr<const KeySet>(std::move(keys));
}

}  // namespace

struct JwtVerifier::Impl {
  JwtOptions opts;
  const Clock& clock;
  JwkPtr hs256;
  mutable std::mutex mu;                       // guards keys and last_fetch
  mutable std::shared_ptr<const KeySet> keys;  // replaced whole on a refresh
  mutable std::optional<TimePoint> last_fetch;
  mutable std::mutex fetch_mu;  // one refresh at a time

  Impl(JwtOptions o, const Clock& c) : opts(std::move(o)), clock(c) {}

  std::shared_ptr<const KeySet> snapshot() const {
    std::lock_guard lk(mu);
    return keys;
  }

  // A key of `alg` for `kid`; the returned JWK stays alive with `hold`.
  const cjose_jwk_t* key_for(const std::string& alg, const char* kid,
                             std::shared_ptr<const KeySet>& hold) const {
    if (alg == "HS256") return hs256.get();
    hold = snapshot();
    if (!hold) return nullptr;
    const Key* only = nullptr;
    int candidates = 0;
    for (const auto& k : *hold) {
      if (k.alg != alg) continue;
      if (kid) {
        if (k.kid == kid) return k.jwk.get();
        continue;
      }
      ++candidates;
      only = &k;
    }
    // Without a kid, a key is chosen only when exactly one of that kind exists.
    return !kid && candidates == 1 ? only->jwk.get() : nullptr;
  }

  // Fetches the JWKS again unless that happened less than jwks_min_refresh ago. True when
  // the keys were replaced.
  bool refresh() const {
    if (!opts.fetch_jwks) return false;
    std::lock_guard one(fetch_mu);
    const auto now = clock.now();
    {
      std::lock_guard lk(mu);
      if (last_fetch && now - *last_fetch < opts.jwks_min_refresh) return false;
      last_fetch = now;
    }
    auto text = opts.fetch_jwks();
    if (!text) {
      log::warn("jwks_fetch_failed", {{"error", text.error().message()}});
      return false;
    }
    auto parsed = parse_jwks(*text, "--jwt-jwks");
    if (!parsed) {
      log::warn("jwks_invalid", {{"error", parsed.error().message()}});
      return false;
    }
    std::lock_guard lk(mu);
    keys = std::move(*parsed);
    log::info("jwks_refreshed", {{"keys", keys->size()}});
    return true;
  }
};

JwtVerifier::JwtVerifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JwtVerifier::~JwtVerifier() = default;

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::create(JwtOptions options, const Clock& clock) {
  if (options.issuer.empty())
    return fail(Error::invalid("--jwt-issuer", nullptr, "the issuer (iss) tokens must carry"));
  if (options.audience.empty())
    return fail(Error::invalid("--jwt-audience", nullptr, "the audience (aud) tokens must carry"));
  if (options.leeway.count() < 0 || options.leeway.count() > 60)
    return fail(Error::invalid("--jwt-leeway", boost::json::value(options.leeway.count()),
                               "0 to 60 seconds"));
  if (options.hs256_secret.empty() && options.jwks_json.empty() && !options.fetch_jwks)
    return fail(Error::invalid("--jwt-hs256-secret", nullptr,
                               "an HS256 secret and/or a JWKS file (--jwt-jwks)"));
  if (!options.hs256_secret.empty() && options.hs256_secret.size() < 32)
    return fail(Error::invalid("--jwt-hs256-secret", nullptr, "at least 32 bytes (RFC 7518 3.2)"));
  auto impl = std::make_unique<Impl>(std::move(options), clock);
  cjose_err err;
  if (!impl->opts.hs256_secret.empty()) {
    impl->hs256.reset(
        cjose_jwk_create_oct_spec(reinterpret_cast<const uint8_t*>(impl->opts.hs256_secret.data()),
                                  impl->opts.hs256_secret.size(), &err));
    if (!impl->hs256) return fail(Error(ErrorCode::internal, "cannot load the HS256 secret"));
  }
  if (impl->opts.fetch_jwks) {
    auto text = impl->opts.fetch_jwks();
    if (!text) return fail(text.error());
    impl->opts.jwks_json = std::move(*text);
    impl->last_fetch = clock.now();
  }
  if (!impl->opts.jwks_json.empty()) {
    auto keys = parse_jwks(impl->opts.jwks_json, "--jwt-jwks");
    if (!keys) return fail(keys.error());
    impl->keys = std::move(*keys);
  }
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(impl)));
}

Result<JwtClaims> JwtVerifier::verify(std::string_view token) const {
  const auto& im = *impl_;
  if (token.empty() || token.size() > 8192) return fail(unauthorized("missing or oversized"));
  for (char c : token)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
      return fail(unauthorized("not a compact JWS"));
  cjose_err err;
  JwsPtr jws(cjose_jws_import(token.data(), token.size(), &err));
  if (!jws) return fail(unauthorized("not a compact JWS"));
  cjose_header_t* header = cjose_jws_get_protected(jws.get());
  const char* alg = header ? cjose_header_get(header, "alg", &err) : nullptr;
  if (!alg) return fail(unauthorized("no alg"));
  std::string algorithm(alg);
  if (algorithm != "HS256" && algorithm != "RS256" && algorithm != "ES256")
    return fail(unauthorized("algorithm " + algorithm + " is not accepted"));
  const char* kid = cjose_header_get(header, "kid", &err);
  std::shared_ptr<const KeySet> hold;
  const cjose_jwk_t* key = im.key_for(algorithm, kid, hold);
  // An unknown kid may be a key the identity provider rotated in: look again (rate-limited).
  if (!key && kid && algorithm != "HS256" && im.refresh()) key = im.key_for(algorithm, kid, hold);
  if (!key) return fail(unauthorized(kid ? "unknown key id" : "no key for " + algorithm));
  // cjose's HS256 check compares 32 bytes before it looks at the signature's length, so a
  // short signature is refused here: HS256 signs with 32 bytes, ES256 with 64 (base64url
  // without padding: 43 and 86 characters).
  const auto signature = token.substr(token.rfind('.') + 1);
  if ((algorithm == "HS256" && signature.size() != 43) ||
      (algorithm == "ES256" && signature.size() != 86))
    return fail(unauthorized("bad signature"));
  if (!cjose_jws_verify(jws.get(), key, &err)) return fail(unauthorized("bad signature"));

  uint8_t* payload = nullptr;
  size_t payload_len = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &payload, &payload_len, &err))
    return fail(unauthorized("no payload"));
  boost::system::error_code ec;
  boost::json::parse_options po;
  po.max_depth = 16;
  auto doc = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(payload), payload_len), ec, {}, po);
  if (ec || !doc.is_object()) return fail(unauthorized("claims are not a JSON object"));
  const auto& claims = doc.as_object();

  auto* iss = claims.if_contains("iss");
  if (!iss || !iss->is_string() || iss->as_string() != im.opts.issuer)
    return fail(unauthorized("wrong issuer"));
  auto* aud = claims.if_contains("aud");
  bool aud_ok = false;
  if (aud && aud->is_string()) aud_ok = aud->as_string() == im.opts.audience;
  if (aud && aud->is_array())
    for (const auto& a : aud->as_array())
      aud_ok = aud_ok || (a.is_string() && a.as_string() == im.opts.audience);
  if (!aud_ok) return fail(unauthorized("wrong audience"));
  auto* sub = claims.if_contains("sub");
  if (!sub || !sub->is_string() || sub->as_string().empty())
    return fail(unauthorized("no subject"));

  bool malformed = false;
  auto exp = numeric_date(claims, "exp", malformed);
  auto nbf = numeric_date(claims, "nbf", malformed);
  if (malformed) return fail(unauthorized("malformed exp or nbf"));
  if (!exp) return fail(unauthorized("no expiry"));
  double now = std::chrono::duration<double>(im.clock.now().time_since_epoch()).count();
  double leeway = static_cast<double>(im.opts.leeway.count());
  if (now > *exp + leeway) return fail(unauthorized("expired"));
  if (nbf && now + leeway < *nbf) return fail(unauthorized("not valid yet"));

  JwtClaims out;
  out.issuer = iss->as_string();
  out.subject = sub->as_string();
  auto string_claim = [&](const char* name) -> std::string {
    auto* v = claims.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  out.username = string_claim("preferred_username");
  if (out.username.empty()) out.username = out.subject;
  out.display_name = string_claim("name");
  if (out.display_name.empty()) out.display_name = out.username;
  out.nonce = string_claim("nonce");
  if (auto* roles = at_path(claims, im.opts.roles_claim); roles && roles->is_array())
    for (const auto& r : roles->as_array())
      if (r.is_string()) out.roles.emplace_back(r.as_string());
  return out;
}

}  // namespace redcell
