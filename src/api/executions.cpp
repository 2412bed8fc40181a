// Executions: POST /orchestrators/{id}/executions starts one (202) or reports a dry run;
// GET /executions[/{id}], cancel, resume, DELETE (purges its results), and
// GET /executions/{id}/results (paged conversations with messages and scores).
#include <boost/json.hpp>
#include <unordered_map>

#include "api/execution_events.hpp"
#include "api/handlers.hpp"
#include "api/records.hpp"
#include "api/reports.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "engine/execution_runner.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

boost::json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? boost::json::value(format_time(*t)) : boost::json::value(nullptr);
}

boost::json::object execution_json(const memory::Execution& e) {
  const auto& c = e.counts;
  boost::system::error_code ec;
  auto snap = boost::json::parse(e.snapshot, ec);
  boost::json::object o{
      {"id", e.id},
      {"orchestrator_id", e.orchestrator_id},
      {"status", e.status},
      {"counts",
       {{"total", c.total},
        {"sent", c.sent},
        {"errors", c.errors},
        {"scored", c.scored},
        {"achieved", c.achieved},
        {"undetermined", c.undetermined}}},
      {"attack_success_rate", c.scored > 0 ? boost::json::value(static_cast<double>(c.achieved) /
                                                                static_cast<double>(c.scored))
                                           : boost::json::value(nullptr)},
      {"error", e.error.empty() ? boost::json::value(nullptr) : boost::json::value(e.error)},
      {"created_at", format_time(e.created_at)},
      {"started_at", time_or_null(e.started_at)},
      {"finished_at", time_or_null(e.finished_at)},
      {"updated_at", format_time(e.updated_at)}};
  if (!ec && snap.is_object()) {
    if (const auto* t = snap.as_object().if_contains("target")) o["target"] = *t;
    if (const auto* d = snap.as_object().if_contains("datasets")) o["datasets"] = *d;
    if (const auto* l = snap.as_object().if_contains("labels")) o["labels"] = *l;
  }
  return o;
}

http::Response start(const Services& s, ExecutionRunner& runner, http::Request& req) {
  auto body = JsonInput::of(req.json, "", "an object {\"dry_run\"?, \"labels\"?}");
  if (!body) return http::Response::error(body.error());
  if (auto ok = body->only({"dry_run", "labels"}, {"id", "status", "counts", "orchestrator_id"});
      !ok)
    return http::Response::error(ok.error());
  auto dry = body->boolean("dry_run", false);
  if (!dry) return http::Response::error(dry.error());
  auto labels = body->opt_object("labels");
  if (!labels) return http::Response::error(labels.error());
  for (const auto& kv : *labels)
    if (!kv.value().is_string())
      return http::Response::error(
          Error::invalid("/labels/" + json_pointer_token(kv.key()), kv.value(), "a string"));
  const std::string orchestrator(req.param("id"));
  if (*dry) {
    auto r = runner.dry_run(scope_of(req), orchestrator);
    if (!r) return http::Response::error(r.error());
    return http::Response::json(200, {{"dry_run", true},
                                      {"work_items", r->work_items},
                                      {"estimated_prompt_tokens", r->estimated_prompt_tokens}});
  }
  auto e = runner.start(scope_of(req), orchestrator, StartRequest{false, *labels});
  if (!e) return error_with_retry(e.error(), "30");
  audit(s.store, req, "execution.start", "execution", e->id,
        {{"orchestrator_id", orchestrator}, {"total", e->counts.total}});
  auto r = http::Response::json(202, execution_json(*e));
  r.headers.emplace_back("Location", "/api/v1/executions/" + e->id);
  return r;
}

// One conversation of a work item with its messages (each with its scores, already read);
// achieved from the objective score's effective value (a human override wins).
boost::json::object conversation_json(const memory::WorkItem& w, const std::string& conversation,
                                      boost::json::array messages) {
  boost::json::value achieved = nullptr;
  for (const auto& m : messages)
    for (const auto& sc : m.at("scores").as_array()) {
      const auto& meta = sc.at("metadata");
      if (meta.is_object() && meta.as_object().contains("objective") &&
          meta.at("objective") == true)
        achieved = sc.at("effective_value") == "undetermined"
                       ? boost::json::value(nullptr)
                       : boost::json::value(sc.at("effective_value") == "true");
    }
  return boost::json::object{
      {"conversation_id", conversation},
      {"work_item_id", w.id},
      {"prompt_id", w.prompt_id},
      {"chain_index", w.chain_index},
      {"attempt", w.attempt},
      {"status", w.status},
      {"error", w.error.empty() ? boost::json::value(nullptr) : boost::json::value(w.error)},
      {"achieved", achieved},
      {"messages", std::move(messages)}};
}

