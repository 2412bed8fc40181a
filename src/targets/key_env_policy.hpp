#pragma once
// Which server environment variables a target's `api_key_env` may name. The operator lists
// them (`--target-key-env OPENAI_API_KEY,REDCELL_TARGET_KEY_*`); redcell's own settings
// (REDCELL_*, except the REDCELL_TARGET_KEY_ prefix) and libpq's (PG*) are never readable,
// whatever the list says. A refused name is refused without looking at the environment, so
// no answer tells whether it is set.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"
#include "common/error.hpp"

namespace redcell {

class KeyEnvPolicy {
 public:
  // `spec`: comma-separated names and NAME_PREFIX* patterns; `field` names the option in
  // errors. A pattern that can only match forbidden names is refused.
  static Result<KeyEnvPolicy> parse(std::string_view spec, std::string_view field);

  bool allows(std::string_view name) const;
  // The check made when a target is saved: 400 naming /api_key_env and the allowed names.
  Result<void> check(std::string_view name) const;
  // The value, when the name is allowed and set; the error never says whether an
  // unallowed variable exists.
  Result<std::string> read(std::string_view name, const EnvLookup& env) const;
  std::string describe() const;  // "OPENAI_API_KEY, REDCELL_TARGET_KEY_*" or "none"

 private:
  std::vector<std::string> names_;
  std::vector<std::string> prefixes_;
};

// True for names no target may read: redcell's settings and libpq's variables.
bool is_forbidden_key_env(std::string_view name);

}  // namespace redcell
