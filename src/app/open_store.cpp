#include "app/open_store.hpp"

#include <filesystem>

#include "app/settings.hpp"
#include "common/env.hpp"

namespace redcell {

Result<std::unique_ptr<memory::SqliteStore>> open_store(const StoreUrl& url, bool read_only) {
  if (url.kind == StoreUrl::Kind::postgresql)
    return fail(Error(ErrorCode::invalid_argument,
                      "PostgreSQL stores are not in this build yet; use a sqlite:// store",
                      ErrorDetails{"--db", boost::json::value(url.str()), "a sqlite:// URL"}));
  memory::SqliteOptions opts;
  opts.read_only = read_only;
  return memory::SqliteStore::open(url, opts);
}

Result<Identity> resolve_local_user(memory::Store& store) {
  memory::User u;
  u.issuer = std::string(kLocalIssuer);
  u.subject = std::string(kLocalSubject);
  u.username = "local";
  u.display_name = "Local user";
  u.roles = {"admin"};
  auto row = store.upsert_user(memory::Scope::system(), u).get();
  if (!row) return fail(row.error());
  return Identity{row->id, row->issuer, row->subject, row->username, row->display_name, row->roles};
}

Result<std::string> find_local_user_id(memory::Store& store) {
  PageRequest page;
  page.limit = kMaxPageLimit;
  for (;;) {
    auto users = store.list_users(memory::Scope::system(), page);
    if (!users) return fail(users.error());
    for (const auto& u : users->items)
      if (u.issuer == kLocalIssuer && u.subject == kLocalSubject) return u.id;
    if (!users->next) break;
    page.after = users->next;
  }
  return fail(Error(ErrorCode::not_found, "the store has no local user yet: nothing has run"));
}

Result<LocalStore> open_local_store(const Config& config, bool read_only, std::string_view flag,
                                    std::string_view instead) {
  auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
  if (!settings) return fail(settings.error());
  if (settings->auth != "local")
    return fail(Error::invalid(
        std::string(flag), boost::json::value(settings->auth),
        "a local-mode store: with --auth jwt, " + std::string(instead) + " as yourself"));
  auto opened = open_store(settings->store, read_only);
  if (!opened) return fail(opened.error());
  if (read_only) {
    auto id = find_local_user_id(**opened);
    if (!id) return fail(id.error());
    return LocalStore{std::move(*opened), memory::Scope::user(*id)};
  }
  auto local = resolve_local_user(**opened);
  if (!local) return fail(local.error());
  return LocalStore{std::move(*opened), memory::Scope::user(local->user_id)};
}

}  // namespace redcell
