#include "identity/session.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "common/encoding.hpp"

namespace redcell {

namespace {

constexpr std::string_view kPlainName = "redcell_session";
constexpr std::string_view kHostName = "__Host-redcell_session";
constexpr std::chrono::minutes kLoginWindow{10};

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string session_cookie_name(bool secure) {
  return std::string(secure ? kHostName : kPlainName);
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
  }
  return std::nullopt;
}

std::optional<std::string> session_from_cookie_header(std::string_view header) {
  for (auto name : {kPlainName, kHostName}) {
    auto value = cookie_value(header, name);
    if (value && !value->empty() && value->size() <= 128) return value;
  }
  return std::nullopt;
}

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string pkce_challenge(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

SessionStore::SessionStore(const Clock& clock, std::chrono::seconds lifetime, SessionLimits limits)
    : clock_(clock), limits_(limits), lifetime_(lifetime) {}

Result<PendingLogin> SessionStore::begin_login(std::string next) {
  PendingLogin p{random_token(), random_token(), random_token(), std::move(next), clock_.now()};
  std::lock_guard lock(mu_);
  sweep();
  if (pending_.size() >= limits_.pending_logins)
    return fail(Error(ErrorCode::too_many_requests,
                      "too many sign-ins are in progress (at most " +
                          std::to_string(limits_.pending_logins) +
                          " within ten minutes): try again in a few minutes"));
  pending_[p.state] = p;
  return p;
}

std::optional<PendingLogin> SessionStore::take_login(const std::string& state) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(state);
  if (it == pending_.end()) return std::nullopt;
  PendingLogin p = std::move(it->second);
  pending_.erase(it);
  if (clock_.now() - p.created > kLoginWindow) return std::nullopt;
  return p;
}

Result<Session> SessionStore::create(Identity identity) {
  Session s{random_token(), random_token(), std::move(identity), clock_.now() + lifetime_};
  std::lock_guard lock(mu_);
  sweep();
  if (sessions_.size() >= limits_.sessions)
    return fail(Error(ErrorCode::unavailable, "the server holds its maximum of " +
                                                  std::to_string(limits_.sessions) +
                                                  " signed-in sessions: try again later"));
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> SessionStore::find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || clock_.now() >= it->second.expires) return std::nullopt;
  return it->second;
}

void SessionStore::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  sessions_.erase(id);
}

void SessionStore::sweep() {
  const bool full =
      pending_.size() >= limits_.pending_logins || sessions_.size() >= limits_.sessions;
  if (!full && pending_.size() + sessions_.size() < 1024) return;
  const auto now = clock_.now();
  std::erase_if(pending_, [&](const auto& kv) { return now - kv.second.created > kLoginWindow; });
  std::erase_if(sessions_, [&](const auto& kv) { return now >= kv.second.expires; });
}

Result<void> check_csrf(const Session& session, std::optional<std::string_view> token) {
  if (token && same(*token, session.csrf_token)) return {};
  return fail(
      Error(ErrorCode::forbidden,
            "a request signed in by the session cookie must send the session's "
            "X-CSRF-Token (GET /auth/session gives it)",
            ErrorDetails{"/headers/x-csrf-token", std::nullopt, "the session's CSRF token"}));
}

Result<Identity> SessionAuthenticator::authenticate(const Credentials& c) const {
  if (!uses_session(c)) return next_.authenticate(c);
  auto s = sessions_.find(*c.session);
  if (!s) return fail(Error(ErrorCode::unauthorized, "your session has ended: sign in again"));
  if (c.unsafe_method) {
    if (auto ok = check_csrf(*s, c.csrf_token); !ok) return fail(ok.error());
  }
  return s->identity;
}

bool SessionAuthenticator::may_block(const Credentials& c) const {
  return uses_session(c) ? false : next_.may_block(c);
}

}  // namespace redcell
