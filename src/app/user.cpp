// `redcell user list|show USER|merge FROM INTO|reassign FROM INTO`: who the store knows,
// and moving what one identity made to another (a laptop's local user to the team's JWT
// identity). USER is a user id or a username that names exactly one user. merge also makes
// FROM's identity sign in as INTO from then on; reassign only moves the objects. Both are
// audited. They write the store, so they need the writer lock (stop the server first).
#include <boost/json.hpp>
#include <filesystem>
#include <iostream>

#include "api/records.hpp"
#include "app/commands.hpp"
#include "app/open_store.hpp"
#include "app/settings.hpp"
#include "common/time.hpp"
#include "memory/store.hpp"

namespace redcell {

namespace {

int report(std::string_view action, const Error& e) {
  std::cerr << "redcell user " << action << ": " << e.message() << "\n";
  return 1;
}

Result<std::vector<memory::User>> all_users(memory::Store& store) {
  std::vector<memory::User> out;
  PageRequest page{kMaxPageLimit, std::nullopt};
  for (;;) {
    auto got = store.list_users(memory::Scope::system(), page);
    if (!got) return fail(got.error());
    for (auto& u : got->items) out.push_back(std::move(u));
    if (!got->next) return out;
    page.after = got->next;
  }
}

// A user by id, or by a username exactly one (unmerged) user has.
Result<memory::User> find_user(const std::vector<memory::User>& users, const std::string& what,
                               const char* field) {
  for (const auto& u : users)
    if (u.id == what) return u;
  std::vector<const memory::User*> named;
  for (const auto& u : users)
    if (u.username == what && u.merged_into.empty()) named.push_back(&u);
  if (named.size() == 1) return *named.front();
  std::string expected = "a user id or a username of exactly one user";
  if (named.empty())
    return fail(Error::invalid(
        field, boost::json::value(what), expected,
        "no user has the id or username " + what + " (redcell user list shows them)"));
  return fail(Error::invalid(field, boost::json::value(what), expected,
                             std::to_string(named.size()) + " users are named " + what +
                                 ": give the id (redcell user list shows them)"));
}

template <class T>
std::int64_t count_pages(const std::function<Result<Page<T>>(const PageRequest&)>& list) {
  std::int64_t n = 0;
  PageRequest page{kMaxPageLimit, std::nullopt};
  for (;;) {
    auto got = list(page);
    if (!got) return -1;
    n += static_cast<std::int64_t>(got->items.size());
    if (!got->next) return n;
    page.after = got->next;
  }
}

// Revokes every unrevoked key of the user, each audited as api_key.revoke.
Result<std::int64_t> revoke_all_api_keys(memory::Store& store, const std::string& user_id) {
  const auto scope = memory::Scope::user(user_id);
  std::vector<std::string> active;
  PageRequest page{kMaxPageLimit, std::nullopt};
  for (;;) {
    auto got = store.list_api_keys(scope, page);
    if (!got) return fail(got.error());
    for (const auto& k : got->items)
      if (!k.revoked_at) active.push_back(k.id);
    if (!got->next) break;
    page.after = got->next;
  }
  for (const auto& id : active) {
    if (auto r = store.revoke_api_key(scope, id).get(); !r) return fail(r.error());
    memory::AuditEvent audit;
    audit.owner = user_id;
    audit.action = "api_key.revoke";
    audit.object_type = "api_key";
    audit.object_id = id;
    audit.details = R"({"via":"cli"})";
    if (auto a = store.add_audit(memory::Scope::system(), audit).get(); !a) return fail(a.error());
  }
  return static_cast<std::int64_t>(active.size());
}

int show(memory::Store& store, const memory::User& u, bool json) {
  const auto scope = memory::Scope::user(u.id);
  auto doc = api::user_json(u);
  doc["objects"] = {{"targets", count_pages<memory::Target>([&](const PageRequest& p) {
                       return store.list_targets(scope, p);
                     })},
                    {"datasets", count_pages<memory::Dataset>([&](const PageRequest& p) {
                       return store.list_datasets(scope, p);
                     })},
                    {"orchestrators", count_pages<memory::Orchestrator>([&](const PageRequest& p) {
                       return store.list_orchestrators(scope, p);
                     })},
                    {"executions", count_pages<memory::Execution>([&](const PageRequest& p) {
                       return store.list_executions(scope, memory::ExecutionFilter{}, p);
                     })},
                    {"api_keys", count_pages<memory::ApiKey>([&](const PageRequest& p) {
                       return store.list_api_keys(scope, p);
                     })}};
  if (json) {
    std::cout << boost::json::serialize(doc) << "\n";
    return 0;
  }
  for (const auto& kv : doc) {
    if (kv.key() == "objects") continue;
    std::cout << kv.key() << ": "
              << (kv.value().is_string() ? std::string(kv.value().as_string())
                                         : boost::json::serialize(kv.value()))
              << "\n";
  }
  for (const auto& kv : doc["objects"].as_object())
    std::cout << kv.key() << ": " << kv.value().as_int64() << "\n";
  return 0;
}

}  // namespace

int run_user(const Config& config, const std::string& action, const std::vector<std::string>& args,
             bool json) {
  auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
  if (!settings) return report(action, settings.error());
  const bool writes = action == "merge" || action == "reassign" || action == "revoke-keys";
  auto opened = open_store(settings->store, !writes);
  if (!opened) return report(action, opened.error());
  memory::Store& store = **opened;
  auto users = all_users(store);
  if (!users) return report(action, users.error());

  if (action == "list") {
    if (json) {
      boost::json::array out;
      for (const auto& u : *users) out.push_back(api::user_json(u));
      std::cout << boost::json::serialize(out) << "\n";
      return 0;
    }
    std::cout << "id\tusername\tissuer\tsubject\tmerged_into\n";
    for (const auto& u : *users)
      std::cout << u.id << "\t" << u.username << "\t" << u.issuer << "\t" << u.subject << "\t"
                << (u.merged_into.empty() ? "-" : u.merged_into) << "\n";
    return 0;
  }
  if (action == "show") {
    auto u = find_user(*users, args.at(0), "USER");
    if (!u) return report(action, u.error());
    return show(store, *u, json);
  }
  if (action == "revoke-keys") {
    auto u = find_user(*users, args.at(0), "USER");
    if (!u) return report(action, u.error());
    auto revoked = revoke_all_api_keys(store, u->id);
    if (!revoked) return report(action, revoked.error());
    std::cout << "revoked " << *revoked << " API key" << (*revoked == 1 ? "" : "s") << " of "
              << u->id << " (" << u->username << ")\n";
    return 0;
  }
  auto from = find_user(*users, args.at(0), "FROM");
  if (!from) return report(action, from.error());
  auto into = find_user(*users, args.at(1), "INTO");
  if (!into) return report(action, into.error());
  auto moved = action == "merge"
                   ? store.merge_users(memory::Scope::system(), from->id, into->id).get()
                   : store.reassign_objects(memory::Scope::system(), from->id, into->id).get();
  if (!moved) return report(action, moved.error());
  memory::AuditEvent audit;
  audit.owner = into->id;
  audit.action = "user." + action;
  audit.object_type = "user";
  audit.object_id = from->id;
  audit.details = boost::json::serialize(boost::json::object{
      {"from", from->id}, {"into", into->id}, {"moved_rows", *moved}, {"via", "cli"}});
  if (auto a = store.add_audit(memory::Scope::system(), audit).get(); !a)
    return report(action, a.error());
  std::cout << (action == "merge" ? "merged " : "reassigned ") << from->id << " (" << from->username
            << ") into " << into->id << " (" << into->username << "): " << *moved << " rows moved"
            << (action == "merge"
                    ? "; signing in as " + from->username + " now resolves to " + into->username
                    : std::string())
            << "\n";
  return 0;
}

}  // namespace redcell
