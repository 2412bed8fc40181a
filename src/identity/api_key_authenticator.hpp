#pragma once
// API keys for automation: `Authorization: Bearer rc_...` or `X-API-Key: rc_...`. The
// secret is random (32 bytes), shown once; the store keeps its first 12 characters (to find
// it) and its SHA-256 (to check it, in constant time). Revocation takes effect on the next
// request: keys are looked up on every request, never cached. Other credentials go to the
// wrapped authenticator (local or jwt).

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"
#include "identity/identity.hpp"
#include "memory/store.hpp"

namespace redcell {

struct NewApiKeySecret {
  std::string secret;  // "rc_" + 43 base64url characters
  std::string prefix;  // the first 12 characters
  std::string hash;    // hex SHA-256 of the secret
};
NewApiKeySecret generate_api_key_secret();
bool looks_like_api_key(std::string_view text);

class ApiKeyAuthenticator final : public Authenticator {
 public:
  ApiKeyAuthenticator(memory::Store& store, const Authenticator& next, const Clock& clock);
  Result<Identity> authenticate(const Credentials& credentials) const override;
  std::string_view mode() const override { return next_.mode(); }
  bool may_block(const Credentials& credentials) const override;

 private:
  memory::Store& store_;
  const Authenticator& next_;
  const Clock& clock_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, TimePoint> last_touch_;  // key id -> last recorded use
};

}  // namespace redcell
