#pragma once
// The canonical user of a request. Users are keyed by (issuer, subject); username and
// display name are attributes that may change and are never used to find data.

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace redcell {

struct Identity {
  std::string user_id;  // internal id (UUIDv7); every stored row's `owner`
  std::string issuer;
  std::string subject;
  std::string username;
  std::string display_name;
  std::vector<std::string> roles;
  bool via_api_key = false;  // this request presented an API key (which may not mint keys)

  bool has_role(std::string_view role) const;
  bool is_admin() const { return has_role("admin"); }
};

// What a request presents; handlers never see or parse it.
struct Credentials {
  std::optional<std::string> authorization;  // the Authorization header
  std::optional<std::string> api_key;        // the X-API-Key header
  std::optional<std::string> session;        // the browser session cookie's value
  std::optional<std::string> csrf_token;     // the X-CSRF-Token header
  bool unsafe_method = false;                // not GET, HEAD or OPTIONS
};

// Resolves a request's credentials to an Identity. Implementations are thread-safe; the
// HTTP server calls one per request before any handler of an authenticated route.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Result<Identity> authenticate(const Credentials& credentials) const = 0;
  virtual std::string_view mode() const = 0;
  // True when authenticating these credentials may wait on the store; the server then
  // authenticates (and handles) the request off its event loop.
  virtual bool may_block(const Credentials&) const { return false; }
};

// --auth local: every request is the one local user, who is an admin.
class LocalAuthenticator final : public Authenticator {
 public:
  explicit LocalAuthenticator(Identity local_user) : user_(std::move(local_user)) {}
  Result<Identity> authenticate(const Credentials&) const override { return user_; }
  std::string_view mode() const override { return "local"; }

 private:
  Identity user_;
};

inline constexpr std::string_view kLocalIssuer = "redcell:local";
inline constexpr std::string_view kLocalSubject = "local";

}  // namespace redcell
