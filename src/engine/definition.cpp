#include "engine/definition.hpp"

#include <boost/json.hpp>

#include "common/chat_turns.hpp"
#include "common/json_input.hpp"
#include "converters/chain.hpp"

namespace redcell {

namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

template <class T>
value opt(const std::optional<T>& v) {
  return v ? value(*v) : value(nullptr);
}

// A converter chain, each converter's params validated (nothing built); returns the
// normalized chain.
Result<array> chain_of(const value& v, const std::string& at, const ConverterRegistry& registry) {
  if (!v.is_array() || v.as_array().size() > kMaxChainLength)
    return fail(Error::invalid(at, v,
                               "an array of at most " + std::to_string(kMaxChainLength) +
                                   " converters {\"type\", \"params\"}"));
  array out;
  for (std::size_t i = 0; i < v.as_array().size(); ++i) {
    const auto& spec = v.as_array()[i];
    const std::string f = at + "/" + std::to_string(i);
    auto c = registry.validate(spec, f);
    if (!c) return fail(c.error());
    const auto* params = spec.as_object().if_contains("params");
    out.push_back(object{{"type", spec.as_object().at("type")},
                         {"params", params ? *params : value(object())}});
  }
  return out;
}

}  // namespace

bool is_multi_turn(std::string_view type) {
  return type == "red_teaming" || type == "crescendo" || type == "tree_of_attacks";
}

object OrchestratorDefinition::to_json() const {
  array ds;
  for (const auto& d : datasets) ds.push_back(object{{"id", d.id}, {"version", opt(d.version)}});
  array ps;
  for (const auto& p : prompts) ps.emplace_back(p);
  object out{{"name", name},
             {"type", type},
             {"target_id", target_id},
             {"datasets", std::move(ds)},
             {"prompts", std::move(ps)},
             {"converter_chains", converter_chains},
             {"scorers", scorers},
             {"objective_scorer", opt(objective_scorer)},
             {"attempts", attempts},
             {"system_prompt", opt(system_prompt)},
             {"labels", labels},
             {"prepended_conversation", prepended_conversation},
             {"budget", object{{"max_requests", opt(budget.max_requests)},
                               {"max_tokens", opt(budget.max_tokens)},
                               {"max_error_share", opt(budget.max_error_share)}}},
             {"max_in_flight", opt(max_in_flight)}};
  if (is_multi_turn(type)) out["adversarial_target_id"] = adversarial_target_id;
  if (type == "red_teaming" || type == "crescendo") out["max_turns"] = max_turns;
  if (type == "tree_of_attacks") {
    out["width"] = width;
    out["depth"] = depth;
    out["branching_factor"] = branching_factor;
    out["on_topic_check"] = on_topic_check;
    out["rank_scorer"] = rank_scorer.empty() ? value(nullptr) : value(rank_scorer);
  }
  if (type == "crescendo") {
    out["max_backtracks"] = max_backtracks;
    out["refusal_scorer"] = refusal_scorer;
  }
  // Only when set, so the definitions saved before it existed keep their hash.
  if (budget.max_helper_requests)
    out["budget"].as_object()["max_helper_requests"] = *budget.max_helper_requests;
  if (seed) out["seed"] = *seed;
  if (budget.max_helper_tokens)
    out["budget"].as_object()["max_helper_tokens"] = *budget.max_helper_tokens;
  return out;
}

