#pragma once
// What the scorers that wrap others share (composite, float_threshold): reading the
// wrapped specs through the catalog, and asking them, directly or through an LLM client.
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/json_input.hpp"
#include "scorers/scorer.hpp"

namespace redcell::combine {

// A wrapped scorer's spec and where it sits, as validated.
struct Wrapped {
  boost::json::value spec;
  std::string field;
  PieceInfo info;
};

// Validates `spec` at `field`; its score_type must be `score_type` when that is not empty.
inline Result<Wrapped> read_wrapped(const boost::json::value& spec, const std::string& field,
                                    const ScorerRegistry& registry, std::string_view score_type) {
  auto info = registry.validate(spec, field);
  if (!info) return fail(info.error());
  if (!score_type.empty() && info->score_type != score_type)
    return fail(Error::invalid(field + "/type", spec.as_object().at("type"),
                               "a " + std::string(score_type) + " scorer"));
  return Wrapped{spec, field, std::move(*info)};
}

inline Result<std::unique_ptr<Scorer>> build(const Wrapped& w, const ScorerRegistry& registry) {
  return registry.create(w.spec, w.field);
}

// Whether any of `scorers` asks an LLM.
inline bool any_llm(const std::vector<std::unique_ptr<Scorer>>& scorers) {
  for (const auto& s : scorers)
    if (s->traits().needs_llm) return true;
  return false;
}

// Whether any of `scorers` reads the conversation.
inline bool any_conversation(const std::vector<std::unique_ptr<Scorer>>& scorers) {
  for (const auto& s : scorers)
    if (s->traits().needs_conversation) return true;
  return false;
}

inline ScoreResult undetermined(std::string category, std::string why) {
  return ScoreResult::of("true_false", std::string(kUndetermined), std::move(category),
                         std::move(why));
}

}  // namespace redcell::combine