// The finished items of a page with their conversations: the messages of every
// conversation in one read, their scores in another (a fixed number of queries per page,
// not a few per item).
Result<boost::json::array> conversations_json(memory::Store& store, const memory::Scope& scope,
                                              const std::vector<memory::WorkItem>& items) {
  std::vector<const memory::WorkItem*> finished;
  std::vector<std::string> conversation_ids;
  for (const auto& w : items) {
    if (w.status != "done" && w.status != "failed") continue;
    finished.push_back(&w);
    conversation_ids.push_back(w.conversation_id.empty() ? w.id : w.conversation_id);
  }
  auto messages = store.messages_of_conversations(scope, conversation_ids);
  if (!messages) return fail(messages.error());
  std::vector<std::string> message_ids;
  message_ids.reserve(messages->size());
  for (const auto& m : *messages) message_ids.push_back(m.id);
  auto scores = store.scores_of_messages(scope, message_ids);
  if (!scores) return fail(scores.error());
  std::unordered_map<std::string_view, boost::json::array> scores_of;
  for (const auto& sc : *scores) scores_of[sc.message_id].push_back(score_json(sc));
  std::unordered_map<std::string_view, boost::json::array> messages_of;
  for (const auto& m : *messages) {
    auto json = message_json(m);
    auto it = scores_of.find(m.id);
    json["scores"] = it == scores_of.end() ? boost::json::array() : std::move(it->second);
    messages_of[m.conversation_id].push_back(std::move(json));
  }
  boost::json::array out;
  for (std::size_t i = 0; i < finished.size(); ++i) {
    auto it = messages_of.find(conversation_ids[i]);
    out.push_back(
        conversation_json(*finished[i], conversation_ids[i],
                          it == messages_of.end() ? boost::json::array() : std::move(it->second)));
  }
  return out;
}

// Whether the execution carries every label of ?label=key:value (repeatable as
// comma-separated pairs).
Result<bool> labels_match(const memory::Execution& e, const std::string& wanted) {
  boost::system::error_code ec;
  auto snap = boost::json::parse(e.snapshot, ec);
  const boost::json::object* labels = nullptr;
  if (!ec && snap.is_object())
    if (const auto* l = snap.as_object().if_contains("labels"); l && l->is_object())
      labels = &l->as_object();
  std::size_t at = 0;
  while (at <= wanted.size()) {
    auto end = wanted.find(',', at);
    if (end == std::string::npos) end = wanted.size();
    const std::string pair = wanted.substr(at, end - at);
    auto colon = pair.find(':');
    if (colon == std::string::npos || colon == 0)
      return fail(Error::invalid("/query/label", boost::json::value(wanted),
                                 "key:value pairs separated by commas"));
    const auto* v = labels ? labels->if_contains(pair.substr(0, colon)) : nullptr;
    if (!v || !v->is_string() || v->as_string() != pair.substr(colon + 1)) return false;
    at = end + 1;
  }
  return true;
}

http::Response results(const Services& s, http::Request& req) {
  auto scope = scope_of(req);
  auto e = s.store.get_execution(scope, req.param("id"));
  if (!e) return http::Response::error(e.error());
  auto page = page_of(req);
  if (!page) return http::Response::error(page.error());
  memory::WorkItemFilter filter;
  auto err = bool_param(req, "error");
  if (!err) return http::Response::error(err.error());
  if (*err) filter.status = **err ? "failed" : "done";
  auto achieved = bool_param(req, "achieved");
  if (!achieved) return http::Response::error(achieved.error());
  filter.achieved = *achieved;
  auto undetermined = bool_param(req, "undetermined");
  if (!undetermined) return http::Response::error(undetermined.error());
  if (undetermined->value_or(false) && filter.achieved)
    return http::Response::error(Error::invalid("/query/undetermined", boost::json::value(true),
                                                "either undetermined or achieved, not both"));
  filter.undetermined = undetermined->value_or(false);
  if (auto chain = req.query_param("chain")) {
    int n = -1;
    if (chain->empty() || chain->size() > 6 ||
        chain->find_first_not_of("0123456789") != std::string::npos)
      return http::Response::error(Error::invalid("/query/chain", boost::json::value(*chain),
                                                  "the index of a converter chain (0, 1, ...)"));
    n = std::stoi(*chain);
    filter.chain_index = n;
  }
  filter.harm_category = req.query_param("harm_category");
  boost::json::array out;
  std::optional<Cursor> next;
  bool labelled = true;
  if (auto label = req.query_param("label")) {
    auto ok = labels_match(*e, *label);
    if (!ok) return http::Response::error(ok.error());
    labelled = *ok;
  }
  if (labelled) {
    auto items = s.store.list_work_items(scope, e->id, filter, *page);
    if (!items) return http::Response::error(items.error());
    next = items->next;
    auto conversations = conversations_json(s.store, scope, items->items);
    if (!conversations) return http::Response::error(conversations.error());
    out = std::move(*conversations);
  }
  return http::Response::json(
      200, {{"items", std::move(out)},
            {"next_cursor", next ? boost::json::value(encode_cursor(*next)) : nullptr}});
}

