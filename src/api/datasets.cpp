// /api/v1/datasets: versioned collections of seed prompts. Changing the prompts makes a new
// version; the old versions stay readable, and an execution records the version it used.
#include <boost/json.hpp>
#include <charconv>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

constexpr std::size_t kMaxPrompts = 100'000;

boost::json::object dataset_json(const memory::Dataset& d) {
  return {
      {"id", d.id},           {"name", d.name},          {"description", d.description},
      {"version", d.version}, {"count", d.prompt_count}, {"created_at", format_time(d.created_at)}};
}

boost::json::object prompt_json(const memory::SeedPrompt& p) {
  return {{"id", p.id},
          {"position", p.position},
          {"value", p.value},
          {"data_type", p.data_type},
          {"harm_categories", boost::json::parse(p.harm_categories)},
          {"metadata", boost::json::parse(p.metadata)}};
}

// "prompts": [ "text" | {"value", "harm_categories"?, "data_type"?, "metadata"?} ].
Result<std::vector<memory::SeedPrompt>> prompts_of(const JsonInput& body) {
  const auto* v = body.get("prompts");
  if (!v || !v->is_array() || v->as_array().empty() || v->as_array().size() > kMaxPrompts)
    return fail(Error::invalid("/prompts", v ? *v : boost::json::value(nullptr),
                               "an array of 1 to " + std::to_string(kMaxPrompts) +
                                   " prompts, each a string or {\"value\", \"harm_categories\"?}"));
  std::vector<memory::SeedPrompt> out;
  const auto& arr = v->as_array();
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string at = "/prompts/" + std::to_string(i);
    memory::SeedPrompt p;
    if (arr[i].is_string()) {
      if (arr[i].as_string().empty()) return fail(Error::invalid(at, arr[i], "a non-empty prompt"));
      p.value = std::string(arr[i].as_string());
      out.push_back(std::move(p));
      continue;
    }
    auto in = JsonInput::of(arr[i], at, "a string or {\"value\", \"harm_categories\"?}");
    if (!in) return fail(in.error());
    if (auto ok = in->only({"value", "harm_categories", "data_type", "metadata"},
                           {"id", "position", "owner", "dataset_id", "version"});
        !ok)
      return fail(ok.error());
    auto value = in->string("value", 1'000'000);
    if (!value) return fail(value.error());
    auto harms = in->strings("harm_categories", 100, 200);
    if (!harms) return fail(harms.error());
    auto type = in->opt_string("data_type", 50);
    if (!type) return fail(type.error());
    auto metadata = in->opt_object("metadata");
    if (!metadata) return fail(metadata.error());
    p.value = std::move(*value);
    boost::json::array h;
    for (auto& c : *harms) h.emplace_back(c);
    p.harm_categories = boost::json::serialize(h);
    p.data_type = type->value_or("text");
    p.metadata = boost::json::serialize(*metadata);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::optional<int>> version_of(const http::Request& req) {
  auto v = req.query_param("version");
  if (!v) return std::optional<int>();
  int n = 0;
  const auto* end = v->data() + v->size();
  auto [p, ec] = std::from_chars(v->data(), end, n);
  if (ec == std::errc{} && p == end && n >= 1) return std::optional<int>(n);
  return fail(Error::invalid("/query/version", boost::json::value(*v), "a version number >= 1"));
}

// The per-user cap on stored prompts (--max-stored-prompts), checked before each write.
std::optional<Error> over_prompt_quota(const Services& s, const http::Request& req,
                                       std::size_t adding) {
  auto stored = s.store.count_stored_prompts(scope_of(req));
  if (!stored) return stored.error();
  if (*stored + static_cast<std::int64_t>(adding) <= s.max_stored_prompts) return std::nullopt;
  return Error::invalid("/prompts", std::nullopt,
                        "at most " + std::to_string(s.max_stored_prompts) +
                            " stored prompts per user (every version of your datasets counts)",
                        "this would store " + std::to_string(adding) + " prompts beside your " +
                            std::to_string(*stored) + ", above this server's quota of " +
                            std::to_string(s.max_stored_prompts) +
                            " per user: delete datasets you no longer need, or ask the operator "
                            "to raise --max-stored-prompts");
}

http::Response create(const Services& s, http::Request& req) {
  auto body = JsonInput::of(req.json, "", "a dataset {\"name\", \"prompts\": [...]}");
  if (!body) return http::Response::error(body.error());
  if (auto ok = body->only({"name", "description", "prompts"},
                           {"id", "owner", "version", "count", "created_at"});
      !ok)
    return http::Response::error(ok.error());
  auto name = body->string("name", 200);
  if (!name) return http::Response::error(name.error());
  auto description = body->opt_string("description", 10000, true);
  if (!description) return http::Response::error(description.error());
  auto prompts = prompts_of(*body);
  if (!prompts) return http::Response::error(prompts.error());
  if (auto over = over_prompt_quota(s, req, prompts->size())) return http::Response::error(*over);
  memory::Dataset d;
  d.name = *name;
  d.description = description->value_or("");
  auto stored = s.store.add_dataset(scope_of(req), std::move(d), std::move(*prompts)).get();
  if (!stored) return http::Response::error(stored.error());
  audit(s.store, req, "dataset.create", "dataset", stored->id,
        {{"name", stored->name}, {"version", stored->version}, {"count", stored->prompt_count}});
  return http::Response::json(201, dataset_json(*stored));
}

http::Response new_version(const Services& s, http::Request& req) {
  auto body = JsonInput::of(req.json, "", "{\"prompts\": [...]}");
  if (!body) return http::Response::error(body.error());
  if (auto ok = body->only({"prompts"}, {"id", "owner", "version", "count", "created_at"}); !ok)
    return http::Response::error(ok.error());
  auto prompts = prompts_of(*body);
  if (!prompts) return http::Response::error(prompts.error());
  if (auto over = over_prompt_quota(s, req, prompts->size())) return http::Response::error(*over);
  auto stored =
      s.store.add_dataset_version(scope_of(req), std::string(req.param("id")), std::move(*prompts))
          .get();
  if (!stored) return http::Response::error(stored.error());
  audit(s.store, req, "dataset.update", "dataset", stored->id,
        {{"version", stored->version}, {"count", stored->prompt_count}});
  return http::Response::json(201, dataset_json(*stored));
}

}  // namespace

