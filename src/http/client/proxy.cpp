#include "http/client/proxy.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>

#include "common/encoding.hpp"

namespace redcell::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The variable's value, the upper-case name first; its name for messages.
std::optional<std::pair<std::string, std::string>> lookup(const EnvLookup& env,
                                                          std::string_view upper) {
  if (auto v = env(upper)) return std::pair{std::string(upper), *v};
  auto low = lower(upper);
  if (auto v = env(low)) return std::pair{low, *v};
  return std::nullopt;
}

}  // namespace

Result<Proxy> ProxySettings::parse_proxy(std::string_view text, std::string_view field) {
  std::string url(trim(text));
  // curl accepts "host:port" without a scheme and means http://.
  if (url.find("://") == std::string::npos) url = "http://" + url;
  auto bad = [&](std::string why) {
    return fail(Error::invalid(std::string(field), boost::json::value(std::string(text)),
                               "an http:// proxy URL such as http://proxy.example:3128",
                               std::string(field) + ": " + why +
                                   "; expected an http:// proxy URL such as "
                                   "http://proxy.example:3128"));
  };
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return bad("not a URL");
  if (u->scheme() != "http")
    return bad("the proxy scheme must be http:// (TLS to the proxy itself is not supported)");
  if (u->encoded_host().empty()) return bad("no host");
  if (u->encoded_path().size() > 1 || u->has_query()) return bad("a proxy URL has no path");
  Proxy p;
  p.host = std::string(u->encoded_host());
  if (p.host.size() > 2 && p.host.front() == '[') p.host = p.host.substr(1, p.host.size() - 2);
  p.port = u->has_port() ? std::string(u->port()) : "80";
  p.url = "http://" + std::string(u->encoded_host_and_port());
  if (u->has_userinfo()) {
    p.authorization = "Basic " + base64_encode(u->user() + ":" + u->password());
    p.url = "http://" + u->user() + ":***@" + std::string(u->encoded_host_and_port());
    p.password = u->password();
  }
  return p;
}

void ProxySettings::set_no_proxy(std::string_view list) {
  no_proxy_text_ = std::string(trim(list));
  all_direct_ = false;
  no_proxy_.clear();
  std::size_t at = 0;
  while (at <= list.size()) {
    auto comma = list.find(',', at);
    auto entry = lower(trim(list.substr(at, comma == std::string_view::npos ? comma : comma - at)));
    at = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    if (entry.empty()) continue;
    if (entry == "*") {
      all_direct_ = true;
      continue;
    }
    Bypass b;
    // A port: "host:443", "[::1]:443"; a bare IPv6 address has several colons and no port.
    if (entry.front() == '[') {
      auto close = entry.find(']');
      if (close == std::string::npos) continue;
      if (close + 1 < entry.size() && entry[close + 1] == ':') b.port = entry.substr(close + 2);
      entry = entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      b.port = entry.substr(entry.find(':') + 1);
      entry = entry.substr(0, entry.find(':'));
    }
    if (auto range = parse_ip_range(entry)) {
      b.range = *range;
    } else {
      while (!entry.empty() && (entry.front() == '.' || entry.front() == '*')) entry.erase(0, 1);
      if (entry.empty()) continue;
      b.domain = entry;
    }
    no_proxy_.push_back(std::move(b));
  }
}

Result<ProxySettings> ProxySettings::from_environment(const EnvLookup& env) {
  ProxySettings s;
  if (auto v = lookup(env, "HTTP_PROXY")) {
    auto p = parse_proxy(v->second, v->first);
    if (!p) return fail(p.error());
    s.http = *p;
  }
  if (auto v = lookup(env, "HTTPS_PROXY")) {
    auto p = parse_proxy(v->second, v->first);
    if (!p) return fail(p.error());
    s.https = *p;
  }
  if (auto v = lookup(env, "NO_PROXY")) s.set_no_proxy(v->second);
  return s;
}

const Proxy* ProxySettings::for_target(bool https_target, std::string_view host,
                                       std::string_view port) const {
  const auto& proxy = https_target ? https : http;
  if (!proxy || all_direct_) return nullptr;
  const std::string h = lower(host);
  std::optional<IpRange> ip;
  if (auto r = parse_ip_range(h)) ip = *r;
  for (const auto& b : no_proxy_) {
    if (!b.port.empty() && b.port != port) continue;
    if (b.range) {
      if (ip && b.range->contains(ip->net)) return nullptr;
    } else if (h == b.domain || (h.size() > b.domain.size() && h.ends_with(b.domain) &&
                                 h[h.size() - b.domain.size() - 1] == '.')) {
      return nullptr;
    }
  }
  return &*proxy;
}

std::string ProxySettings::describe() const {
  if (!http && !https) return "none";
  std::string out;
  if (http) out += "http via " + http->url;
  if (https) out += std::string(out.empty() ? "" : ", ") + "https via " + https->url;
  if (all_direct_)
    out += "; NO_PROXY=* (every target goes direct)";
  else if (!no_proxy_text_.empty())
    out += "; direct for NO_PROXY=" + no_proxy_text_;
  return out;
}

}  // namespace redcell::http