// ?status=, ?orchestrator_id=, ?target_id=, ?created_after=, ?created_before= (RFC 3339),
// ?label=key:value.
Result<memory::ExecutionFilter> execution_filter(const http::Request& req) {
  memory::ExecutionFilter f;
  f.status = req.query_param("status");
  f.orchestrator_id = req.query_param("orchestrator_id");
  f.target_id = req.query_param("target_id");
  for (auto [name, out] : {std::pair{"created_after", &f.created_after},
                           std::pair{"created_before", &f.created_before}}) {
    auto text = req.query_param(name);
    if (!text) continue;
    auto t = parse_time(*text, std::string("/query/") + name);
    if (!t) return fail(t.error());
    *out = *t;
  }
  if (auto label = req.query_param("label")) {
    auto colon = label->find(':');
    std::string key = label->substr(0, colon);
    bool plain = !key.empty() && key.size() <= 64 &&
                 key.find_first_not_of(
                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_.-") == std::string::npos;
    if (colon == std::string::npos || !plain)
      return fail(Error::invalid("/query/label", boost::json::value(*label),
                                 "key:value, the key of letters, digits, _ . - (at most 64)"));
    f.label = std::pair{key, label->substr(colon + 1)};
  }
  return f;
}

// Start, list, read, cancel and resume.
void add_lifecycle_routes(http::Router& router, const Services& s, ExecutionRunner& runner) {
  http::RouteOptions opts;
  opts.summary = "Start an execution of an orchestrator (202), or {\"dry_run\": true} to count it";
  add_creating(
      router, "/api/v1/orchestrators/{id}/executions", s.store, s.pool,
      [s, &runner](http::Request& req) { return start(s, runner, req); }, opts);

  opts = {};
  opts.summary =
      "Your executions (?status=, ?orchestrator_id=, ?target_id=, ?created_after=, "
      "?created_before=, ?label=key:value)";
  add_blocking(
      router, "GET", "/api/v1/executions", s.pool,
      [s](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        auto f = execution_filter(req);
        if (!f) return http::Response::error(f.error());
        return page_json(s.store.list_executions(scope_of(req), *f, *page), execution_json);
      },
      opts);

  opts.summary = "One execution: status and counts";
  add_blocking(
      router, "GET", "/api/v1/executions/{id}", s.pool,
      [s](http::Request& req) {
        auto e = s.store.get_execution(scope_of(req), req.param("id"));
        if (!e) return http::Response::error(e.error());
        return http::Response::json(200, execution_json(*e));
      },
      opts);

  opts.summary = "Stop new sends; the execution ends cancelled";
  add_blocking(
      router, "POST", "/api/v1/executions/{id}/cancel", s.pool,
      [s, &runner](http::Request& req) {
        auto e = runner.cancel(scope_of(req), std::string(req.param("id")));
        if (!e) return http::Response::error(e.error());
        audit(s.store, req, "execution.cancel", "execution", e->id);
        return http::Response::json(202, execution_json(*e));
      },
      opts);

  opts.summary = "Stop new sends; the execution ends interrupted and can be resumed";
  add_blocking(
      router, "POST", "/api/v1/executions/{id}/pause", s.pool,
      [s, &runner](http::Request& req) {
        auto e = runner.pause(scope_of(req), std::string(req.param("id")));
        if (!e) return http::Response::error(e.error());
        audit(s.store, req, "execution.pause", "execution", e->id);
        return http::Response::json(202, execution_json(*e));
      },
      opts);

  opts.summary = "Continue an interrupted execution";
  add_blocking(
      router, "POST", "/api/v1/executions/{id}/resume", s.pool,
      [s, &runner](http::Request& req) {
        auto e = runner.resume(scope_of(req), std::string(req.param("id")));
        if (!e) return http::Response::error(e.error());
        audit(s.store, req, "execution.resume", "execution", e->id);
        return http::Response::json(202, execution_json(*e));
      },
      opts);
}

// What an execution left: results, attack results, and its deletion.
void add_result_routes(http::Router& router, const Services& s) {
  http::RouteOptions opts;
  opts.summary =
      "Conversations of an execution with messages and scores (?achieved=, ?undetermined=, "
      "?error=, ?chain=, ?harm_category=, ?label=key:value)";
  add_blocking(
      router, "GET", "/api/v1/executions/{id}/results", s.pool,
      [s](http::Request& req) { return results(s, req); }, opts);

  opts.summary =
      "Outcomes of an execution's multi-turn attacks (red_teaming): objective, outcome, turns, "
      "final score and the attacker's conversation";
  add_blocking(
      router, "GET", "/api/v1/executions/{id}/attack-results", s.pool,
      [s](http::Request& req) {
        auto scope = scope_of(req);
        auto e = s.store.get_execution(scope, req.param("id"));
        if (!e) return http::Response::error(e.error());
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        return page_json(
            s.store.list_attack_results(scope, e->id, *page), [](const memory::AttackResult& a) {
              boost::system::error_code ec;
              auto meta = boost::json::parse(a.metadata, ec);
              return boost::json::object{
                  {"id", a.id},
                  {"execution_id", a.execution_id},
                  {"conversation_id", a.conversation_id},
                  {"objective", a.objective},
                  {"outcome", a.outcome},
                  {"turns", a.turns},
                  {"metadata", ec ? boost::json::value(boost::json::object()) : std::move(meta)},
                  {"created_at", format_time(a.created_at)}};
            });
      },
      opts);

  opts.summary =
      "Server-sent events of an execution: started, item_done, item_failed, counters, "
      "finished; resumable with Last-Event-ID";
  add_blocking(
      router, "GET", "/api/v1/executions/{id}/events", s.pool,
      [s](http::Request& req) {
        EventSources sources{s.store, s.pool, s.timers};
        auto items = bool_param(req, "items");
        if (!items) return http::Response::error(items.error());
        auto stream = execution_events(sources, scope_of(req), std::string(req.param("id")),
                                       req.header("Last-Event-ID"), items->value_or(true));
        if (!stream) return http::Response::error(stream.error());
        http::Response r;
        r.content_type = "text/event-stream";
        r.headers.emplace_back("X-Accel-Buffering", "no");
        r.stream = std::move(*stream);
        return r;
      },
      opts);

  opts.summary = "Delete an execution with its conversations and scores";
  add_blocking(
      router, "DELETE", "/api/v1/executions/{id}", s.pool,
      [s](http::Request& req) {
        const std::string id(req.param("id"));
        auto e = s.store.get_execution(scope_of(req), id);
        if (!e) return http::Response::error(e.error());
        if (e->status == "running" || e->status == "queued")
          return http::Response::error(
              Error(ErrorCode::conflict, "the execution is " + e->status + "; cancel it first"));
        auto n = s.store.delete_execution(scope_of(req), id).get();
        if (!n) return http::Response::error(n.error());
        audit(s.store, req, "execution.delete", "execution", id, {{"messages", *n}});
        return http::Response::json(200, {{"id", id}, {"deleted_messages", *n}});
      },
      opts);
}

}  // namespace

