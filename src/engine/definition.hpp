#pragma once
// An orchestrator definition (DESIGN.md, Contracts): what a client sends, validated and
// normalized, so that equal definitions serialize equally (canonical JSON) and an execution
// can rebuild its runtime from the stored row alone.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "converters/converter.hpp"
#include "scorers/scorer.hpp"

namespace redcell {

struct DatasetRef {
  std::string id;
  std::optional<int> version;  // none: the latest when an execution starts
};

struct Budget {
  std::optional<std::int64_t> max_requests;
  std::optional<std::int64_t> max_tokens;
  std::optional<double> max_error_share;  // errors / sent, in [0, 1]
  // Requests to helper LLMs (judges, converter LLMs), counted apart from the objective's.
  std::optional<std::int64_t> max_helper_requests;
  std::optional<std::int64_t> max_helper_tokens;  // their prompt + completion tokens
};

// The strategies an orchestrator's type names.
bool is_multi_turn(
    std::string_view type);  // red_teaming, crescendo, tree_of_attacks: an attacker LLM

struct OrchestratorDefinition {
  std::string name;
  std::string type = "prompt_sending";
  std::string target_id;
  std::vector<DatasetRef> datasets;
  std::vector<std::string> prompts;     // inline prompts, after the datasets' ones
  boost::json::array converter_chains;  // [[{"type", "params"}...]...]; [] is the baseline
  boost::json::array scorers;           // [{"type", "params"}...]
  std::optional<int> objective_scorer;  // index into scorers; none when there are no scorers
  int attempts = 1;
  std::optional<std::string> system_prompt;
  boost::json::object labels;                 // string values
  boost::json::array prepended_conversation;  // [{"role", "content"}]
  Budget budget;
  std::optional<int> max_in_flight;  // narrows the target's own limit
  // red_teaming and crescendo: the attacker (a saved target) and the turns it may take per
  // objective.
  std::string adversarial_target_id;
  int max_turns = 10;
  // crescendo: how many refused turns may be taken back, and the scorer that says a reply is
  // a refusal (true_false; {"type": "refusal"} unless given).
  int max_backtracks = 10;
  boost::json::object refusal_scorer;
  // tree_of_attacks: branching_factor children per kept node, the width best kept per level,
  // depth levels; the attacker checks each prompt is on the objective (on_topic_check); a
  // float_scale scorer ranks a level's replies (empty: the objective verdict ranks them).
  int width = 3;
  int depth = 5;
  int branching_factor = 2;
  bool on_topic_check = true;
  boost::json::object rank_scorer;
  // Random converters draw from a seed derived from this one per work item (and turn), so a
  // run of the same definition replays; none: 0.
  std::optional<std::int64_t> seed;

  boost::json::object to_json() const;  // the normalized form (stored, hashed, returned)
};

// Validates a client's body (or a stored normalized definition); every converter's and
// scorer's params are validated by its catalog entry (nothing is built: the runtime pieces
// are built when an execution runs). Errors name the member by JSON Pointer.
Result<OrchestratorDefinition> parse_definition(const boost::json::value& body,
                                                const ConverterRegistry& converters,
                                                const ScorerRegistry& scorers);

}  // namespace redcell