void add_dataset_routes(http::Router& router, const Services& s) {
  http::RouteOptions opts;
  opts.summary = "Create a dataset (version 1) from prompts";
  add_creating(
      router, "/api/v1/datasets", s.store, s.pool,
      [s](http::Request& req) { return create(s, req); }, opts);

  opts.summary = "Replace a dataset's prompts: makes the next version";
  add_creating(
      router, "/api/v1/datasets/{id}/versions", s.store, s.pool,
      [s](http::Request& req) { return new_version(s, req); }, opts);

  opts = {};
  opts.summary = "Your datasets, each at its latest version";
  add_blocking(
      router, "GET", "/api/v1/datasets", s.pool,
      [s](http::Request& req) {
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        return page_json(s.store.list_datasets(scope_of(req), *page), dataset_json);
      },
      opts);

  opts.summary = "One dataset at its latest version, or ?version=N";
  add_blocking(
      router, "GET", "/api/v1/datasets/{id}", s.pool,
      [s](http::Request& req) {
        auto version = version_of(req);
        if (!version) return http::Response::error(version.error());
        auto d = s.store.get_dataset(scope_of(req), req.param("id"), *version);
        if (!d) return http::Response::error(d.error());
        return http::Response::json(200, dataset_json(*d));
      },
      opts);

  opts.summary = "A dataset's prompts in order (latest version, or ?version=N; ?q= searches)";
  add_blocking(
      router, "GET", "/api/v1/datasets/{id}/prompts", s.pool,
      [s](http::Request& req) {
        auto version = version_of(req);
        if (!version) return http::Response::error(version.error());
        auto page = page_of(req);
        if (!page) return http::Response::error(page.error());
        auto scope = scope_of(req);
        int v = version->value_or(0);
        if (v == 0) {
          auto d = s.store.get_dataset(scope, req.param("id"));
          if (!d) return http::Response::error(d.error());
          v = d->version;
        }
        auto q = req.query_param("q").value_or("");
        if (q.size() > 200)
          return http::Response::error(Error::invalid("/query/q", boost::json::value(q.size()),
                                                      "a search of at most 200 bytes"));
        return page_json(s.store.list_seed_prompts(scope, req.param("id"), v, *page, q),
                         prompt_json);
      },
      opts);

  opts.summary = "Delete a dataset; executions that used it stay readable";
  add_blocking(
      router, "DELETE", "/api/v1/datasets/{id}", s.pool,
      [s](http::Request& req) {
        auto d = s.store.delete_dataset(scope_of(req), std::string(req.param("id"))).get();
        if (!d) return http::Response::error(d.error());
        audit(s.store, req, "dataset.delete", "dataset", d->id, {{"name", d->name}});
        return http::Response::json(200, dataset_json(*d));
      },
      opts);
}

}  // namespace redcell::api
