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
                                         const Clock& clock,
                                         std::function<void(std::function<void()>)> offload)
    : store_(store),
      next_(next),
      clock_(clock),
      refuse_local_(next.mode() != "local"),
      offload_(std::move(offload)) {}

std::optional<std::string_view> ApiKeyAuthenticator::secret_of(const Credentials& c) {
  if (c.api_key) return std::string_view(*c.api_key);
  const auto& h = c.authorization;
  if (h && h->size() > 7 && strncasecmp(h->c_str(), "Bearer ", 7) == 0 &&
      looks_like_api_key(std::string_view(*h).substr(7)))
    return std::string_view(*h).substr(7);
  return std::nullopt;
}

bool ApiKeyAuthenticator::may_block(const Credentials& c) const {
  auto secret = secret_of(c);
  if (!secret) return next_.may_block(c);
  if (!looks_like_api_key(*secret) || secret->size() > 128) return false;  // refused at once
  auto gen = store_.identity_generation();
  std::string hash = sha256_hex(*secret);
  std::lock_guard lock(mu_);
  auto it = verified_.find(hash);
  return it == verified_.end() || it->second.generation != gen;  // else answered from memory
}

std::optional<std::string> ApiKeyAuthenticator::due_touch(Verified& v) const {
  auto now = clock_.now();
  if (now - v.last_touch <= std::chrono::minutes(1)) return std::nullopt;
  v.last_touch = now;
  return v.key_id;
}

void ApiKeyAuthenticator::touch(std::optional<std::string> key_id) const {
  if (!key_id) return;
  // Queuing a write may wait for room in the writer's queue: never under mu_, and never
  // on an event loop when an offload is given. The answer is not awaited.
  auto write = [&store = store_, id = std::move(*key_id), at = clock_.now()] {
    (void)store.touch_api_key(memory::Scope::system(), id, at);
  };
  if (offload_)
    offload_(std::move(write));
  else
    write();
}

Result<Identity> ApiKeyAuthenticator::authenticate(const Credentials& credentials) const {
  auto secret = secret_of(credentials);
  if (!secret) return next_.authenticate(credentials);
  auto bad = [] { return fail(Error(ErrorCode::unauthorized, "invalid or revoked API key")); };
  if (!looks_like_api_key(*secret) || secret->size() > 128) return bad();
  auto gen = store_.identity_generation();  // before the reads: see identity_generation
  std::string hash = sha256_hex(*secret);
  std::optional<std::string> due;
  std::optional<Identity> cached;
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(hash); it != verified_.end() && it->second.generation == gen) {
      due = due_touch(it->second);
      cached = it->second.identity;
    }
  }
  if (cached) {
    touch(std::move(due));
    return *cached;
  }
  auto key = store_.find_api_key(memory::Scope::system(), secret->substr(0, kPrefixLength));
  if (!key) return bad();
  if (hash.size() != key->secret_hash.size() ||
      CRYPTO_memcmp(hash.data(), key->secret_hash.data(), hash.size()) != 0 || key->revoked_at)
    return bad();
  auto user = store_.get_user(memory::Scope::system(), key->owner);
  if (!user) return bad();
  // A key minted in --auth local belongs to the local admin, who does not exist for a server
  // that signs users in through an identity provider.
  if (refuse_local_ && user->issuer == kLocalIssuer)
    return fail(Error(ErrorCode::unauthorized,
                      "this API key belongs to the local user of --auth local and is not "
                      "accepted by a server in --auth " +
                          std::string(next_.mode())));
  Identity identity{user->id,       user->issuer,       user->subject,
                    user->username, user->display_name, user->roles};
  identity.via_api_key = true;

  {
    std::lock_guard lock(mu_);
    if (verified_.size() >= kMaxVerified) verified_.clear();
    auto& v = verified_[hash];
    v.generation = gen;
    v.key_id = key->id;
    v.identity = identity;
    due = due_touch(v);
  }
  touch(std::move(due));
  return identity;
}

}  // namespace redcell
