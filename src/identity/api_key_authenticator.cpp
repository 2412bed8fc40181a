#include "identity/api_key_authenticator.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <strings.h>

#include "common/encoding.hpp"

namespace redcell {

namespace {
constexpr std::size_t kPrefixLength = 12;
constexpr std::string_view kKeyPrefix = "rc_";
}  // namespace

NewApiKeySecret generate_api_key_secret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  NewApiKeySecret k;
  k.secret = std::string(kKeyPrefix) +
             base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  k.prefix = k.secret.substr(0, kPrefixLength);
  k.hash = sha256_hex(k.secret);
  return k;
}

bool looks_like_api_key(std::string_view text) {
  return text.size() > kPrefixLength && text.substr(0, kKeyPrefix.size()) == kKeyPrefix;
}

ApiKeyAuthenticator::ApiKeyAuthenticator(memory::Store& store, const Authenticator& next,
                                         const Clock& clock)
    : store_(store), next_(next), clock_(clock) {}

bool ApiKeyAuthenticator::may_block(const Credentials& c) const {
  if (c.api_key) return true;
  const auto& h = c.authorization;
  if (h && h->size() > 7 && strncasecmp(h->c_str(), "Bearer ", 7) == 0 &&
      looks_like_api_key(std::string_view(*h).substr(7)))
    return true;  // every API-key request reads the store
  return next_.may_block(c);
}

Result<Identity> ApiKeyAuthenticator::authenticate(const Credentials& credentials) const {
  std::string_view secret;
  if (credentials.api_key) {
    secret = *credentials.api_key;
  } else if (const auto& h = credentials.authorization;
             h && h->size() > 7 && strncasecmp(h->c_str(), "Bearer ", 7) == 0 &&
             looks_like_api_key(std::string_view(*h).substr(7))) {
    secret = std::string_view(*h).substr(7);
  } else {
    return next_.authenticate(credentials);
  }
  auto bad = [] { return fail(Error(ErrorCode::unauthorized, "invalid or revoked API key")); };
  if (!looks_like_api_key(secret) || secret.size() > 128) return bad();
  auto key = store_.find_api_key(memory::Scope::system(), secret.substr(0, kPrefixLength));
  if (!key) return bad();
  std::string hash = sha256_hex(secret);
  if (hash.size() != key->secret_hash.size() ||
      CRYPTO_memcmp(hash.data(), key->secret_hash.data(), hash.size()) != 0 || key->revoked_at)
    return bad();
  auto user = store_.get_user(memory::Scope::system(), key->owner);
  if (!user) return bad();

  // Record use at most once a minute per key, without waiting for the write.
  auto now = clock_.now();
  {
    std::lock_guard lock(mu_);
    auto& last = last_touch_[key->id];
    if (now - last > std::chrono::minutes(1)) {
      last = now;
      (void)store_.touch_api_key(memory::Scope::system(), key->id, now);
    }
  }
  return Identity{user->id,       user->issuer,       user->subject,
                  user->username, user->display_name, user->roles};
}

}  // namespace redcell
