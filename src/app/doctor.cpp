// `redcell doctor`: what this machine would run with, where each value came from, and
// whether it is sound. Exit 0 when everything checks out, 1 otherwise.

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/open_store.hpp"
#include "app/settings.hpp"
#include "memory/sqlite/writer_lock.hpp"

namespace redcell {

int run_doctor(const Config& config, bool json) {
  boost::json::array checks;
  bool ok = true;
  auto check = [&](std::string name, bool passed, std::string detail) {
    ok = ok && passed;
    checks.push_back({{"check", name}, {"ok", passed}, {"detail", detail}});
  };

  auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
  check("settings", settings.has_value(), settings ? "valid" : settings.error().message());
  if (settings) {
    check("identity", true, "mode " + settings->auth);
    check("store_url", true, settings->store.str());
    check("outgoing_proxy", true, settings->proxy.describe());
    const auto& url = settings->store;
    if (url.kind == StoreUrl::Kind::sqlite && !std::filesystem::exists(url.path)) {
      check("store", true, "no store yet at " + url.path.string() + "; redcell serve creates it");
    } else {
      auto store = open_store(url, true);
      if (!store) {
        check("store", false, store.error().message());
      } else if (auto r = (*store)->check(); !r) {
        check("store", false, r.error().message());
      } else {
        std::string detail = "schema " + std::to_string(r->schema_version) + " (known " +
                             std::to_string(r->known_schema_version) + "), integrity " +
                             r->integrity;
        if (auto h = memory::WriterLock::holder(url.path))
          detail += ", in use by pid " + std::to_string(h->pid) +
                    (h->listen_url.empty() ? "" : " (server at " + h->listen_url + ")");
        check("store", r->ok, detail);
      }
    }
  }

  if (json) {
    boost::json::object doc{{"ok", ok},
                            {"version", REDCELL_VERSION},
                            {"config", config.describe()},
                            {"checks", std::move(checks)}};
    std::cout << boost::json::serialize(doc) << "\n";
    return ok ? 0 : 1;
  }
  std::cout << "redcell " << REDCELL_VERSION << "\n\nConfiguration:\n";
  if (auto f = config.config_file()) std::cout << "  (config file " << f->string() << ")\n";
  for (const auto& item : config.describe()) {
    const auto& o = item.as_object();
    std::string value =
        o.at("value").is_null() ? "(unset)" : std::string(o.at("value").as_string());
    std::cout << "  " << std::string(o.at("name").as_string()) << " = " << value << "   ["
              << std::string(o.at("source").as_string());
    if (!o.at("origin").as_string().empty() && o.at("origin").as_string() != "default")
      std::cout << ": " << std::string(o.at("origin").as_string());
    std::cout << "]\n";
  }
  std::cout << "\nChecks:\n";
  for (const auto& item : checks) {
    const auto& o = item.as_object();
    std::cout << "  " << (o.at("ok").as_bool() ? "ok   " : "FAIL ")
              << std::string(o.at("check").as_string()) << ": "
              << std::string(o.at("detail").as_string()) << "\n";
  }
  return ok ? 0 : 1;
}

}  // namespace redcell
