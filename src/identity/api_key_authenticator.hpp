#pragma once
// API keys for automation: `Authorization: Bearer rc_...` or `X-API-Key: rc_...`. The
// secret is random (32 bytes), shown once; the store keeps its first 12 characters (to find
// it) and its SHA-256 (to check it, in constant time). A verified key's identity is kept in
// memory under its SHA-256 while the store's identity generation is unchanged: revocation,
// a merge or a change to the owner bumps it, so they take effect on the next request, and
// a kept key needs no store read (nor a hop off the event loop). Other credentials go to the
// wrapped authenticator (local or jwt).

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
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
  // `offload` runs the last-use write away from the caller (an event loop must never wait
  // for the store's writer queue); empty: the write is queued from the calling thread.
  ApiKeyAuthenticator(memory::Store& store, const Authenticator& next, const Clock& clock,
                      std::function<void(std::function<void()>)> offload = {});
  Result<Identity> authenticate(const Credentials& credentials) const override;
  std::string_view mode() const override { return next_.mode(); }
  bool may_block(const Credentials& credentials) const override;

 private:
  memory::Store& store_;
  const Authenticator& next_;
  const Clock& clock_;
  const bool refuse_local_;  // keys of the --auth local user, in any other mode
  struct Verified {
    std::uint64_t generation = 0;  // the store's identity generation before the lookup
    std::string key_id;
    Identity identity;
    TimePoint last_touch{};  // last recorded use
  };
  static constexpr std::size_t kMaxVerified = 10000;

  // The secret from the credentials, or nullopt when they carry no API key.
  static std::optional<std::string_view> secret_of(const Credentials& credentials);
  // With mu_ held: the key id to touch now (at most once a minute per key), if any.
  std::optional<std::string> due_touch(Verified& v) const;
  void touch(std::optional<std::string> key_id) const;  // without mu_
  std::function<void(std::function<void()>)> offload_;

  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Verified> verified_;  // SHA-256 hex -> key
};

}  // namespace redcell
