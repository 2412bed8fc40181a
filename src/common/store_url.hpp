#pragma once
// The store URL contract:
//   sqlite:///absolute/path.db   (RFC 8089: three slashes, then the absolute path)
//   sqlite:relative/path.db      (resolved against the working directory at start-up)
//   postgresql://user@host:port/db   (passwords only through PGPASSWORD / PGPASSFILE)
// Default: $REDCELL_HOME/redcell.db, REDCELL_HOME defaulting to
// ${XDG_DATA_HOME:-~/.local/share}/redcell -- never the working directory.

#include <filesystem>
#include <string>
#include <string_view>

#include "common/env.hpp"
#include "common/error.hpp"

namespace redcell {

struct StoreUrl {
  enum class Kind { sqlite, postgresql };
  Kind kind = Kind::sqlite;
  std::filesystem::path path;  // sqlite: absolute, normalized
  std::string conninfo;        // postgresql: the URL as libpq takes it
  bool was_relative = false;   // the given sqlite path was relative and has been resolved

  // The canonical URL; for sqlite "sqlite:///abs/path.db" with unsafe characters escaped.
  std::string str() const;
};

// `field` names where the text came from ("/db", "REDCELL_DB") for error details.
Result<StoreUrl> parse_store_url(std::string_view text, const std::filesystem::path& cwd,
                                 std::string_view field = "--db");

// $REDCELL_HOME, else ${XDG_DATA_HOME:-$HOME/.local/share}/redcell; always absolute.
Result<std::filesystem::path> redcell_home(const EnvLookup& env,
                                           const std::filesystem::path& cwd);
Result<StoreUrl> default_store_url(const EnvLookup& env, const std::filesystem::path& cwd);

}  // namespace redcell
