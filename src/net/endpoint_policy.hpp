#pragma once
// The target allow-list: which addresses redcell may send attack traffic to. Link-local and
// cloud metadata ranges are always refused; loopback and private ranges only when the
// operator allows them (--target-allow loopback,private,CIDR...). The HTTP client checks the
// resolved address at connect time (redirects and proxies too); check_url checks what can
// be checked before any lookup.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace redcell {

struct IpRange {
  std::array<std::uint8_t, 16> net{};  // IPv4 as IPv4-mapped IPv6
  int prefix = 0;                      // over the 128 bits
  std::string text;
  bool contains(const std::array<std::uint8_t, 16>& ip) const;
};

class EndpointPolicy {
 public:
  // "" (public addresses only), or a comma list of loopback, private and CIDRs.
  static Result<EndpointPolicy> parse(std::string_view spec,
                                      std::string_view field = "--target-allow");
  static EndpointPolicy allow_all_but_metadata();  // tests and the demo

  // `ip` is a textual IPv4 or IPv6 address; the error says which rule refused it.
  Result<void> check_address(std::string_view ip) const;
  // Scheme http/https, a host, and a literal address or "localhost" checked now. `field`
  // names the member in errors ("/endpoint").
  Result<void> check_url(std::string_view url, const std::string& field) const;
  std::string describe() const;

 private:
  bool loopback_ = false;
  bool private_ = false;
  std::vector<IpRange> extra_;
};

// Parses "10.0.0.0/8", "fd00::/8" or a bare address (a /32 or /128).
Result<IpRange> parse_ip_range(std::string_view text);

}  // namespace redcell
