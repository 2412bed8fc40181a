// /api/v1/scorer-configs: named scorer specs ({"type", "params"}) a user saves to reuse,
// each validated by its catalog entry when saved (nothing is built).
#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "memory/store.hpp"
#include "scorers/scorer.hpp"

namespace redcell::api {

namespace {

boost::json::object config_json(const memory::ScorerConfig& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"scorer", boost::json::parse(c.scorer)},
          {"created_at", format_time(c.created_at)},
          {"updated_at", format_time(c.updated_at)}};
}

// {"name", "scorer": {"type", "params"?}} -> the record, the scorer spec validated.
Result<memory::ScorerConfig> read_config(const Services& s, const boost::json::value& body) {
  auto in = JsonInput::of(body, "", "an object {\"name\", \"scorer\": {\"type\", \"params\"}}");
  if (!in) return fail(in.error());
  if (auto ok = in->only({"name", "scorer"}, {"id", "owner", "created_at", "updated_at"}); !ok)
    return fail(ok.error());
  auto name = in->string("name", 200);
  if (!name) return fail(name.error());
  const auto* spec = in->get("scorer");
  if (!spec) return fail(Error::invalid("/scorer", nullptr, "a scorer {\"type\", \"params\"}"));
  if (auto ok = s.scorers.validate(*spec, "/scorer"); !ok) return fail(ok.error());
  memory::ScorerConfig c;
  c.name = *name;
  c.scorer = canonical_json(*spec);
  return c;
}

}  // namespace

void add_scorer_config_routes(http::Router& router, const Services& s) {
  http::RouteOptions opts;
  opts.summary = "Save a scorer configuration {\"name\", \"scorer\": {\"type\", \"params\"}}";
  add_creating(
      router, "/api/v1/scorer-configs", s.store, s.pool,
      [s](http::Request& req) {
        auto c = read_config(s, req.json);
        if (!c) return http::Response::error(c.error());
        auto stored = s.store.add_scorer_config(scope_of(req), std::move(*c)).get();
        if (!stored) return http::Response::error(stored.error());
        audit(s.store, req, "scorer_config.create", "scorer_config", stored->id,
              {{"name", stored->name}});
        return http::Response::json(201, config_json(*stored));
      },
      opts);

  opts.summary = "Your saved scorer configurations";
  add_blocking(
      router, "GET", "/api/v1/scorer-configs", s.pool,
      [s](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        return page_json(s.store.list_scorer_configs(scope_of(req), *page), config_json);
      },
      opts);

  opts.summary = "One saved scorer configuration";
  add_blocking(
      router, "GET", "/api/v1/scorer-configs/{id}", s.pool,
      [s](http::Request& req) {
        auto c = s.store.get_scorer_config(scope_of(req), req.param("id"));
        if (!c) return http::Response::error(c.error());
        return http::Response::json(200, config_json(*c));
      },
      opts);

  opts.summary = "Replace a saved scorer configuration's name and scorer";
  opts.json_body = true;
  add_blocking(
      router, "PUT", "/api/v1/scorer-configs/{id}", s.pool,
      [s](http::Request& req) {
        auto scope = scope_of(req);
        auto current = s.store.get_scorer_config(scope, req.param("id"));
        if (!current) return http::Response::error(current.error());
        auto c = read_config(s, req.json);
        if (!c) return http::Response::error(c.error());
        c->id = current->id;
        auto stored = s.store.update_scorer_config(scope, std::move(*c)).get();
        if (!stored) return http::Response::error(stored.error());
        audit(s.store, req, "scorer_config.update", "scorer_config", stored->id,
              {{"name", stored->name}});
        return http::Response::json(200, config_json(*stored));
      },
      opts);

  opts = {};
  opts.summary = "Delete a saved scorer configuration";
  add_blocking(
      router, "DELETE", "/api/v1/scorer-configs/{id}", s.pool,
      [s](http::Request& req) {
        auto c = s.store.delete_scorer_config(scope_of(req), std::string(req.param("id"))).get();
        if (!c) return http::Response::error(c.error());
        audit(s.store, req, "scorer_config.delete", "scorer_config", c->id, {{"name", c->name}});
        return http::Response::json(200, config_json(*c));
      },
      opts);
}

}  // namespace redcell::api
