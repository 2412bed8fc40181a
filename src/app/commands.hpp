#pragma once
// The subcommands' entry points; main() parses the command line and calls one.

#include <string>
#include <vector>

#include "common/config.hpp"

namespace redcell {

int run_serve(const Config& config);
int run_doctor(const Config& config, bool json);
// action: migrate | check | backup | restore; file for backup and restore.
// `redcell mock-target`: an OpenAI-compatible mock LLM for demos, tests and benchmarks.
std::vector<OptionSpec> mock_target_option_specs();
int run_mock_target(const Config& config);
int run_db(const Config& config, const std::string& action, const std::string& file);
// action: list | show USER | merge FROM INTO | reassign FROM INTO.
int run_user(const Config& config, const std::string& action, const std::vector<std::string>& args,
             bool json);

// `redcell scorer evaluate FILE --scorer JSON [--labelled-set NAME] [--json] [--save]`;
// with --save the evaluation is stored as the local user in the store `config` names.
struct ScorerEvaluateArgs {
  std::string file;
  std::string scorer;
  std::string labelled_set;
  bool json = false;
  bool save = false;
};
int run_scorer_evaluate(const ScorerEvaluateArgs& args, const Config& config);

// `redcell dataset import FILE... | list | show ID | export ID`, as the local user of the
// store `config` names. Exit 0 done, 1 refused (a bad file: nothing stored), 2 usage.
struct DatasetArgs {
  std::string action;
  std::vector<std::string> files;  // import
  std::string id;                  // show, export
  std::string name, format, output;
  std::string value_field, harm_categories_field, data_type_field;
  int version = 0;
  std::size_t limit = 20;
  bool dry_run = false;
  bool json = false;
};
int run_dataset(const DatasetArgs& args, const Config& config);

// `redcell report EXECUTION_ID [--format F] [-o FILE] [--source-file PATH]`, as the local
// user. Exit 0 written, 1 no such execution (or unwritable file), 2 usage.
struct ReportArgs {
  std::string execution_id;
  std::string format = "json";
  std::string output;
  std::string source_file;
};
int run_report(const ReportArgs& args, const Config& config);

}  // namespace redcell
