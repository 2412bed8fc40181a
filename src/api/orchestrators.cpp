// /api/v1/orchestrators: attack definitions. Creating one equal (after normalization, name
// included) to one the caller already has answers 200 with the existing one.
#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "api/templates.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "engine/definition.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

boost::json::object orchestrator_json(const memory::Orchestrator& o) {
  boost::json::object out{{"id", o.id}};
  auto def = boost::json::parse(o.definition);
  if (def.is_object())
    for (const auto& kv : def.as_object()) out[kv.key()] = kv.value();
  out["config_hash"] = o.config_hash;
  out["created_at"] = format_time(o.created_at);
  out["updated_at"] = format_time(o.updated_at);
  return out;
}

// The JSON answers of orchestrators read from the store's memory, kept with the row they
// were rendered from: a row never changes in place, so an equal row renders the same.
class RenderedOrchestrators {
 public:
  std::string body(const memory::Orchestrator& o) {
    {
      std::lock_guard lock(mu_);
      if (auto it = kept_.find(o.id); it != kept_.end() && it->second.owner == o.owner &&
                                      it->second.definition == o.definition &&
                                      it->second.updated_at == o.updated_at)
        return it->second.body;
    }
    std::string body = boost::json::serialize(orchestrator_json(o));
    std::lock_guard lock(mu_);
    if (kept_.size() >= kMax) kept_.clear();
    kept_[o.id] = Kept{o.owner, o.definition, o.updated_at, body};
    return body;
  }

 private:
  struct Kept {
    std::string owner, definition;
    TimePoint updated_at;
    std::string body;
  };
  static constexpr std::size_t kMax = 1024;
  std::mutex mu_;
  std::unordered_map<std::string, Kept> kept_;
};

// The target and datasets a definition names must be the caller's; a version, if given,
// must exist. Another user's id reads as unknown, like a missing one.
Result<void> check_references(const Services& s, const memory::Scope& scope,
                              const OrchestratorDefinition& d) {
  if (auto t = s.store.get_target(scope, d.target_id); !t) {
    if (t.error().code() != ErrorCode::not_found) return fail(t.error());
    return fail(Error::invalid("/target_id", boost::json::value(d.target_id),
                               "the id of one of your targets"));
  }
  for (std::size_t i = 0; i < d.datasets.size(); ++i) {
    auto ds = s.store.get_dataset(scope, d.datasets[i].id, d.datasets[i].version);
    if (ds) continue;
    if (ds.error().code() != ErrorCode::not_found) return fail(ds.error());
    return fail(Error::invalid(
        "/datasets/" + std::to_string(i), boost::json::value(d.datasets[i].id),
        d.datasets[i].version ? "one of your datasets with that version" : "one of your datasets"));
  }
  // The helper LLMs of LLM-backed converters and scorers must be the caller's targets too.
  auto mine = [&](const std::vector<std::string>& ids, const std::string& at) -> Result<void> {
    for (const auto& id : ids) {
      auto t = s.store.get_target(scope, id);
      if (t) continue;
      if (t.error().code() != ErrorCode::not_found) return fail(t.error());
      return fail(Error::invalid(at + "/params/target_id", boost::json::value(id),
                                 "the id of one of your targets"));
    }
    return {};
  };
  if (!d.adversarial_target_id.empty()) {
    if (auto t = s.store.get_target(scope, d.adversarial_target_id); !t) {
      if (t.error().code() != ErrorCode::not_found) return fail(t.error());
      return fail(Error::invalid("/adversarial_target_id",
                                 boost::json::value(d.adversarial_target_id),
                                 "the id of one of your targets"));
    }
  }
  for (std::size_t c = 0; c < d.converter_chains.size(); ++c) {
    const auto& chain = d.converter_chains[c].as_array();
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const std::string at = "/converter_chains/" + std::to_string(c) + "/" + std::to_string(i);
      auto info = s.converters.validate(chain[i], at);
      if (!info) return fail(info.error());
      if (auto ok = mine(info->helper_targets, at); !ok) return ok;
    }
  }
  for (std::size_t i = 0; i < d.scorers.size(); ++i) {
    auto info = s.scorers.validate(d.scorers[i], "/scorers/" + std::to_string(i));
    if (!info) return fail(info.error());
    if (auto ok = mine(info->helper_targets, "/scorers/" + std::to_string(i)); !ok) return ok;
  }
  for (const auto& [spec, at] : {std::pair{&d.refusal_scorer, "/refusal_scorer"},
                                 std::pair{&d.rank_scorer, "/rank_scorer"}}) {
    if (spec->empty()) continue;
    auto info = s.scorers.validate(*spec, at);
    if (!info) return fail(info.error());
    if (auto ok = mine(info->helper_targets, at); !ok) return ok;
  }
  return {};
}

