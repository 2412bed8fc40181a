#pragma once
// Browser sessions of the OIDC sign-in (api/auth.cpp): the pending logins (state, nonce and
// PKCE verifier, for 10 minutes) and the signed-in sessions, both in memory. A session is
// found by its cookie, whose value is 32 random bytes; it carries the identity it was made
// for and a CSRF token that every unsafe request made with the cookie must send back in
// X-CSRF-Token. Sessions end at their expiry, at logout, or when the server restarts.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "identity/identity.hpp"

namespace redcell {

// The cookie's name: the __Host- prefix (Secure, Path=/, no Domain) where the server's
// public URL is https; browsers refuse that prefix without TLS.
std::string session_cookie_name(bool secure);
// The value of cookie `name` in a Cookie header; nullopt when absent.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);
// The session id in a Cookie header, under either name; nullopt when absent.
std::optional<std::string> session_from_cookie_header(std::string_view cookie_header);
// 32 random bytes, base64url.
std::string random_token();
// RFC 7636 S256: base64url(SHA-256(verifier)).
std::string pkce_challenge(std::string_view verifier);

struct PendingLogin {
  std::string state;
  std::string nonce;
  std::string verifier;  // PKCE
  std::string next;      // where to go after signing in (a path of this server)
  TimePoint created{};
};

struct Session {
  std::string id;
  std::string csrf_token;
  Identity identity;
  TimePoint expires{};
};

// An unsafe request made with a session's cookie must send that session's CSRF token
// (compared in constant time); forbidden, naming the header, otherwise.
Result<void> check_csrf(const Session& session, std::optional<std::string_view> token);

// Both tables are bounded. When one is full the new entry is refused and the ones already
// there stay: evicting would let anyone who can reach /auth/login end other people's
// sign-ins (or sessions) by starting many of their own.
struct SessionLimits {
  std::size_t pending_logins = 10'000;
  std::size_t sessions = 100'000;
};

class SessionStore {
 public:
  SessionStore(const Clock& clock, std::chrono::seconds lifetime, SessionLimits limits = {});

  // too_many_requests while `limits.pending_logins` sign-ins are within their window.
  Result<PendingLogin> begin_login(std::string next);
  // The pending login of `state`, once (a replayed callback finds nothing).
  std::optional<PendingLogin> take_login(const std::string& state);
  // unavailable while `limits.sessions` sessions are alive.
  Result<Session> create(Identity identity);
  std::optional<Session> find(const std::string& id) const;  // nullopt: unknown or expired
  void remove(const std::string& id);
  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  void sweep();  // with mu_ held: drop expired entries once the maps grow

  const Clock& clock_;
  const SessionLimits limits_;
  const std::chrono::seconds lifetime_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, PendingLogin> pending_;
  std::unordered_map<std::string, Session> sessions_;
};

// Sessions first, for requests that carry no other credentials: a session cookie signs the
// request in as its session's identity; an unsafe method also needs the session's CSRF
// token. A bearer token or API key goes to `next` unchanged (automation keeps working).
class SessionAuthenticator final : public Authenticator {
 public:
  SessionAuthenticator(const SessionStore& sessions, const Authenticator& next)
      : sessions_(sessions), next_(next) {}
  Result<Identity> authenticate(const Credentials& credentials) const override;
  std::string_view mode() const override { return next_.mode(); }
  bool may_block(const Credentials& credentials) const override;

 private:
  static bool uses_session(const Credentials& c) {
    return c.session && !c.authorization && !c.api_key;
  }
  const SessionStore& sessions_;
  const Authenticator& next_;
};

}  // namespace redcell
