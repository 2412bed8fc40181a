// `redcell doctor`: what this machine would run with, where each value came from, and
// whether it is sound. Exit 0 when everything checks out, 1 otherwise.

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>

#include "app/commands.hpp"
#include "app/settings.hpp"

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
    std::string value = o.at("value").is_null() ? "(unset)"
                                                : std::string(o.at("value").as_string());
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