// ?format=json|csv|junit|sarif|html|markdown; ?source_file= names the scan file SARIF
// results point at.
http::Response report_of(const Services& s, const http::Request& req) {
  const auto name = req.query_param("format").value_or("json");
  auto format = report::format_from_string(name);
  if (!format)
    return http::Response::error(Error::invalid("/query/format", boost::json::value(name),
                                                "json, csv, junit, sarif, html or markdown"));
  auto in = report_input(s.store, scope_of(req), std::string(req.param("id")));
  if (!in) return http::Response::error(in.error());
  if (auto file = req.query_param("source_file")) {
    if (file->empty() || file->size() > 300)
      return http::Response::error(Error::invalid("/query/source_file", boost::json::value(*file),
                                                  "a file path of 1 to 300 bytes"));
    in->source_file = *file;
  }
  auto r = http::Response::text(200, report::render(*in, *format),
                                std::string(report::content_type(*format)));
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"redcell-" +
                                                    in->execution.id + "." +
                                                    std::string(report::extension(*format)) + "\"");
  return r;
}

void add_execution_routes(http::Router& router, const Services& s, ExecutionRunner& runner) {
  add_lifecycle_routes(router, s, runner);
  add_result_routes(router, s);
  http::RouteOptions opts;
  opts.summary =
      "An execution's report: ?format=json (default), csv, junit, sarif, html (one "
      "self-contained file) or markdown";
  add_blocking(
      router, "GET", "/api/v1/executions/{id}/report", s.pool,
      [s](http::Request& req) { return report_of(s, req); }, opts);
}

}  // namespace redcell::api
