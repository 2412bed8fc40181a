#include "cli/options.hpp"

#include <CLI/CLI.hpp>

namespace redcell::cli {

OptionBinder::OptionBinder(CLI::App& app, std::vector<OptionSpec> specs, std::string env_prefix)
    : app_(app), specs_(std::move(specs)), env_prefix_(std::move(env_prefix)) {
  app_.add_option("--config", values_["config"], "YAML file of option: value pairs");
  for (const auto& s : specs_) {
    std::string help = s.help;
    if (s.default_value && !s.secret) help += " [default: " + *s.default_value + "]";
    help += " (env " + env_name(env_prefix_, s.name) + ")";
    // A repeated flag (--fault A --fault B) joins its values with commas.
    app_.add_option("--" + s.name, values_[s.name], help)
        ->multi_option_policy(CLI::MultiOptionPolicy::Join)
        ->delimiter(',');
    if (s.secret)
      app_.add_option("--" + s.name + "-file", values_[s.name + "-file"],
                      "file holding " + s.name);
  }
}

Result<Config> OptionBinder::resolve(const EnvLookup& env) const {
  Config::Inputs in;
  in.env = env;
  in.env_prefix = env_prefix_;
  for (const auto& [name, value] : values_)
    if (app_.count("--" + name) > 0) in.flags[name] = value;
  return Config::resolve(specs_, in);
}

}  // namespace redcell::cli
