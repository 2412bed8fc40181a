#include "api/reports.hpp"

#include <boost/json.hpp>
#include <unordered_map>

#include "common/time.hpp"

namespace redcell::api {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxAttempts = 100'000;

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// "baseline", or the chain's converter types joined by " > ".
std::vector<std::string> chain_names(const json::object& definition) {
  std::vector<std::string> out;
  const auto* chains = definition.if_contains("converter_chains");
  if (!chains || !chains->is_array()) return out;
  for (const auto& chain : chains->as_array()) {
    std::string name;
    if (chain.is_array())
      for (const auto& step : chain.as_array())
        if (step.is_object())
          name += (name.empty() ? "" : " > ") + text_of(step.as_object(), "type");
    out.push_back(name.empty() ? "baseline" : name);
  }
  return out;
}

report::ExecutionInfo info_of(const memory::Execution& e, const json::object& snap) {
  report::ExecutionInfo info;
  info.id = e.id;
  info.status = e.status;
  info.created_at = format_time(e.created_at);
  info.finished_at = e.finished_at ? format_time(*e.finished_at) : "";
  info.total = e.counts.total;
  if (const auto* d = snap.if_contains("definition"); d && d->is_object())
    info.orchestrator = text_of(d->as_object(), "name");
  if (const auto* t = snap.if_contains("target"); t && t->is_object())
    info.target = text_of(t->as_object(), "name");
  if (const auto* l = snap.if_contains("labels"); l && l->is_object())
    for (const auto& kv : l->as_object())
      if (kv.value().is_string()) info.labels[kv.key()] = std::string(kv.value().as_string());
  return info;
}

// One page of work items as attempts: three reads (messages, scores, seed prompts).
Result<void> add_attempts(memory::Store& store, const memory::Scope& scope,
                          const std::vector<memory::WorkItem>& items,
                          const std::vector<std::string>& chains, report::Input& in) {
  std::vector<const memory::WorkItem*> finished;
  std::vector<std::string> conversations, prompt_ids;
  for (const auto& w : items) {
    if (w.status != "done" && w.status != "failed") continue;
    finished.push_back(&w);
    conversations.push_back(w.conversation_id.empty() ? w.id : w.conversation_id);
    prompt_ids.push_back(w.prompt_id);
  }
  auto messages = store.messages_of_conversations(scope, conversations);
  if (!messages) return fail(messages.error());
  std::vector<std::string> message_ids;
  for (const auto& m : *messages) message_ids.push_back(m.id);
  auto scores = store.scores_of_messages(scope, message_ids);
  if (!scores) return fail(scores.error());
  auto seeds = store.get_seed_prompts(scope, prompt_ids).get();
  if (!seeds) return fail(seeds.error());
  std::unordered_map<std::string_view, const memory::SeedPrompt*> seed_of;
  for (const auto& p : *seeds) seed_of[p.id] = &p;
  std::unordered_map<std::string_view, std::vector<const memory::Message*>> messages_of;
  for (const auto& m : *messages) messages_of[m.conversation_id].push_back(&m);
  std::unordered_map<std::string_view, std::vector<const memory::Score*>> scores_of;
  for (const auto& sc : *scores) scores_of[sc.message_id].push_back(&sc);
  for (std::size_t i = 0; i < finished.size(); ++i) {
    const auto& w = *finished[i];
    report::Attempt a;
    a.work_item_id = w.id;
    a.conversation_id = conversations[i];
    a.prompt_id = w.prompt_id;
    a.chain_index = w.chain_index;
    a.attempt = w.attempt;
    a.chain = w.chain_index >= 0 && static_cast<std::size_t>(w.chain_index) < chains.size()
                  ? chains[static_cast<std::size_t>(w.chain_index)]
                  : "chain " + std::to_string(w.chain_index);
    a.error = w.error;
    if (auto it = seed_of.find(w.prompt_id); it != seed_of.end()) {
      a.prompt = it->second->value;
      a.dataset_id = it->second->dataset_id;
      json::error_code ec;
      auto harms = json::parse(it->second->harm_categories, ec);
      if (!ec && harms.is_array())
        for (const auto& h : harms.as_array())
          if (h.is_string()) a.harm_categories.emplace_back(h.as_string());
    }
    std::optional<std::string> verdict;
    for (const auto* m : messages_of[conversations[i]]) {
      if (m->role == "user" && a.sent.empty()) {
        a.sent = m->converted_value;
        if (a.prompt.empty()) a.prompt = m->original_value;
      }
      if (m->role == "assistant") a.reply = m->converted_value;
      for (const auto* sc : scores_of[m->id]) {
        report::ScoreLine line{sc->scorer_type, sc->override_value.value_or(sc->value),
                               sc->rationale, false, sc->override_value.has_value()};
        json::error_code ec;
        auto meta = json::parse(sc->metadata, ec);
        line.objective = !ec && meta.is_object() && meta.as_object().contains("objective") &&
                         meta.as_object().at("objective") == true;
        if (line.objective) verdict = line.value;
        a.scores.push_back(std::move(line));
      }
    }
    if (w.status == "failed")
      a.outcome = "error";
    else if (verdict == "true")
      a.outcome = "achieved";
    else if (verdict == "false")
      a.outcome = "not_achieved";
    else if (!verdict && w.achieved)
      a.outcome = *w.achieved ? "achieved" : "not_achieved";
    else
      a.outcome = "undetermined";
    in.attempts.push_back(std::move(a));
  }
  return {};
}

}  // namespace

Result<report::Input> report_input(memory::Store& store, const memory::Scope& scope,
                                   const std::string& execution_id) {
  auto e = store.get_execution(scope, execution_id);
  if (!e) return fail(e.error());
  json::error_code ec;
  auto snap = json::parse(e->snapshot, ec);
  const json::object empty;
  const auto& snapshot = !ec && snap.is_object() ? snap.as_object() : empty;
  report::Input in;
  in.execution = info_of(*e, snapshot);
  std::vector<std::string> chains;
  if (const auto* d = snapshot.if_contains("definition"); d && d->is_object())
    chains = chain_names(d->as_object());
  PageRequest page;
  page.limit = kMaxPageLimit;
  for (;;) {
    auto items = store.list_work_items(scope, e->id, memory::WorkItemFilter{}, page);
    if (!items) return fail(items.error());
    if (auto ok = add_attempts(store, scope, items->items, chains, in); !ok)
      return fail(ok.error());
    if (in.attempts.size() > kMaxAttempts)
      return fail(Error(ErrorCode::unprocessable,
                        "the execution has more than " + std::to_string(kMaxAttempts) +
                            " finished work items: read its results page by page "
                            "(GET /api/v1/executions/{id}/results)"));
    if (!items->next) break;
    page.after = items->next;
  }
  return in;
}

}  // namespace redcell::api
