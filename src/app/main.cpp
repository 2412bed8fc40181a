#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <tuple>
#include <vector>

#include "app/commands.hpp"
#include "app/settings.hpp"
#include "cli/options.hpp"

namespace {

// A subcommand and the serve options it reads (the store, the auth mode).
struct DbAction {
  CLI::App* app;
  std::unique_ptr<redcell::cli::OptionBinder> options;
};

// `redcell dataset import|list|show|export`, filling `args`.
std::vector<DbAction> add_dataset_commands(CLI::App& app, redcell::DatasetArgs& args) {
  using namespace redcell;
  auto* dataset = app.add_subcommand(
      "dataset", "Import, list, show and export the local user's datasets (local mode)");
  dataset->require_subcommand(1);
  std::vector<DbAction> dataset_actions;
  auto* ds_import = dataset->add_subcommand(
      "import",
      "Import files as datasets (PyRIT YAML, jailbreak templates, harm definitions, "
      "many-shot JSON, CSV, JSON Lines, text); a bad line stores nothing");
  ds_import
      ->add_option("FILE", args.files,
                   "the files, one dataset each; starter:NAME for one shipped in redcell")
      ->required();
  ds_import->add_option("--name", args.name, "the dataset's name (default: the file's)");
  ds_import->add_option("--format", args.format, "the format (default: detected)");
  ds_import->add_option("--value-field", args.value_field,
                        "CSV column or JSON Lines field holding the prompt");
  ds_import->add_option("--harm-categories-field", args.harm_categories_field,
                        "CSV column or JSON Lines field holding harm categories");
  ds_import->add_option("--data-type-field", args.data_type_field,
                        "CSV column or JSON Lines field holding the data type");
  ds_import->add_flag("--dry-run", args.dry_run, "read and check only; store nothing");
  auto* ds_list = dataset->add_subcommand("list", "Your datasets, each at its latest version");
  auto* ds_starters =
      dataset->add_subcommand("starters", "The starter datasets shipped in redcell (starter:NAME)");
  auto* ds_show = dataset->add_subcommand("show", "One dataset and its first prompts");
  ds_show->add_option("ID", args.id, "the dataset id")->required();
  ds_show->add_option("--limit", args.limit, "how many prompts to print");
  auto* ds_export =
      dataset->add_subcommand("export", "Write a dataset as JSON Lines or PyRIT YAML");
  ds_export->add_option("ID", args.id, "the dataset id")->required();
  ds_export->add_option("--format", args.format, "jsonl (default) or pyrit_yaml");
  ds_export->add_option("-o,--output", args.output, "the file to write (default: stdout)");
  for (auto* sub : {ds_show, ds_export})
    sub->add_option("--version", args.version, "a version (default: the latest)");
  for (auto* sub : {ds_import, ds_list, ds_show, ds_starters})
    sub->add_flag("--json", args.json, "print JSON");
  for (auto* sub : {ds_import, ds_list, ds_show, ds_export, ds_starters})
    dataset_actions.push_back(
        {sub, std::make_unique<cli::OptionBinder>(*sub, serve_option_specs())});

  return dataset_actions;
}

// `redcell scorer evaluate`, filling `args`.
DbAction add_scorer_command(CLI::App& app, redcell::ScorerEvaluateArgs& args) {
  using namespace redcell;
  auto* scorer = app.add_subcommand("scorer", "Evaluate a scorer against a labelled set");
  scorer->require_subcommand(1);
  auto* evaluate = scorer->add_subcommand(
      "evaluate",
      "A rule-based scorer over labelled items (JSON array or JSON Lines of "
      "{\"text\", \"objective\"?, \"label\"}): accuracy, precision, recall, F1");
  evaluate->add_option("FILE", args.file, "the labelled items");
  evaluate->add_option("--scorer", args.scorer, "the scorer, {\"type\", \"params\"}")->required();
  evaluate->add_option("--labelled-set", args.labelled_set,
                       "a labelled set shipped in redcell instead of FILE (refusal)");
  evaluate->add_flag("--json", args.json, "print the report as JSON");
  evaluate->add_flag("--save", args.save,
                     "store the evaluation as the local user (the store of `redcell serve`; "
                     "not while a server holds it)");
  return {evaluate, std::make_unique<cli::OptionBinder>(*evaluate, serve_option_specs())};
}

// `redcell report EXECUTION_ID`, filling `args`.
DbAction add_report_command(CLI::App& app, redcell::ReportArgs& args) {
  using namespace redcell;
  auto* report = app.add_subcommand(
      "report", "Write an execution's report: json, csv, junit, sarif, html or markdown");
  report->add_option("EXECUTION_ID", args.execution_id, "the execution")->required();
  report->add_option("--format", args.format, "json (default), csv, junit, sarif, html, markdown");
  report->add_option("-o,--output", args.output, "the file to write (default: stdout)");
  report->add_option("--source-file", args.source_file,
                     "the scan file SARIF results point at (default redcell-scan.yaml)");
  return {report, std::make_unique<cli::OptionBinder>(*report, serve_option_specs())};
}

// `redcell scan FILE.yaml`, filling `args`.
DbAction add_scan_command(CLI::App& app, redcell::ScanArgs& args) {
  using namespace redcell;
  auto* scan = app.add_subcommand(
      "scan",
      "Run a scan file: targets, datasets, converter chains, scorers, gates and reports in one "
      "YAML file; exit 0 pass, 1 a gate reached, 2 configuration error, 3 incomplete");
  scan->add_option("FILE", args.file, "the scan file (see examples/quickstart.yaml)")->required();
  scan->add_option("--server", args.server,
                   "a redcell server's URL (default: the one holding the store, else a private "
                   "one for this scan); REDCELL_API_KEY signs in");
  scan->add_option("--resume", args.resume, "follow or resume this execution instead of a new one");
  scan->add_flag("--dry-run", args.dry_run,
                 "store the setup, count work items and tokens, send nothing");
  scan->add_flag("--json", args.json, "print the summary as one JSON document");
  return {scan, std::make_unique<cli::OptionBinder>(*scan, serve_option_specs())};
}

int run(int argc, char** argv) {
  using namespace redcell;
  CLI::App app{"redcell: red-teaming for LLM applications"};
  app.set_version_flag("--version", std::string("redcell ") + REDCELL_VERSION);
  app.require_subcommand(1);

  auto* serve = app.add_subcommand("serve", "Serve the REST API");
  cli::OptionBinder serve_options(*serve, serve_option_specs());

  auto* doctor = app.add_subcommand("doctor", "Show the resolved configuration and check it");
  cli::OptionBinder doctor_options(*doctor, serve_option_specs());
  bool doctor_json = false;
  doctor->add_flag("--json", doctor_json, "print one JSON document");

  auto* mock = app.add_subcommand(
      "mock-target", "Serve a deterministic OpenAI-compatible mock LLM (demos, tests, benchmarks)");
  cli::OptionBinder mock_options(*mock, mock_target_option_specs(), "REDCELL_MOCK_");
  auto* db = app.add_subcommand("db", "Migrate, check, back up or restore the store");
  db->require_subcommand(1);
  std::string db_file;
  std::vector<DbAction> db_actions;
  for (auto [name, help, file_help] :
       {std::tuple{"migrate", "Apply pending schema migrations", ""},
        std::tuple{"check", "Integrity check and schema version (works while a server runs)", ""},
        std::tuple{"backup", "Write a consistent copy (works while a server runs)",
                   "where to write the backup (must not exist)"},
        std::tuple{"restore", "Replace the store with a backup, then check it",
                   "the backup to restore"}}) {
    auto* sub = db->add_subcommand(name, help);
    if (*file_help) sub->add_option("FILE", db_file, file_help)->required();
    db_actions.push_back({sub, std::make_unique<cli::OptionBinder>(*sub, serve_option_specs())});
  }

  auto* user =
      app.add_subcommand("user", "List users; merge or move what one user made to another");
  user->require_subcommand(1);
  std::vector<std::string> user_args;
  bool user_json = false;
  std::vector<DbAction> user_actions;
  for (auto [name, help, arity] :
       {std::tuple{"list", "Every user the store knows", 0},
        std::tuple{"show", "One user (id or username) and what they own", 1},
        std::tuple{"revoke-keys", "Revoke every API key of USER (stop the server first)", 1},
        std::tuple{"merge", "Move FROM's objects to INTO; FROM's identity signs in as INTO", 2},
        std::tuple{"reassign", "Move FROM's objects to INTO; identities stay apart", 2}}) {
    auto* sub = user->add_subcommand(name, help);
    if (arity == 1)
      sub->add_option("USER", user_args, "a user id or username")->expected(1)->required();
    if (arity == 2)
      sub->add_option("FROM INTO", user_args, "user ids or usernames")->expected(2)->required();
    sub->add_flag("--json", user_json, "print JSON");
    user_actions.push_back({sub, std::make_unique<cli::OptionBinder>(*sub, serve_option_specs())});
  }

  ScorerEvaluateArgs evaluate_args;
  auto evaluate = add_scorer_command(app, evaluate_args);

  DatasetArgs dataset_args;
  auto dataset_actions = add_dataset_commands(app, dataset_args);
  ReportArgs report_args;
  auto report = add_report_command(app, report_args);
  ScanArgs scan_args;
  auto scan = add_scan_command(app, scan_args);

  CLI11_PARSE(app, argc, argv);

  auto resolve = [](const cli::OptionBinder& b, const char* name) -> std::optional<Config> {
    auto config = b.resolve(process_env());
    if (!config) {
      std::cerr << "redcell " << name << ": " << config.error().message() << "\n";
      return std::nullopt;
    }
    return std::move(*config);
  };
  if (serve->parsed()) {
    auto config = resolve(serve_options, "serve");
    return config ? run_serve(*config) : 2;
  }
  if (mock->parsed()) {
    auto config = resolve(mock_options, "mock-target");
    return config ? run_mock_target(*config) : 2;
  }
  if (doctor->parsed()) {
    auto config = resolve(doctor_options, "doctor");
    return config ? run_doctor(*config, doctor_json) : 2;
  }
  if (evaluate.app->parsed()) {
    auto config = resolve(*evaluate.options, "scorer evaluate");
    return config ? run_scorer_evaluate(evaluate_args, *config) : 2;
  }
  for (const auto& action : user_actions) {
    if (!action.app->parsed()) continue;
    auto config = resolve(*action.options, "user");
    return config ? run_user(*config, action.app->get_name(), user_args, user_json) : 2;
  }
  if (scan.app->parsed()) {
    auto config = resolve(*scan.options, "scan");
    return config ? run_scan(scan_args, *config) : 2;
  }
  if (report.app->parsed()) {
    auto config = resolve(*report.options, "report");
    return config ? run_report(report_args, *config) : 2;
  }
  for (const auto& action : dataset_actions) {
    if (!action.app->parsed()) continue;
    auto config = resolve(*action.options, "dataset");
    dataset_args.action = action.app->get_name();
    return config ? run_dataset(dataset_args, *config) : 2;
  }
  for (const auto& action : db_actions) {
    if (!action.app->parsed()) continue;
    auto config = resolve(*action.options, "db");
    return config ? run_db(*config, action.app->get_name(), db_file) : 2;
  }
  return 2;
}

}  // namespace

// Every command handles its own errors; an exception that still escapes (out of memory, a
// bug) is reported and ends the process with EX_SOFTWARE instead of std::terminate.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redcell: unexpected error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "redcell: unexpected error\n");
  }
  return 70;
}
