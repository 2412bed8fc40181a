#include "http/server/router.hpp"

#include <algorithm>
#include <boost/url/decode_view.hpp>
#include <boost/url/grammar/parse.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <stdexcept>

namespace redcell::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Percent-decodes one path segment; fails on malformed escapes.
bool decode_segment(std::string_view raw, std::string& out) {
  if (raw.find('%') == std::string_view::npos) {
    out.assign(raw);
    return true;
  }
  auto valid = boost::urls::make_pct_string_view(raw);
  if (!valid) return false;
  out.clear();
  for (char c : boost::urls::decode_view(*valid)) out.push_back(c);
  return true;
}

}  // namespace

Route& Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route r;
  r.handler = std::move(handler);
  return insert(std::move(method), std::move(pattern), std::move(options), std::move(r));
}

Route& Router::add_async(std::string method, std::string pattern, AsyncHandler handler,
                         RouteOptions options) {
  Route r;
  r.async_handler = std::move(handler);
  return insert(std::move(method), std::move(pattern), std::move(options), std::move(r));
}

Route& Router::insert(std::string method, std::string pattern, RouteOptions options, Route route) {
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.options = std::move(options);
  for (auto s : split_path(route.pattern)) route.segments.emplace_back(s);
  if (route.segments.empty() && route.pattern != "/")
    throw std::invalid_argument("route pattern must start with '/': " + route.pattern);
  for (const auto& r : routes_)
    if (r.method == route.method && r.segments == route.segments)
      throw std::invalid_argument("duplicate route " + route.method + " " + route.pattern);
  route.index = routes_.size();
  routes_.push_back(std::move(route));
  return routes_.back();
}

Route& Router::set_fallback(Handler handler, RouteOptions options) {
  if (fallback_) throw std::invalid_argument("the router already has a fallback route");
  Route route;
  route.handler = std::move(handler);
  auto& added = insert("GET", "/*", std::move(options), std::move(route));
  fallback_ = added.index;
  return added;
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  auto parts = split_path(path);
  if (parts.empty() && path != "/") return result;
  std::string decoded;
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size() || route.index == fallback_) continue;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& seg = route.segments[i];
      if (is_param(seg)) {
        ok = !parts[i].empty();
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
          result.allowed_methods.end())
        result.allowed_methods.push_back(route.method);
      continue;
    }
    result.route = &route;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = route.segments[i];
      if (!is_param(seg)) continue;
      if (!decode_segment(parts[i], decoded)) {
        result.route = nullptr;
        result.bad_path = true;
        return result;
      }
      result.params.emplace_back(seg.substr(1, seg.size() - 2), decoded);
    }
    result.allowed_methods.clear();
    return result;
  }
  if (fallback_ && method == "GET" && result.allowed_methods.empty() && path != "/api" &&
      path.rfind("/api/", 0) != 0)
    result.route = &routes_[*fallback_];
  return result;
}

}  // namespace redcell::http
