#include "net/endpoint_policy.hpp"

#include <arpa/inet.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cstring>

#include "common/text.hpp"

namespace redcell {

namespace {

std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

// The IPv4 address an IPv6 address carries by a translation or tunnel convention: NAT64
// (64:ff9b::/96 and the local-use 64:ff9b:1::/48), 6to4 (2002::/16) and the deprecated
// IPv4-compatible form (::/96), as an IPv4-mapped address; nullopt for any other.
std::optional<std::array<std::uint8_t, 16>> embedded_v4(const std::array<std::uint8_t, 16>& ip) {
  auto mapped = [](const std::uint8_t* v4) {
    std::array<std::uint8_t, 16> out{};
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, v4, 4);
    return out;
  };
  auto zero = [&](int from, int to) {
    for (int i = from; i < to; ++i)
      if (ip[i]) return false;
    return true;
  };
  if (ip[0] == 0x00 && ip[1] == 0x64 && ip[2] == 0xff && ip[3] == 0x9b) {
    if (zero(4, 12)) return mapped(ip.data() + 12);               // 64:ff9b::/96
    if (ip[4] == 0 && ip[5] == 1) return mapped(ip.data() + 12);  // 64:ff9b:1::/48
  }
  if (ip[0] == 0x20 && ip[1] == 0x02) return mapped(ip.data() + 2);    // 2002:AABB:CCDD::
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && ip[15] == 1))  // ::a.b.c.d, not ::1
    return mapped(ip.data() + 12);
  return std::nullopt;
}

bool is_v4(const std::array<std::uint8_t, 16>& ip) {
  for (int i = 0; i < 10; ++i)
    if (ip[i]) return false;
  return ip[10] == 0xff && ip[11] == 0xff;
}

IpRange range(std::string_view text) {
  return *parse_ip_range(text);
}

const std::vector<IpRange>& always_refused() {
  static const std::vector<IpRange> r = {
      range("169.254.0.0/16"),      // IPv4 link-local, incl. 169.254.169.254 metadata
      range("fe80::/10"),           // IPv6 link-local
      range("100.100.100.200/32"),  // Alibaba Cloud metadata
      range("fd00:ec2::254/128"),   // AWS IPv6 metadata
      range("0.0.0.0/8"),           // "this network"
      range("::/128"),              // unspecified
      range("224.0.0.0/4"),         // IPv4 multicast
      range("ff00::/8"),            // IPv6 multicast
      range("255.255.255.255/32"),  // broadcast
  };
  return r;
}
const std::vector<IpRange>& loopback_ranges() {
  static const std::vector<IpRange> r = {range("127.0.0.0/8"), range("::1/128")};
  return r;
}
const std::vector<IpRange>& private_ranges() {
  static const std::vector<IpRange> r = {range("10.0.0.0/8"), range("172.16.0.0/12"),
                                         range("192.168.0.0/16"), range("100.64.0.0/10"),
                                         range("fc00::/7")};
  return r;
}

const IpRange* find(const std::vector<IpRange>& ranges, const std::array<std::uint8_t, 16>& ip) {
  for (const auto& r : ranges)
    if (r.contains(ip)) return &r;
  return nullptr;
}

}  // namespace

bool IpRange::contains(const std::array<std::uint8_t, 16>& ip) const {
  int bits = prefix;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((ip[i] & mask) != (net[i] & mask)) return false;
  }
  return true;
}

Result<IpRange> parse_ip_range(std::string_view text) {
  auto slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  auto bad = [&] {
    return fail(Error::invalid("", boost::json::value(std::string(text)),
                               "an IP address or CIDR such as 10.0.0.0/8 or fd00::/8"));
  };
  if (!ip) return bad();
  const bool v4 = is_v4(*ip) && text.substr(0, slash).find(':') == std::string_view::npos;
  int prefix = v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > (v4 ? 32 : 128))
      return bad();
  }
  IpRange r;
  r.net = *ip;
  r.prefix = v4 ? prefix + 96 : prefix;
  r.text = std::string(text);
  return r;
}

Result<EndpointPolicy> EndpointPolicy::parse(std::string_view spec, std::string_view field) {
  EndpointPolicy p;
  for (auto item : split_comma_list(spec)) {
    if (item == "loopback") {
      p.loopback_ = true;
    } else if (item == "private") {
      p.private_ = true;
    } else {
      auto r = parse_ip_range(item);
      if (!r)
        return fail(Error::invalid(std::string(field), boost::json::value(std::string(item)),
                                   "loopback, private, or a CIDR such as 10.1.0.0/16"));
      p.extra_.push_back(*r);
    }
  }
  return p;
}

EndpointPolicy EndpointPolicy::allow_all_but_metadata() {
  EndpointPolicy p;
  p.loopback_ = p.private_ = true;
  return p;
}

std::string EndpointPolicy::describe() const {
  std::string out = "public";
  if (loopback_) out += ",loopback";
  if (private_) out += ",private";
  for (const auto& r : extra_) out += "," + r.text;
  return out;
}

Result<void> EndpointPolicy::check_address(std::string_view text) const {
  auto ip = parse_ip(text);
  auto refuse = [&](const std::string& why) {
    return fail(
        Error(ErrorCode::forbidden, "target address " + std::string(text) + " is refused: " + why,
              ErrorDetails{"", boost::json::value(std::string(text)),
                           "an address the target allow-list (" + describe() + ") permits"}));
  };
  if (!ip) return refuse("not an IP address");
  // An IPv6 form that reaches an IPv4 address is judged as that address too.
  if (auto v4 = embedded_v4(*ip)) {
    char text4[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, v4->data() + 12, text4, sizeof text4);
    if (auto ok = check_address(text4); !ok)
      return refuse("it carries the IPv4 address " + std::string(text4) + ", which is refused (" +
                    ok.error().message() + ")");
  }
  if (const auto* r = find(always_refused(), *ip))
    return refuse("it is in " + r->text + " (link-local, metadata or non-unicast), always refused");
  if (find(extra_, *ip)) return {};
  if (const auto* r = find(loopback_ranges(), *ip); r && !loopback_)
    return refuse("it is loopback (" + r->text + "); allow it with --target-allow loopback");
  if (const auto* r = find(private_ranges(), *ip); r && !private_)
    return refuse("it is private (" + r->text +
                  "); allow it with --target-allow private or a CIDR");
  return {};
}

Result<void> EndpointPolicy::check_url(std::string_view url, const std::string& field) const {
  auto u = boost::urls::parse_absolute_uri(url);
  const boost::json::value given(std::string{url});
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->encoded_host().empty())
    return fail(Error::invalid(field, given, "an absolute http:// or https:// URL with a host"));
  if (u->has_userinfo())
    return fail(Error::invalid(field, given, "a URL without user:password (use api_key)"));
  std::string host(u->encoded_host());
  if (host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"))) host = "127.0.0.1";
  if (!parse_ip(host)) return {};  // a name: checked on the resolved address at connect time
  auto ok = check_address(host);
  if (!ok) {
    Error e = ok.error();
    return fail(Error(ErrorCode::invalid_argument, field + ": " + e.message(),
                      ErrorDetails{field, given, e.details() ? e.details()->expected : ""}));
  }
  return {};
}

}  // namespace redcell
