// /api/v1/datasets: versioned collections of seed prompts. Changing the prompts makes a new
// version; the old versions stay readable, and an execution records the version it used.
#include <boost/json.hpp>
#include <charconv>
#include <filesystem>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "datasets/import.hpp"
#include "datasets/starter.hpp"
#include "http/server/multipart.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

constexpr std::size_t kMaxPrompts = 100'000;
constexpr std::size_t kMaxImportPrompts = 1'000'000;

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
    auto harms = in->strings("harm_categories", 100, datasets::kMaxHarmCategoryBytes);
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

// A query parameter of at most `max` bytes ("" when absent).
Result<std::string> text_param(const http::Request& req, const char* name, std::size_t max) {
  auto v = req.query_param(name).value_or("");
  if (v.size() > max)
    return fail(Error::invalid(std::string("/query/") + name, boost::json::value(v.size()),
                               "at most " + std::to_string(max) + " bytes"));
  return std::string(v);
}

Result<datasets::ImportOptions> import_options(const http::Request& req) {
  datasets::ImportOptions o;
  o.max_prompts = kMaxImportPrompts;
  if (auto f = req.query_param("format"); f && !f->empty()) {
    o.format = datasets::format_from_string(*f);
    if (!o.format)
      return fail(Error::invalid(
          "/query/format", boost::json::value(*f),
          "one of " + datasets::format_names() + " (or none: detected from the file)"));
  }
  const std::pair<const char*, std::string*> texts[] = {
      {"filename", &o.filename},
      {"value_field", &o.mapping.value},
      {"harm_categories_field", &o.mapping.harm_categories},
      {"data_type_field", &o.mapping.data_type}};
  for (const auto& [name, into] : texts) {
    auto v = text_param(req, name, 255);
    if (!v) return fail(v.error());
    *into = std::move(*v);
  }
  return o;
}

// What an import would store: its format, fields, count and first 20 prompts.
boost::json::object import_preview(const datasets::FileSummary& d) {
  boost::json::array preview;
  for (std::size_t i = 0; i < d.first.size(); ++i) {
    auto p = d.first[i];
    p.position = static_cast<std::int64_t>(i);
    auto item = prompt_json(p);
    item.erase("id");  // not stored: no id yet
    preview.push_back(std::move(item));
  }
  boost::json::array fields;
  for (const auto& f : d.fields) fields.emplace_back(f);
  return {{"dry_run", true},
          {"format", datasets::to_string(d.format)},
          {"name", d.name},
          {"description", d.description},
          {"fields", std::move(fields)},
          {"count", d.count},
          {"preview", std::move(preview)}};
}

// The file is the body (spooled to a temp file by the server, never held in memory). A new
// dataset, or with ?dataset_id= the next version of one; with ?dry_run=true only what would
// be stored. All or nothing: a first pass checks every line, a second stores the prompts
// batch by batch in one transaction, so a bad line stores nothing.
// A browser form's upload (multipart/form-data): its file part, copied out of the spooled
// body; none for any other body. Other multipart types are refused (415).
Result<std::shared_ptr<http::SpooledFile>> form_file(const http::Request& req,
                                                     datasets::ImportOptions& options) {
  auto ct = req.header("Content-Type");
  if (!ct || ct->find("multipart/") == std::string_view::npos) return nullptr;
  if (ct->rfind("multipart/form-data", 0) != 0 || !req.body_file)
    return fail(
        Error(ErrorCode::unsupported_media_type,
              "send the file as the body (its name in ?filename=) or as a multipart/form-data "
              "form's file field",
              ErrorDetails{"/headers/content-type", boost::json::value(std::string(*ct)),
                           "the file's own type (text/csv, application/yaml...) or "
                           "multipart/form-data"}));
  auto boundary = http::form_boundary(*ct);
  if (!boundary) return fail(boundary.error());
  auto part = http::SpooledFile::create();
  if (!part) return fail(part.error());
  auto file = http::extract_form_file(req.body_file->path, *boundary, (*part)->path);
  if (!file) return fail(file.error());
  if (options.filename.empty()) options.filename = file->filename.substr(0, 255);
  return std::move(*part);
}

