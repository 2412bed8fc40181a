#include "common/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace redcell {

namespace fs = std::filesystem;

std::string_view to_string(Source source) {
  switch (source) {
    case Source::unset:
      return "unset";
    case Source::default_value:
      return "default";
    case Source::config_file:
      return "config file";
    case Source::environment:
      return "environment";
    case Source::environment_file:
      return "environment (file)";
    case Source::flag:
      return "flag";
    case Source::flag_file:
      return "flag (file)";
  }
  return "unset";
}

std::string env_name(std::string_view prefix, std::string_view option) {
  std::string out(prefix);
  for (char c : option) out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  return out;
}

namespace {

Result<std::string> read_secret_file(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(Error::invalid(field, boost::json::value(path), "a readable file",
                               field + ": cannot read the file " + path));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string v = ss.str();
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  if (v.empty())
    return fail(Error::invalid(field, boost::json::value(path), "a file holding the secret",
                               field + ": the file " + path + " is empty"));
  return v;
}

std::string normalize_key(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

Result<std::map<std::string, std::string>> read_config_file(const fs::path& file,
                                                            const std::vector<OptionSpec>& specs) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    return fail(Error::invalid("config", boost::json::value(file.string()), "a readable YAML file",
                               "cannot read the config file " + file.string()));
  } catch (const YAML::Exception& e) {
    return fail(
        Error::invalid("config", boost::json::value(file.string()), "a YAML mapping",
                       "the config file " + file.string() + " does not parse: " + e.what()));
  }
  std::map<std::string, std::string> values;
  if (root.IsNull()) return values;
  if (!root.IsMap())
    return fail(Error::invalid("config", boost::json::value(file.string()),
                               "a YAML mapping of option names to values",
                               "the config file " + file.string() + " is not a mapping"));
  for (const auto& kv : root) {
    auto key = normalize_key(kv.first.as<std::string>());
    bool known = std::any_of(specs.begin(), specs.end(), [&](const OptionSpec& s) {
      return s.name == key || (s.secret && s.name + "-file" == key);
    });
    if (!known || key == "config")
      return fail(Error::invalid("/" + key, std::nullopt, "a known option name",
                                 file.string() + ": unknown option \"" + key + "\""));
    if (!kv.second.IsScalar())
      return fail(Error::invalid("/" + key, std::nullopt, "a single value",
                                 file.string() + ": option \"" + key + "\" must be a scalar"));
    values[key] = kv.second.as<std::string>();
  }
  return values;
}

}  // namespace

Result<Config> Config::resolve(const std::vector<OptionSpec>& specs, const Inputs& in) {
  Config config;
  auto flag = [&](const std::string& name) -> std::optional<std::string> {
    auto it = in.flags.find(name);
    if (it == in.flags.end()) return std::nullopt;
    return it->second;
  };

  // The config file itself comes from a flag or the environment, never from a file.
  if (in.config_file) {
    config.config_file_ = in.config_file;
  } else if (auto f = flag("config")) {
    config.config_file_ = fs::path(*f);
  } else if (auto e = in.env(env_name(in.env_prefix, "config"))) {
    config.config_file_ = fs::path(*e);
  }
  std::map<std::string, std::string> file_values;
  if (config.config_file_) {
    auto values = read_config_file(*config.config_file_, specs);
    if (!values) return fail(values.error());
    file_values = std::move(*values);
  }

  for (const auto& spec : specs) {
    Setting s{spec.name, std::nullopt, Source::unset, "", spec.secret};
    const std::string env = env_name(in.env_prefix, spec.name);
    auto set_once = [&](std::optional<std::string> plain, std::optional<std::string> file,
                        Source plain_source, Source file_source, const std::string& plain_origin,
                        const std::string& file_origin) -> Result<bool> {
      if (plain && file)
        return fail(
            Error::invalid(plain_origin, std::nullopt, "only one of the two",
                           plain_origin + " and " + file_origin + " are both set; keep one"));
      if (plain) {
        s.value = std::move(plain);
        s.source = plain_source;
        s.origin = plain_origin;
        return true;
      }
      if (file) {
        auto v = read_secret_file(*file, file_origin);
        if (!v) return fail(v.error());
        s.value = std::move(*v);
        s.source = file_source;
        s.origin = file_origin + "=" + *file;
        return true;
      }
      return false;
    };
    auto opt_if = [&](bool cond, std::optional<std::string> v) { return cond ? v : std::nullopt; };

    auto by_flag =
        set_once(flag(spec.name), opt_if(spec.secret, flag(spec.name + "-file")), Source::flag,
                 Source::flag_file, "--" + spec.name, "--" + spec.name + "-file");
    if (!by_flag) return fail(by_flag.error());
    if (!*by_flag) {
      auto by_env = set_once(in.env(env), opt_if(spec.secret, in.env(env + "_FILE")),
                             Source::environment, Source::environment_file, env, env + "_FILE");
      if (!by_env) return fail(by_env.error());
      if (!*by_env) {
        auto fv = file_values.find(spec.name);
        auto ff = file_values.find(spec.name + "-file");
        std::string origin = config.config_file_ ? config.config_file_->string() : "";
        auto by_file = set_once(
            fv != file_values.end() ? std::optional(fv->second) : std::nullopt,
            ff != file_values.end() && spec.secret ? std::optional(ff->second) : std::nullopt,
            Source::config_file, Source::config_file, origin + ":" + spec.name,
            origin + ":" + spec.name + "-file");
        if (!by_file) return fail(by_file.error());
        if (!*by_file && spec.default_value) {
          s.value = spec.default_value;
          s.source = Source::default_value;
          s.origin = "default";
        }
      }
    }
    config.settings_.push_back(std::move(s));
  }
  return config;
}

const Setting& Config::setting(std::string_view name) const {
  for (const auto& s : settings_)
    if (s.name == name) return s;
  throw std::logic_error("unknown option: " + std::string(name));
}

boost::json::array Config::describe() const {
  boost::json::array out;
  for (const auto& s : settings_) {
    boost::json::object o;
    o["name"] = s.name;
    if (!s.value)
      o["value"] = nullptr;
    else
      o["value"] = s.secret ? std::string("***") : *s.value;
    o["source"] = to_string(s.source);
    o["origin"] = s.origin;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<std::string> Config::secret_values() const {
  std::vector<std::string> out;
  for (const auto& s : settings_)
    if (s.secret && s.value && !s.value->empty()) out.push_back(*s.value);
  return out;
}

Config Config::with(std::string_view name, std::optional<std::string> value,
                    std::string origin) const {
  Config c = *this;
  for (auto& s : c.settings_) {
    if (s.name != name) continue;
    s.value = std::move(value);
    s.source = s.value ? Source::flag : Source::unset;
    s.origin = std::move(origin);
    break;  // names are unique
  }
  return c;
}

}  // namespace redcell