namespace {

// Members only some strategies take: each named member given to another type is refused.
Result<void> only_for(const JsonInput& in, bool applies, std::initializer_list<const char*> names,
                      const char* who) {
  if (applies) return {};
  for (const char* name : names)
    if (in.has(name))
      return fail(Error::invalid(std::string("/") + name, *in.get(name),
                                 std::string("nothing: only ") + who + " takes it"));
  return {};
}

// An optional scorer spec of `score_type` (or `fallback` when it is absent), normalized.
Result<object> side_scorer(const JsonInput& in, const ScorerRegistry& scorers, const char* name,
                           std::string_view score_type, const value& fallback,
                           const char* expected) {
  const auto* spec = in.get(name);
  if (!spec || spec->is_null()) spec = &fallback;
  if (spec->is_null()) return object();
  const std::string field = std::string("/") + name;
  auto s = scorers.validate(*spec, field);
  if (!s) return fail(s.error());
  if (s->score_type != score_type) return fail(Error::invalid(field, *spec, expected));
  const auto* params = spec->as_object().if_contains("params");
  return object{{"type", spec->as_object().at("type")},
                {"params", params ? *params : value(object())}};
}

// What the attacker-driven strategies take: the attacker, and red_teaming's and crescendo's
// turns, crescendo's take-backs, tree_of_attacks' tree.
Result<void> read_attack_members(const JsonInput& in, const ScorerRegistry& scorers,
                                 OrchestratorDefinition& d) {
  const bool turns = d.type == "red_teaming" || d.type == "crescendo";
  if (auto ok = only_for(in, is_multi_turn(d.type), {"adversarial_target_id"},
                         "a red_teaming, crescendo or tree_of_attacks orchestrator");
      !ok)
    return ok;
  if (auto ok = only_for(in, turns, {"max_turns"}, "a red_teaming or crescendo orchestrator"); !ok)
    return ok;
  if (auto ok = only_for(in, d.type == "crescendo", {"max_backtracks", "refusal_scorer"},
                         "a crescendo orchestrator");
      !ok)
    return ok;
  if (auto ok = only_for(in, d.type == "tree_of_attacks",
                         {"width", "depth", "branching_factor", "on_topic_check", "rank_scorer"},
                         "a tree_of_attacks orchestrator");
      !ok)
    return ok;
  if (!is_multi_turn(d.type)) return {};
  auto adversary = in.string("adversarial_target_id", 100);
  if (!adversary) return fail(adversary.error());
  d.adversarial_target_id = *adversary;
  if (turns) {
    auto max_turns = in.opt_int("max_turns", 1, 50);
    if (!max_turns) return fail(max_turns.error());
    d.max_turns = static_cast<int>(max_turns->value_or(10));
  }
  // crescendo: a refused turn is taken back (up to max_backtracks), as the refusal scorer says.
  if (d.type == "crescendo") {
    auto backtracks = in.opt_int("max_backtracks", 0, 50);
    if (!backtracks) return fail(backtracks.error());
    d.max_backtracks = static_cast<int>(backtracks->value_or(10));
    auto refusal =
        side_scorer(in, scorers, "refusal_scorer", "true_false", object{{"type", "refusal"}},
                    "a true_false scorer whose true means the reply is a refusal");
    if (!refusal) return fail(refusal.error());
    d.refusal_scorer = std::move(*refusal);
  }
  // tree_of_attacks: branching_factor children per kept node, the best width kept per level,
  // depth levels; the rank scorer orders a level's replies (none: the objective verdict).
  if (d.type == "tree_of_attacks") {
    auto width = in.opt_int("width", 1, 10);
    if (!width) return fail(width.error());
    d.width = static_cast<int>(width->value_or(3));
    auto depth = in.opt_int("depth", 1, 10);
    if (!depth) return fail(depth.error());
    d.depth = static_cast<int>(depth->value_or(5));
    auto factor = in.opt_int("branching_factor", 1, 5);
    if (!factor) return fail(factor.error());
    d.branching_factor = static_cast<int>(factor->value_or(2));
    auto on_topic = in.boolean("on_topic_check", true);
    if (!on_topic) return fail(on_topic.error());
    d.on_topic_check = *on_topic;
    auto rank = side_scorer(in, scorers, "rank_scorer", "float_scale", value(nullptr),
                            "a float_scale scorer: higher means closer to the objective");
    if (!rank) return fail(rank.error());
    d.rank_scorer = std::move(*rank);
  }
  return {};
}

// Name, strategy type (and what only some strategies take) and the objective target.
Result<void> read_kind(const JsonInput& in, const ScorerRegistry& scorers,
                       OrchestratorDefinition& d) {
  auto name = in.string("name", 200);
  if (!name) return fail(name.error());
  d.name = *name;
  auto type = in.string("type", 50);
  if (!type) return fail(type.error());
  if (*type != "prompt_sending" && !is_multi_turn(*type))
    return fail(Error::invalid("/type", value(*type),
                               "prompt_sending, red_teaming, crescendo or tree_of_attacks"));
  d.type = *type;
  if (auto ok = read_attack_members(in, scorers, d); !ok) return ok;
  auto target = in.string("target_id", 100);
  if (!target) return fail(target.error());
  d.target_id = *target;
  return {};
}

// Prompts: dataset_id, or datasets [{"id", "version"?}], and/or an inline prompt list.
Result<void> read_prompts(const JsonInput& in, OrchestratorDefinition& d) {
  // Prompts: dataset_id, or datasets [{"id", "version"?}], and/or an inline prompt list.
  if (in.has("dataset_id") && in.has("datasets"))
    return fail(Error::invalid("/datasets", *in.get("datasets"),
                               "either dataset_id or datasets, not both"));
  if (in.has("dataset_id") && !in.get("dataset_id")->is_null()) {
    auto id = in.string("dataset_id", 100);
    if (!id) return fail(id.error());
    d.datasets.push_back({*id, std::nullopt});
  }
  if (const auto* ds = in.get("datasets"); ds && !ds->is_null()) {
    if (!ds->is_array() || ds->as_array().size() > 100)
      return fail(Error::invalid("/datasets", *ds, "an array of {\"id\", \"version\"?}"));
    for (std::size_t i = 0; i < ds->as_array().size(); ++i) {
      auto ref = JsonInput::of(ds->as_array()[i], "/datasets/" + std::to_string(i),
                               "{\"id\", \"version\"?}");
      if (!ref) return fail(ref.error());
      if (auto ok = ref->only({"id", "version"}); !ok) return fail(ok.error());
      auto id = ref->string("id", 100);
      if (!id) return fail(id.error());
      auto version = ref->opt_int("version", 1, 1'000'000);
      if (!version) return fail(version.error());
      d.datasets.push_back(
          {*id, *version ? std::optional<int>(static_cast<int>(**version)) : std::nullopt});
    }
  }
  auto prompts = in.strings("prompts", 100'000, 1'000'000);
  if (!prompts) return fail(prompts.error());
  d.prompts = std::move(*prompts);
  if (d.datasets.empty() && d.prompts.empty())
    return fail(
        Error::invalid("/dataset_id", nullptr, "prompts to send: dataset_id, datasets or prompts"));
  return {};
}

// Converters: one chain, or several; [] is the unconverted baseline.
Result<void> read_converters(const JsonInput& in, const ConverterRegistry& converters,
                             OrchestratorDefinition& d) {
  // Converters: one chain, or several; [] is the unconverted baseline.
  if (in.has("converters") && in.has("converter_chains"))
    return fail(Error::invalid("/converter_chains", *in.get("converter_chains"),
                               "either converters or converter_chains, not both"));
  if (const auto* chains = in.get("converter_chains"); chains && !chains->is_null()) {
    if (!chains->is_array() || chains->as_array().empty() || chains->as_array().size() > 100)
      return fail(
          Error::invalid("/converter_chains", *chains, "an array of 1 to 100 converter chains"));
    for (std::size_t i = 0; i < chains->as_array().size(); ++i) {
      auto c =
          chain_of(chains->as_array()[i], "/converter_chains/" + std::to_string(i), converters);
      if (!c) return fail(c.error());
      d.converter_chains.push_back(std::move(*c));
    }
  } else {
    const auto* one = in.get("converters");
    auto c = chain_of(one && !one->is_null() ? *one : value(array()), "/converters", converters);
    if (!c) return fail(c.error());
    d.converter_chains.push_back(std::move(*c));
  }
  return {};
}

// Scorers, and the one whose true means the attack succeeded.
Result<void> read_scorers(const JsonInput& in, const ScorerRegistry& scorer_registry,
                          OrchestratorDefinition& d) {
  // Scorers, and the one whose true means the attack succeeded.
  std::vector<bool> true_false;  // per scorer, from validating it
  if (const auto* ss = in.get("scorers"); ss && !ss->is_null()) {
    if (!ss->is_array() || ss->as_array().size() > 20)
      return fail(Error::invalid("/scorers", *ss, "an array of at most 20 scorers"));
    for (std::size_t i = 0; i < ss->as_array().size(); ++i) {
      const auto& spec = ss->as_array()[i];
      auto s = scorer_registry.validate(spec, "/scorers/" + std::to_string(i));
      if (!s) return fail(s.error());
      true_false.push_back(s->score_type == "true_false");
      const auto* params = spec.as_object().if_contains("params");
      d.scorers.push_back(object{{"type", spec.as_object().at("type")},
                                 {"params", params ? *params : value(object())}});
    }
  }
  auto objective = in.opt_int("objective_scorer", 0, 19);
  if (!objective) return fail(objective.error());
  if (*objective) {
    if (**objective >= static_cast<std::int64_t>(d.scorers.size()))
      return fail(Error::invalid("/objective_scorer", *in.get("objective_scorer"),
                                 "an index into scorers (0 to " +
                                     std::to_string(static_cast<int>(d.scorers.size()) - 1) + ")"));
    d.objective_scorer = static_cast<int>(**objective);
  } else if (d.scorers.size() == 1) {
    d.objective_scorer = 0;
  } else if (d.scorers.size() > 1) {
    return fail(Error::invalid("/objective_scorer", nullptr,
                               "the index of the scorer whose true means the attack succeeded"));
  }
  if (is_multi_turn(d.type) && !d.objective_scorer)
    return fail(Error::invalid(
        "/scorers", value(array()),
        "at least one true_false scorer: " + d.type + " stops at the first reply it scores true"));
  if (d.objective_scorer) {
    if (!true_false[static_cast<std::size_t>(*d.objective_scorer)])
      return fail(
          Error::invalid("/objective_scorer", value(*d.objective_scorer), "a true_false scorer"));
  }
  return {};
}

// Attempts, system prompt, labels and the conversation sent before each prompt.
Result<void> read_conversation(const JsonInput& in, OrchestratorDefinition& d) {
  auto attempts = in.opt_int("attempts", 1, 100);
  if (!attempts) return fail(attempts.error());
  d.attempts = static_cast<int>(attempts->value_or(1));
  auto system_prompt = in.opt_string("system_prompt", 100'000);
  if (!system_prompt) return fail(system_prompt.error());
  d.system_prompt = *system_prompt;
  auto labels = in.opt_object("labels");
  if (!labels) return fail(labels.error());
  for (const auto& kv : *labels)
    if (!kv.value().is_string())
      return fail(
          Error::invalid("/labels/" + json_pointer_token(kv.key()), kv.value(), "a string"));
  d.labels = std::move(*labels);

  if (const auto* conv = in.get("prepended_conversation"); conv && !conv->is_null()) {
    auto turns = read_chat_turns(*conv, "/prepended_conversation", 100, 1'000'000);
    if (!turns) return fail(turns.error());
    for (auto& [role, content] : *turns)
      d.prepended_conversation.push_back(object{{"role", role}, {"content", content}});
  }
  return {};
}

// Budget, seed and concurrency.
Result<void> read_budget(const JsonInput& in, OrchestratorDefinition& d) {
  auto budget = in.opt_object("budget");
  if (!budget) return fail(budget.error());
  JsonInput b(*budget, "/budget");
  if (auto ok = b.only({"max_requests", "max_tokens", "max_error_share", "max_helper_requests",
                        "max_helper_tokens"});
      !ok)
    return fail(ok.error());
  auto max_requests = b.opt_int("max_requests", 1, 1'000'000'000);
  if (!max_requests) return fail(max_requests.error());
  auto max_tokens = b.opt_int("max_tokens", 1, 1'000'000'000'000);
  if (!max_tokens) return fail(max_tokens.error());
  auto share = b.opt_number("max_error_share", 0, 1);
  if (!share) return fail(share.error());
  auto helper_requests = b.opt_int("max_helper_requests", 1, 1'000'000'000);
  if (!helper_requests) return fail(helper_requests.error());
  auto helper_tokens = b.opt_int("max_helper_tokens", 1, 1'000'000'000'000);
  if (!helper_tokens) return fail(helper_tokens.error());
  d.budget = {*max_requests, *max_tokens, *share, *helper_requests, *helper_tokens};
  auto seed = in.opt_int("seed", 0, (std::int64_t{1} << 53) - 1);
  if (!seed) return fail(seed.error());
  d.seed = *seed;
  auto in_flight = in.opt_int("max_in_flight", 1, 4096);
  if (!in_flight) return fail(in_flight.error());
  if (*in_flight) d.max_in_flight = static_cast<int>(**in_flight);
  return {};
}

}  // namespace

Result<OrchestratorDefinition> parse_definition(const value& body,
                                                const ConverterRegistry& converters,
                                                const ScorerRegistry& scorer_registry) {
  auto in = JsonInput::of(body, "", "an orchestrator {\"name\", \"type\", \"target_id\", ...}");
  if (!in) return fail(in.error());
  if (auto ok = in->only({"name",
                          "type",
                          "target_id",
                          "dataset_id",
                          "datasets",
                          "prompts",
                          "converters",
                          "converter_chains",
                          "scorers",
                          "objective_scorer",
                          "attempts",
                          "system_prompt",
                          "labels",
                          "prepended_conversation",
                          "budget",
                          "max_in_flight",
                          "adversarial_target_id",
                          "max_turns",
                          "max_backtracks",
                          "refusal_scorer",
                          "width",
                          "depth",
                          "branching_factor",
                          "on_topic_check",
                          "rank_scorer",
                          "seed"},
                         {"id", "owner", "config_hash", "created_at", "updated_at"});
      !ok)
    return fail(ok.error());
  OrchestratorDefinition d;
  if (auto ok = read_kind(*in, scorer_registry, d); !ok) return fail(ok.error());
  if (auto ok = read_prompts(*in, d); !ok) return fail(ok.error());
  if (auto ok = read_converters(*in, converters, d); !ok) return fail(ok.error());
  if (auto ok = read_scorers(*in, scorer_registry, d); !ok) return fail(ok.error());
  if (auto ok = read_conversation(*in, d); !ok) return fail(ok.error());
  if (auto ok = read_budget(*in, d); !ok) return fail(ok.error());
  return d;
}

}  // namespace redcell
