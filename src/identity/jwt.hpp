#pragma once
// JWT bearer tokens (RFC 7519) verified after RFC 8725: only HS256, RS256 and ES256; each
// algorithm only ever uses a key of its own kind (HS256 the configured secret, RS256 an
// RSA key, ES256 a P-256 key from the JWKS file), so no token can pick its own key type;
// jku/x5u are never fetched; iss and aud must match; exp is required, nbf honoured, both
// with a bounded leeway; sub is required.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace redcell {

struct JwtOptions {
  std::string issuer;
  std::string audience;
  std::string hs256_secret;  // empty: HS256 is not accepted
  std::string jwks_json;     // {"keys": [...]}; empty: RS256/ES256 are not accepted
  // Set (a JWKS URL): the JWKS is fetched at start-up and again when a token names an
  // unknown kid, at most once per jwks_min_refresh (key rotation at the identity provider).
  std::string jwks_url;  // where fetch_jwks reads (set by the composition root)
  std::function<Result<std::string>()> fetch_jwks;
  std::chrono::seconds jwks_min_refresh{60};
  std::string roles_claim = "realm_access.roles";  // dotted path to an array of strings
  std::chrono::seconds leeway{30};                 // at most 60
};

struct JwtClaims {
  std::string issuer;
  std::string subject;
  std::string username;      // preferred_username, else sub
  std::string display_name;  // name, else username
  std::vector<std::string> roles;
  std::string nonce;  // an OIDC ID token's, else empty
};

class JwtVerifier {
 public:
  static Result<std::unique_ptr<JwtVerifier>> create(JwtOptions options, const Clock& clock);
  ~JwtVerifier();
  // Thread-safe. Every failure is `unauthorized` with a short reason.
  Result<JwtClaims> verify(std::string_view token) const;

 private:
  struct Impl;
  explicit JwtVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace redcell
