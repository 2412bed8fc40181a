#include "app/open_store.hpp"

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

}  // namespace redcell
