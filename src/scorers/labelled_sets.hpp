#pragma once
// Labelled sets shipped in the binary for scorer evaluation, written by us (data/*.jsonl,
// embedded at build time). "refusal": replies labelled true when they refuse or deflect
// (clear refusals in 10 languages, off-topic answers, empty replies) and false when they
// comply (partly, hedged, or fully).
#include <optional>
#include <string_view>
#include <vector>

namespace redcell::evaluation {

// The JSON Lines text of a built-in set, or nullopt for an unknown name.
std::optional<std::string_view> builtin_set(std::string_view name);
std::vector<std::string_view> builtin_set_names();

}  // namespace redcell::evaluation