// Scorers written as {"config_id": ID} become the saved config's {"type", "params"}: the
// orchestrator keeps a copy, so a later change to the saved config does not change it.
Result<boost::json::value> with_saved_scorers(const Services& s, const memory::Scope& scope,
                                              boost::json::value body) {
  if (!body.is_object()) return body;
  auto* scorers = body.as_object().if_contains("scorers");
  if (!scorers || !scorers->is_array()) return body;
  auto& list = scorers->as_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) continue;
    const auto* id = list[i].as_object().if_contains("config_id");
    if (!id) continue;
    const std::string field = "/scorers/" + std::to_string(i) + "/config_id";
    if (!id->is_string() || list[i].as_object().size() != 1)
      return fail(Error::invalid(field, *id, "the id of one of your saved scorer configs, alone"));
    auto saved = s.store.get_scorer_config(scope, id->as_string());
    if (!saved) {
      if (saved.error().code() != ErrorCode::not_found) return fail(saved.error());
      return fail(Error::invalid(field, *id, "the id of one of your saved scorer configs"));
    }
    list[i] = boost::json::parse(saved->scorer);
  }
  return body;
}

// text_jailbreak steps naming {"template_dataset"} get the stored template's text.
Result<boost::json::value> with_stored_templates(const Services& s, const memory::Scope& scope,
                                                 boost::json::value body) {
  if (!body.is_object()) return body;
  auto& o = body.as_object();
  if (auto* chain = o.if_contains("converters"))
    if (auto ok = resolve_stored_templates(s.store, scope, *chain, "/converters"); !ok)
      return fail(ok.error());
  if (auto* chains = o.if_contains("converter_chains"); chains && chains->is_array())
    for (std::size_t c = 0; c < chains->as_array().size(); ++c)
      if (auto ok = resolve_stored_templates(s.store, scope, chains->as_array()[c],
                                             "/converter_chains/" + std::to_string(c));
          !ok)
        return fail(ok.error());
  return body;
}

http::Response create(const Services& s, http::Request& req) {
  auto resolved = with_saved_scorers(s, scope_of(req), req.json);
  if (!resolved) return http::Response::error(resolved.error());
  resolved = with_stored_templates(s, scope_of(req), std::move(*resolved));
  if (!resolved) return http::Response::error(resolved.error());
  auto d = parse_definition(*resolved, s.converters, s.scorers);
  if (!d) return http::Response::error(d.error());
  auto scope = scope_of(req);
  if (auto ok = check_references(s, scope, *d); !ok) {
    // dataset_id is normalized into datasets/0; name the member the client wrote.
    Error e = ok.error();
    if (req.json.as_object().contains("dataset_id") && e.details() &&
        e.details()->field == "/datasets/0")
      e = Error::invalid("/dataset_id", e.details()->value, e.details()->expected);
    return http::Response::error(e);
  }
  memory::Orchestrator o;
  o.name = d->name;
  o.type = d->type;
  o.definition = canonical_json(d->to_json());
  auto stored = s.store.add_orchestrator(scope, std::move(o)).get();
  if (!stored) return http::Response::error(stored.error());
  if (!stored->reused)
    audit(s.store, req, "orchestrator.create", "orchestrator", stored->id,
          {{"name", stored->name}, {"type", stored->type}});
  return http::Response::json(stored->reused ? 200 : 201, orchestrator_json(*stored));
}

}  // namespace

void add_orchestrator_routes(http::Router& router, const Services& s) {
  http::RouteOptions opts;
  opts.summary =
      "Create an orchestrator; an identical definition you already have answers 200 with it";
  add_creating(
      router, "/api/v1/orchestrators", s.store, s.pool,
      [s](http::Request& req) { return create(s, req); }, opts);

  opts = {};
  opts.summary = "Your orchestrators";
  add_blocking(
      router, "GET", "/api/v1/orchestrators", s.pool,
      [s](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        return page_json(s.store.list_orchestrators(scope_of(req), *page), orchestrator_json);
      },
      opts);

  opts.summary = "One orchestrator with its normalized definition";
  add_blocking(
      router, "GET", "/api/v1/orchestrators/{id}", s.pool,
      [s](http::Request& req) {
        auto o = s.store.get_orchestrator(scope_of(req), req.param("id"));
        if (!o) return http::Response::error(o.error());
        return http::Response::json(200, orchestrator_json(*o));
      },
      opts,
      [s, rendered = std::make_shared<RenderedOrchestrators>()](
          http::Request& req) -> std::optional<http::Response> {
        auto o = s.store.cached_orchestrator(scope_of(req), req.param("id"));
        if (!o) return std::nullopt;
        http::Response r;
        r.body = rendered->body(*o);
        return r;
      });

  opts.summary = "Delete an orchestrator; its executions stay readable";
  add_blocking(
      router, "DELETE", "/api/v1/orchestrators/{id}", s.pool,
      [s](http::Request& req) {
        auto o = s.store.delete_orchestrator(scope_of(req), std::string(req.param("id"))).get();
        if (!o) return http::Response::error(o.error());
        audit(s.store, req, "orchestrator.delete", "orchestrator", o->id, {{"name", o->name}});
        return http::Response::json(200, orchestrator_json(*o));
      },
      opts);
}

}  // namespace redcell::api
