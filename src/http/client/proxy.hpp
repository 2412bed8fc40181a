#pragma once
// Outgoing proxies, as curl and most tools read them from the environment: HTTPS_PROXY for
// https:// targets (a CONNECT tunnel, TLS end to end with the target), HTTP_PROXY for
// http:// targets (requests forwarded in absolute form), NO_PROXY for the hosts that go
// direct. Lower-case names are read too; the upper-case one wins. Only http:// proxy URLs,
// optionally with user:password (sent as Proxy-Authorization: Basic). The allow-list still
// applies: the client resolves the target itself, checks the address and names that address
// to the proxy, so a proxy can never reach what a direct connection may not.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"
#include "common/error.hpp"
#include "net/endpoint_policy.hpp"

namespace redcell::http {

struct Proxy {
  std::string host;           // without brackets
  std::string port;           // "80" unless given
  std::string authorization;  // "Basic ..." or empty
  std::string url;            // as configured, password masked: for messages and logs
  std::string password;       // only to keep it out of the logs
};

class ProxySettings {
 public:
  // Errors name the variable and say what was expected.
  static Result<ProxySettings> from_environment(const EnvLookup& env);
  // Parses one proxy URL; `field` names it in errors.
  static Result<Proxy> parse_proxy(std::string_view url, std::string_view field);
  // Parses a NO_PROXY list: "*", host names (a leading dot optional; subdomains match),
  // IP addresses and CIDRs, each optionally with ":port".
  void set_no_proxy(std::string_view list);

  std::optional<Proxy> http;
  std::optional<Proxy> https;

  // The proxy for a target, or nullopt when it goes direct.
  const Proxy* for_target(bool https_target, std::string_view host, std::string_view port) const;
  // One line for logs and `redcell doctor` (passwords masked).
  std::string describe() const;

 private:
  struct Bypass {
    std::string domain;            // lower case, no leading dot; empty for an IP rule
    std::optional<IpRange> range;  // an address or CIDR
    std::string port;              // empty: any
  };
  bool all_direct_ = false;
  std::vector<Bypass> no_proxy_;
  std::string no_proxy_text_;
};

}  // namespace redcell::http
