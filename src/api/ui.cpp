// The web UI: the files vite built, served from the binary. Hashed assets are cached for a
// year; index.html is revalidated, so a new build reaches the browser at its next load. The
// policy allows scripts, styles and connections from this origin only: no inline script,
// no eval, no framing.
#include <algorithm>
#include <string>
#include <string_view>

#include "api/routes.hpp"
#include "api/ui_assets.hpp"

namespace redcell::api {

namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

const UiAsset* find_asset(std::string_view path) {
  auto assets = ui_assets();
  auto it =
      std::find_if(assets.begin(), assets.end(), [&](const UiAsset& a) { return a.path == path; });
  return it == assets.end() ? nullptr : &*it;
}

bool accepts_gzip(const http::Request& req) {
  auto accept = req.header("Accept-Encoding");
  return accept && accept->find("gzip") != std::string_view::npos;
}

http::Response serve(const UiAsset& asset, const http::Request& req) {
  bool gzip = !asset.gzip.empty() && accepts_gzip(req);
  auto r = http::Response::text(200, std::string(gzip ? asset.gzip : asset.body),
                                std::string(asset.content_type));
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control",
                         asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

// A path that names a file (a dot in its last segment, or under /assets/) is a file or
// nothing: a missing script must not come back as the page.
bool names_a_file(std::string_view path) {
  if (path.rfind("/assets/", 0) == 0) return true;
  auto last = path.substr(path.rfind('/') + 1);
  return last.find('.') != std::string_view::npos;
}

// The server's own paths never turn into the page, even where this server does not serve
// them (/metrics moved to --metrics-listen answers 404 here, as before the UI existed).
bool reserved(std::string_view path) {
  return path == "/metrics" || path == "/healthz" || path == "/readyz" || path == "/auth" ||
         path.rfind("/auth/", 0) == 0;
}

}  // namespace

void add_ui_routes(http::Router& router) {
  http::RouteOptions opts;
  opts.authenticated = false;  // the page signs in itself; every API call is checked
  opts.documented = false;
  opts.summary = "The web UI";
  router.set_fallback(
      [](http::Request& req) {
        const UiAsset* asset =
            reserved(req.path) ? nullptr : find_asset(req.path == "/" ? "/index.html" : req.path);
        if (!asset && !reserved(req.path) && !names_a_file(req.path))
          asset = find_asset("/index.html");
        if (!asset)
          return http::Response::error(Error(ErrorCode::not_found, "no file " + req.path));
        return serve(*asset, req);
      },
      opts);
}

}  // namespace redcell::api
