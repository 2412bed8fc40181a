#include "common/store_url.hpp"

#include <pwd.h>
#include <unistd.h>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>

namespace redcell {

namespace fs = std::filesystem;

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

Error bad_url(std::string_view field, std::string_view text, std::string message) {
  return Error(ErrorCode::invalid_argument, std::move(message),
               ErrorDetails{std::string(field), boost::json::value(std::string(text)),
                            "sqlite:///absolute/path.db, sqlite:relative/path.db or "
                            "postgresql://user@host:port/dbname"});
}

}  // namespace

std::string StoreUrl::str() const {
  if (kind == Kind::postgresql) return conninfo;
  std::string out = "sqlite://";
  for (const auto& part : path) {
    if (part == "/") continue;
    out += "/" + boost::urls::encode(part.string(), boost::urls::pchars);
  }
  return out;
}

Result<StoreUrl> parse_store_url(std::string_view text, const fs::path& cwd,
                                 std::string_view field) {
  StoreUrl url;
  if (text.empty()) return fail(bad_url(field, text, std::string(field) + " is empty"));

  if (starts_with_ci(text, "postgresql://") || starts_with_ci(text, "postgres://")) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return fail(bad_url(field, text, "the PostgreSQL URL does not parse"));
    if (parsed->has_password())
      return fail(Error(ErrorCode::invalid_argument,
                        "the store URL carries a password; give it through PGPASSWORD or "
                        "PGPASSFILE instead, so it never shows in process lists or logs",
                        ErrorDetails{std::string(field), std::nullopt,
                                     "postgresql://user@host:port/dbname without a password"}));
    if (parsed->host().empty() && !parsed->has_query())
      return fail(bad_url(field, text, "the PostgreSQL URL names no host"));
    url.kind = StoreUrl::Kind::postgresql;
    url.conninfo = std::string(text);
    return url;
  }

  std::string path;
  if (starts_with_ci(text, "sqlite:")) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return fail(bad_url(field, text, "the SQLite URL does not parse"));
    if (parsed->has_query() || parsed->has_fragment())
      return fail(bad_url(field, text, "a SQLite store URL takes no query or fragment"));
    if (parsed->has_authority()) {
      auto host = parsed->encoded_host();
      if (!host.empty() && host != "localhost")
        return fail(bad_url(field, text,
                            "\"" + std::string(host) +
                                "\" stands where a host would: write three slashes before an "
                                "absolute path (sqlite:///data/redcell.db) or none before a "
                                "relative one (sqlite:data/redcell.db)"));
    }
    path = std::string(parsed->path());  // percent-decoded
  } else if (text.find("://") != std::string_view::npos) {
    return fail(bad_url(field, text, "unknown store URL scheme"));
  } else {
    path = std::string(text);  // a bare file path
  }
  if (path.empty()) return fail(bad_url(field, text, "the SQLite URL names no file"));
  if (path.find('\0') != std::string::npos)
    return fail(bad_url(field, text, "the path contains a NUL byte"));

  fs::path p(path);
  if (p.is_relative()) {
    url.was_relative = true;
    p = cwd / p;
  }
  url.path = p.lexically_normal();
  if (!url.path.has_filename())
    return fail(bad_url(field, text, "the SQLite path names a directory, not a file"));
  return url;
}

Result<fs::path> redcell_home(const EnvLookup& env, const fs::path& cwd) {
  if (auto home = env("REDCELL_HOME")) {
    fs::path p(*home);
    return (p.is_relative() ? cwd / p : p).lexically_normal();
  }
  fs::path data;
  if (auto xdg = env("XDG_DATA_HOME"); xdg && fs::path(*xdg).is_absolute()) {
    data = *xdg;  // the XDG spec says a relative value is to be ignored
  } else {
    std::string user_home;
    if (auto h = env("HOME")) {
      user_home = *h;
    } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) {
      user_home = pw->pw_dir;
    }
    if (user_home.empty() || fs::path(user_home).is_relative())
      return fail(Error::invalid("REDCELL_HOME", std::nullopt, "an absolute directory",
                                 "cannot find a home directory: set REDCELL_HOME or --db"));
    data = fs::path(user_home) / ".local" / "share";
  }
  return (data / "redcell").lexically_normal();
}

Result<StoreUrl> default_store_url(const EnvLookup& env, const fs::path& cwd) {
  auto home = redcell_home(env, cwd);
  if (!home) return fail(home.error());
  StoreUrl url;
  url.path = *home / "redcell.db";
  return url;
}

}  // namespace redcell
