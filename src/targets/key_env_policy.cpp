#include "targets/key_env_policy.hpp"

#include <boost/json.hpp>

#include "common/text.hpp"

namespace redcell {

namespace {

constexpr std::string_view kTargetKeyPrefix = "REDCELL_TARGET_KEY_";

bool env_name(std::string_view s) {
  if (s.empty() || s.size() > 200 || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

}  // namespace

bool is_forbidden_key_env(std::string_view name) {
  // --target-key-env itself is REDCELL_TARGET_KEY_ENV: a setting, not a key.
  if (name.starts_with("REDCELL_TARGET_KEY_ENV")) return true;
  if (name.starts_with("REDCELL_")) return !name.starts_with(kTargetKeyPrefix);
  return name.starts_with("PG");
}

Result<KeyEnvPolicy> KeyEnvPolicy::parse(std::string_view spec, std::string_view field) {
  KeyEnvPolicy p;
  for (auto item : split_comma_list(spec)) {
    const bool prefix = item.back() == '*';
    auto name = prefix ? item.substr(0, item.size() - 1) : item;
    const boost::json::value given(std::string{item});
    if (!env_name(name))
      return fail(Error::invalid(std::string(field), given,
                                 "environment variable names or NAME_PREFIX* patterns, "
                                 "comma-separated (such as OPENAI_API_KEY,REDCELL_TARGET_KEY_*)"));
    // A pattern that can only reach forbidden names (PG*, REDCELL_SECRET_*) is a mistake.
    const bool only_forbidden =
        prefix ? name.starts_with("PG") || name.starts_with("REDCELL_TARGET_KEY_ENV") ||
                     (name.starts_with("REDCELL_") && !name.starts_with(kTargetKeyPrefix) &&
                      !kTargetKeyPrefix.starts_with(name))
               : is_forbidden_key_env(name);
    if (only_forbidden)
      return fail(Error::invalid(
          std::string(field), given,
          "names of target API keys; redcell's own settings (REDCELL_*) and libpq's (PG*) "
          "are never readable by targets",
          std::string(field) + ": " + std::string(item) +
              " names redcell's or libpq's settings, which targets may never read"));
    (prefix ? p.prefixes_ : p.names_).emplace_back(name);
  }
  return p;
}

bool KeyEnvPolicy::allows(std::string_view name) const {
  if (!env_name(name) || is_forbidden_key_env(name)) return false;
  for (const auto& n : names_)
    if (n == name) return true;
  for (const auto& p : prefixes_)
    if (name.size() > p.size() && name.starts_with(p)) return true;
  return false;
}

std::string KeyEnvPolicy::describe() const {
  std::string out;
  for (const auto& n : names_) out += (out.empty() ? "" : ", ") + n;
  for (const auto& p : prefixes_) out += (out.empty() ? "" : ", ") + p + "*";
  return out.empty() ? "none" : out;
}

Result<void> KeyEnvPolicy::check(std::string_view name) const {
  if (allows(name)) return {};
  return fail(Error::invalid("/api_key_env", boost::json::value(std::string(name)),
                             "a variable the operator allowed with --target-key-env: " + describe(),
                             "api_key_env " + std::string(name) +
                                 " is not a variable this server lets targets read; allowed: " +
                                 describe() + " (or send the key itself as api_key)"));
}

Result<std::string> KeyEnvPolicy::read(std::string_view name, const EnvLookup& env) const {
  if (auto ok = check(name); !ok) return fail(ok.error());
  auto v = env(name);
  if (!v)
    return fail(Error::invalid("/api_key_env", boost::json::value(std::string(name)),
                               "an allowed variable set in the server's environment",
                               "the target's api_key_env " + std::string(name) +
                                   " is not set in the server's environment"));
  return *v;
}

}  // namespace redcell
