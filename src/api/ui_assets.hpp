#pragma once
// The web UI's built files (web/dist), embedded into the binary at build time by
// scripts/embed_web.py, which writes the table ui_assets() returns.

#include <span>
#include <string_view>

namespace redcell::api {

struct UiAsset {
  std::string_view path;          // "/index.html", "/assets/index-3f2a9c1b.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view gzip;  // the body gzipped, when that is smaller; else empty
  bool immutable;         // a content-hashed name: cached for a year
};

std::span<const UiAsset> ui_assets();

}  // namespace redcell::api
