// `redcell dataset import|list|show|export`: the local user's datasets in the store of
// `redcell serve` (local mode), opened directly; the same importers and exporters as
// POST /api/v1/datasets/import and GET /api/v1/datasets/{id}/export. While a server holds
// the store, or with --auth jwt, use those routes.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/open_store.hpp"
#include "app/settings.hpp"
#include "common/env.hpp"
#include "datasets/import.hpp"
#include "datasets/starter.hpp"

namespace redcell {

namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{1} << 31;
constexpr std::size_t kMaxImportPrompts = 1'000'000;

int failed(const std::string& action, const std::string& message, int code) {
  std::cerr << "redcell dataset " << action << ": " << message << "\n";
  return code;
}

Result<LocalStore> open_local(const Config& config) {
  return open_local_store(config, false, "--auth", "use the server's /api/v1/datasets routes");
}

// A file that can be read, of at most 2 GiB (JSON Lines and text are read a line at a time;
// CSV, JSON and YAML whole).
Result<void> check_readable(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || !std::ifstream(path, std::ios::binary))
    return fail(Error::invalid("FILE", boost::json::value(path), "a readable file"));
  if (size > kMaxFileBytes)
    return fail(Error::invalid("FILE", boost::json::value(path), "a file of at most 2 GiB"));
  return {};
}

boost::json::object dataset_json(const memory::Dataset& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"description", d.description},
          {"version", d.version},
          {"count", d.prompt_count}};
}

// starter:NAME, a dataset shipped in redcell: its file's text.
Result<std::string> starter_text(const std::string& file) {
  auto d = datasets::starter_dataset(file.substr(8));
  if (!d)
    return fail(Error::invalid("FILE", boost::json::value(file),
                               "a file, or starter:NAME (redcell dataset starters lists them)"));
  return std::string(d->file);
}

// A file is read twice, as the server's import route reads an upload: a first pass checks
// every prompt (an error names its line) and counts them, a second stores them batch by
// batch in one transaction. JSON Lines and text are read a line at a time, so a file of
// gigabytes costs the memory of one batch; a starter is imported from memory.
int import_one(const DatasetArgs& args, const Config& config, const std::string& file) {
  const bool starter = file.rfind("starter:", 0) == 0;
  datasets::ImportOptions options;
  options.filename = starter ? file.substr(8) + ".prompt" : file;
  options.max_prompts = kMaxImportPrompts;
  options.mapping = {args.value_field, args.harm_categories_field, args.data_type_field};
  if (!args.format.empty()) {
    options.format = datasets::format_from_string(args.format);
    if (!options.format)
      return failed("import",
                    "--format " + args.format + ": expected one of " + datasets::format_names(), 2);
  }
  std::optional<datasets::ImportedDataset> whole;  // a starter
  datasets::FileSummary summary;
  if (starter) {
    auto bytes = starter_text(file);
    if (!bytes) return failed("import", bytes.error().message(), 2);
    auto imported = datasets::import_dataset(*bytes, options);
    if (!imported) return failed("import", file + ": " + imported.error().message(), 1);
    whole = std::move(*imported);
    summary = {whole->format, whole->name,           whole->description,
               whole->fields, whole->prompts.size(), {}};
    for (std::size_t i = 0; i < whole->prompts.size() && i < 5; ++i)
      summary.first.push_back(whole->prompts[i]);
  } else {
    if (auto readable = check_readable(file); !readable)
      return failed("import", readable.error().message(), 2);
    auto checked = datasets::check_file(file, options, 5);
    if (!checked) return failed("import", file + ": " + checked.error().message(), 1);
    summary = std::move(*checked);
  }
  const auto format = std::string(datasets::to_string(summary.format));
  if (args.dry_run) {
    std::cout << file << ": " << summary.count << " prompts as " << format << " (dataset \""
              << summary.name << "\"); nothing stored\n";
    for (std::size_t i = 0; i < summary.first.size(); ++i)
      std::cout << "  " << i << "  " << summary.first[i].value.substr(0, 100) << "\n";
    return 0;
  }
  auto local = open_local(config);
  if (!local) return failed("import", local.error().message(), 2);
  memory::Dataset d;
  d.name = args.name.empty() ? summary.name : args.name;
  d.description = summary.description;
  auto source = datasets::prompt_source(whole, file, options);
  if (!source) return failed("import", file + ": " + source.error().message(), 1);
  auto stored = local->store->add_dataset_streamed(local->scope, std::move(d), "", *source).get();
  if (!stored) return failed("import", stored.error().message(), 1);
  if (args.json) {
    auto out = dataset_json(*stored);
    out["format"] = format;
    out["file"] = file;
    std::cout << boost::json::serialize(out) << "\n";
  } else {
    std::cout << "imported " << file << " as dataset " << stored->id << " \"" << stored->name
              << "\" v" << stored->version << ": " << stored->prompt_count << " prompts (" << format
              << ")\n";
  }
  return 0;
}

