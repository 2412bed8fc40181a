#pragma once
// Configuration with provenance. Every option is a flag (--db), an environment variable
// (REDCELL_DB) and a key of the YAML config file (db: ...). Flags beat the environment,
// the environment beats the file, the file beats the default. A secret also has a _FILE
// form (--secret-key-file, REDCELL_SECRET_KEY_FILE) whose file content is the value.
// Each resolved value remembers where it came from, so `redcell doctor` can say.

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"
#include "common/error.hpp"

namespace redcell {

struct OptionSpec {
  std::string name;  // flag name without dashes: "db", "listen", "secret-key"
  std::string help;
  std::optional<std::string> default_value;
  bool secret = false;
};

enum class Source {
  unset,
  default_value,
  config_file,
  environment,
  environment_file,
  flag,
  flag_file
};
std::string_view to_string(Source source);

struct Setting {
  std::string name;
  std::optional<std::string> value;
  Source source = Source::unset;
  std::string origin;  // "--db", "REDCELL_DB", "/etc/redcell.yaml", "default"
  bool secret = false;
  // The value, "" when unset: what a setting with a default (always set) is read with.
  const std::string& text() const {
    static const std::string empty;
    return value ? *value : empty;
  }
};

// "secret-key" -> "REDCELL_SECRET_KEY" (with prefix "REDCELL_").
std::string env_name(std::string_view prefix, std::string_view option);

class Config {
 public:
  struct Inputs {
    std::map<std::string, std::string> flags;  // the flags given, by option name ("x-file" too)
    EnvLookup env;
    std::string env_prefix = "REDCELL_";
    std::optional<std::filesystem::path> config_file;  // else from flag/env "config"
  };

  static Result<Config> resolve(const std::vector<OptionSpec>& specs, const Inputs& inputs);

  const Setting& setting(std::string_view name) const;  // the name must be a known option
  const std::optional<std::string>& value(std::string_view name) const {
    return setting(name).value;
  }
  std::string get(std::string_view name) const { return value(name).value_or(""); }
  const std::vector<Setting>& settings() const { return settings_; }
  std::optional<std::filesystem::path> config_file() const { return config_file_; }

  // A copy with option `name` set (or unset) as if a flag `origin` had given it.
  Config with(std::string_view name, std::optional<std::string> value, std::string origin) const;

  // [{"name", "value" (secrets as "***"), "source", "origin"}]
  boost::json::array describe() const;
  // The resolved secret values, for the log redactor.
  std::vector<std::string> secret_values() const;

 private:
  std::vector<Setting> settings_;
  std::optional<std::filesystem::path> config_file_;
};

}  // namespace redcell
