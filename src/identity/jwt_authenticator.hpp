#pragma once
// --auth jwt: `Authorization: Bearer <JWT>` verified by JwtVerifier, the user resolved from
// (iss, sub). Username, display name and roles are attributes: a token that changes them
// updates the user, never creates another one. Resolved users are cached so a repeat
// request costs no store call; a new or changed user is written once (blocking).

#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "identity/identity.hpp"
#include "identity/jwt.hpp"

namespace redcell {

class JwtAuthenticator final : public Authenticator {
 public:
  // Creates or updates the user for these claims and returns the user's internal id.
  using ResolveUser = std::function<Result<std::string>(const JwtClaims&)>;

  JwtAuthenticator(std::unique_ptr<JwtVerifier> verifier, ResolveUser resolve);
  Result<Identity> authenticate(const Credentials& credentials) const override;
  std::string_view mode() const override { return "jwt"; }
  // A user not seen yet (or whose token changed) is written to the store; since which one
  // is only known after verifying, every bearer token is authenticated off the loop while
  // the cache is cold, and on the loop once its user is cached.
  bool may_block(const Credentials& credentials) const override;

 private:
  std::unique_ptr<JwtVerifier> verifier_;
  ResolveUser resolve_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Identity> cache_;  // "iss\nsub" -> identity
  // Hashes of Authorization values whose user is cached: verifying them again needs no
  // store. Tokens themselves are not kept.
  mutable std::unordered_set<std::size_t> seen_tokens_;
};

}  // namespace redcell