int starters(const DatasetArgs& args) {
  boost::json::array all;
  for (const auto& d : datasets::starter_summaries()) {
    if (args.json)
      all.push_back({{"name", d.name}, {"dataset_name", d.dataset_name}, {"count", d.count}});
    else
      std::cout << "starter:" << d.name << "  " << d.count << " prompts  " << d.description << "\n";
  }
  if (args.json) std::cout << boost::json::serialize(all) << "\n";
  return 0;
}

int list(const DatasetArgs& args, const Config& config) {
  auto local = open_local(config);
  if (!local) return failed("list", local.error().message(), 2);
  PageRequest page;
  page.limit = kMaxPageLimit;
  boost::json::array all;
  for (;;) {
    auto p = local->store->list_datasets(local->scope, page);
    if (!p) return failed("list", p.error().message(), 1);
    for (const auto& d : p->items) {
      if (args.json)
        all.push_back(dataset_json(d));
      else
        std::cout << d.id << "  v" << d.version << "  " << d.prompt_count << " prompts  " << d.name
                  << "\n";
    }
    if (!p->next) break;
    page.after = p->next;
  }
  if (args.json) std::cout << boost::json::serialize(all) << "\n";
  return 0;
}

int show_or_export(const DatasetArgs& args, const Config& config, bool show) {
  const char* action = show ? "show" : "export";
  auto local = open_local(config);
  if (!local) return failed(action, local.error().message(), 2);
  std::optional<int> version;
  if (args.version > 0) version = args.version;
  auto d = local->store->get_dataset(local->scope, args.id, version);
  if (!d) return failed(action, d.error().message(), 1);
  auto prompts = datasets::read_prompts(*local->store, local->scope, *d);
  if (!prompts) return failed(action, prompts.error().message(), 1);
  if (show && !args.json) {
    std::cout << d->name << "  (" << d->id << " v" << d->version << ", " << d->prompt_count
              << " prompts)\n";
    if (!d->description.empty()) std::cout << d->description << "\n";
    for (std::size_t i = 0; i < prompts->size() && i < args.limit; ++i)
      std::cout << "  " << i << "  " << (*prompts)[i].value.substr(0, 100) << "\n";
    return 0;
  }
  auto format =
      show ? std::optional(datasets::ExportFormat::jsonl)
           : datasets::export_format_from_string(args.format.empty() ? "jsonl" : args.format);
  if (!format)
    return failed(action, "--format " + args.format + ": expected jsonl or pyrit_yaml", 2);
  const auto text = datasets::export_dataset(*d, *prompts, *format);
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return failed(action, args.output + ": cannot be written", 1);
  std::cerr << "wrote " << prompts->size() << " prompts to " << args.output << "\n";
  return 0;
}

}  // namespace

int run_dataset(const DatasetArgs& args, const Config& config) {
  if (args.action == "import") {
    int worst = 0;
    for (const auto& file : args.files) worst = std::max(worst, import_one(args, config, file));
    return worst;
  }
  if (args.action == "list") return list(args, config);
  if (args.action == "starters") return starters(args);
  if (args.action == "show") return show_or_export(args, config, true);
  if (args.action == "export") return show_or_export(args, config, false);
  return 2;
}

}  // namespace redcell