http::Response import(const Services& s, http::Request& req) {
  auto options = import_options(req);
  if (!options) return http::Response::error(options.error());
  auto form = form_file(req, *options);
  if (!form) return http::Response::error(form.error());
  auto dry = bool_param(req, "dry_run");
  if (!dry) return http::Response::error(dry.error());
  auto name = text_param(req, "name", 200);
  if (!name) return http::Response::error(name.error());
  auto into = text_param(req, "dataset_id", 100);
  if (!into) return http::Response::error(into.error());
  auto starter = text_param(req, "starter", 100);
  if (!starter) return http::Response::error(starter.error());
  std::error_code ec;
  const std::string path = *form           ? (*form)->path
                           : req.body_file ? req.body_file->path
                                           : std::string();
  const bool has_body =
      !req.body.empty() || (!path.empty() && std::filesystem::file_size(path, ec) > 0 && !ec);
  std::optional<datasets::ImportedDataset> whole;  // a starter, read in memory
  if (!starter->empty()) {
    auto d = datasets::starter_dataset(*starter);
    if (!d)
      return http::Response::error(Error::invalid("/query/starter", boost::json::value(*starter),
                                                  "the name of a starter dataset "
                                                  "(GET /api/v1/starter-datasets)"));
    if (has_body)
      return http::Response::error(Error::invalid(
          "/file", std::nullopt, "no body with ?starter= (the dataset ships in the server)"));
    options->filename = std::string(d->name) + ".prompt";
    auto imported = datasets::import_dataset(d->file, *options);
    if (!imported) return http::Response::error(imported.error());
    whole = std::move(*imported);
  } else if (!has_body) {
    return http::Response::error(
        Error::invalid("/file", std::nullopt, "the file as the request body"));
  } else if (path.empty()) {  // a server without spooling (tests): the body in memory
    auto imported = datasets::import_dataset(req.body, *options);
    if (!imported) return http::Response::error(imported.error());
    whole = std::move(*imported);
  }
  datasets::FileSummary summary;
  if (whole) {
    summary = {whole->format, whole->name,           whole->description,
               whole->fields, whole->prompts.size(), {}};
    for (std::size_t i = 0; i < whole->prompts.size() && i < 20; ++i)
      summary.first.push_back(whole->prompts[i]);
  } else {
    auto checked = datasets::check_file(path, *options, 20);
    if (!checked) return http::Response::error(checked.error());
    summary = std::move(*checked);
  }
  if (dry->value_or(false)) return http::Response::json(200, import_preview(summary));
  if (auto over = over_prompt_quota(s, req, summary.count)) return http::Response::error(*over);
  memory::Dataset d;
  d.name = name->empty() ? summary.name : *name;
  d.description = summary.description;
  auto source = datasets::prompt_source(whole, path, *options);
  if (!source) return http::Response::error(source.error());
  auto stored = s.store.add_dataset_streamed(scope_of(req), std::move(d), *into, *source).get();
  if (!stored) return http::Response::error(stored.error());
  const auto format = std::string(datasets::to_string(summary.format));
  audit(s.store, req, "dataset.import", "dataset", stored->id,
        {{"name", stored->name},
         {"version", stored->version},
         {"count", summary.count},
         {"format", format}});
  auto out = dataset_json(*stored);
  out["format"] = format;
  return http::Response::json(201, out);
}

http::Response export_dataset(const Services& s, http::Request& req) {
  auto format_name = req.query_param("format").value_or("jsonl");
  auto format = datasets::export_format_from_string(format_name);
  if (!format)
    return http::Response::error(
        Error::invalid("/query/format", boost::json::value(format_name), "jsonl or pyrit_yaml"));
  auto version = version_of(req);
  if (!version) return http::Response::error(version.error());
  auto scope = scope_of(req);
  auto d = s.store.get_dataset(scope, req.param("id"), *version);
  if (!d) return http::Response::error(d.error());
  auto prompts = datasets::read_prompts(s.store, scope, *d);
  if (!prompts) return http::Response::error(prompts.error());
  const bool jsonl = *format == datasets::ExportFormat::jsonl;
  auto r = http::Response::text(
      200, datasets::export_dataset(*d, *prompts, *format),
      jsonl ? "application/x-ndjson; charset=utf-8" : "application/yaml; charset=utf-8");
  std::string file;
  for (char c : d->name)
    file += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file.substr(0, 100) +
                                                    "-v" + std::to_string(d->version) +
                                                    (jsonl ? ".jsonl" : ".yaml") + "\"");
  return r;
}

// The starter datasets, described from their own files.
http::Response starters() {
  boost::json::array items;
  for (const auto& d : datasets::starter_summaries())
    items.push_back({{"name", d.name},
                     {"dataset_name", d.dataset_name},
                     {"description", d.description},
                     {"count", d.count}});
  return http::Response::json(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
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
  opts.summary =
      "Import a file (the body) as a dataset: PyRIT YAML, jailbreak template, harm definition, "
      "many-shot JSON, CSV, JSON Lines or text; ?dry_run=true previews";
  opts.body_limit = s.max_import_bytes;
  opts.spool_body = true;
  add_blocking(
      router, "POST", "/api/v1/datasets/import", s.pool,
      [s](http::Request& req) { return import(s, req); }, opts);

  opts = {};
  opts.summary =
      "The starter datasets shipped in the server (add one with POST "
      "/api/v1/datasets/import?starter=NAME)";
  router.add(
      "GET", "/api/v1/starter-datasets", [](http::Request&) { return starters(); }, opts);

  opts = {};
  opts.summary = "A dataset's prompts as a file: ?format=jsonl (default) or pyrit_yaml";
  add_blocking(
      router, "GET", "/api/v1/datasets/{id}/export", s.pool,
      [s](http::Request& req) { return export_dataset(s, req); }, opts);

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
