#include "identity/jwt_authenticator.hpp"

#include <strings.h>

namespace redcell {

namespace {
constexpr std::size_t kMaxCachedUsers = 10'000;
// Seen tokens are remembered by hash, never kept themselves: a collision only costs one
// blocking resolve on the event loop, since verify() always runs in full.
std::size_t token_hash(const std::string& authorization) {
  return std::hash<std::string>{}(authorization);
}
}  // namespace

JwtAuthenticator::JwtAuthenticator(std::unique_ptr<JwtVerifier> verifier, ResolveUser resolve)
    : verifier_(std::move(verifier)), resolve_(std::move(resolve)) {}

bool JwtAuthenticator::may_block(const Credentials& c) const {
  if (!c.authorization) return false;  // answered at once: 401
  std::lock_guard lock(mu_);
  return !seen_tokens_.contains(token_hash(*c.authorization));
}

Result<Identity> JwtAuthenticator::authenticate(const Credentials& credentials) const {
  const auto& header = credentials.authorization;
  if (!header || header->size() < 7 || strncasecmp(header->c_str(), "Bearer ", 7) != 0)
    return fail(Error(ErrorCode::unauthorized,
                      "authentication required: send Authorization: Bearer <token>"));
  std::string_view token(*header);
  token.remove_prefix(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto claims = verifier_->verify(token);
  if (!claims) return fail(claims.error());

  const std::string key = claims->issuer + "\n" + claims->subject;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      const auto& c = it->second;
      if (c.username == claims->username && c.display_name == claims->display_name &&
          c.roles == claims->roles) {
        if (seen_tokens_.size() < kMaxCachedUsers) seen_tokens_.insert(token_hash(*header));
        return c;
      }
    }
  }
  auto user_id = resolve_(*claims);
  if (!user_id) return fail(user_id.error());
  Identity id{*user_id,         claims->issuer,       claims->subject,
              claims->username, claims->display_name, claims->roles};
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCachedUsers || seen_tokens_.size() >= kMaxCachedUsers) {
    cache_.clear();  // together, so a token counted as seen always has its user cached
    seen_tokens_.clear();
  }
  cache_[key] = id;
  seen_tokens_.insert(token_hash(*header));
  return id;
}

}  // namespace redcell
