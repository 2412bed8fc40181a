#pragma once
// Environment lookups go through this type so that tests can hand in their own.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace redcell {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the real process environment; an empty variable counts as unset.
EnvLookup process_env();

}  // namespace redcell
