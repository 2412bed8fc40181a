#pragma once
// Declares OptionSpecs as CLI11 flags (and --NAME-file for secrets, and --config), and
// after parsing hands what was given on the command line to Config::resolve. CLI11 parses;
// Config decides precedence and remembers each value's source, which CLI11 cannot report.

#include <map>
#include <string>
#include <vector>

#include "common/config.hpp"

namespace CLI {
class App;
}

namespace redcell::cli {

class OptionBinder {
 public:
  // `env_prefix`: REDCELL_ for redcell's own commands, REDCELL_MOCK_ for mock-target.
  OptionBinder(CLI::App& app, std::vector<OptionSpec> specs, std::string env_prefix = "REDCELL_");
  Result<Config> resolve(const EnvLookup& env) const;
  const std::vector<OptionSpec>& specs() const { return specs_; }

 private:
  CLI::App& app_;
  std::vector<OptionSpec> specs_;
  std::string env_prefix_;
  std::map<std::string, std::string> values_;  // node-stable: CLI11 writes into these
};

}  // namespace redcell::cli
