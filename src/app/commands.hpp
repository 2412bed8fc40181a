#pragma once
// The subcommands' entry points; main() parses the command line and calls one.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/config.hpp"

namespace redcell {

// What a caller embedding the server (`redcell scan` on a store no server holds) needs: the
// URL once it listens, and a way to stop it from another thread.
class ServeControl {
 public:
  // The caller's side. stop(): stops the server if it runs, and one that starts later at
  // once. wait_for_url(): the server's URL once it listens; "" when it ended first (the
  // reason is on stderr).
  void stop();
  std::string wait_for_url();

  // run_serve's side.
  void attach(std::function<void()> stop);
  void listening(std::string url);
  void detach();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> stop_;
  bool stop_requested_ = false, settled_ = false;
  std::string url_;
};

// `control` (embedded servers): signals are left to the caller, and the URL is told.
int run_serve(const Config& config, ServeControl* control = nullptr);
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

// `redcell scan FILE.yaml [--server URL] [--json] [--dry-run] [--resume EXECUTION_ID]`.
// Exit 0 pass, 1 a gate of the file reached, 2 configuration error (nothing ran),
// 3 incomplete (budget, error share, interrupted, or nothing decided).
struct ScanArgs {
  std::string file;
  std::string server;
  std::string resume;
  bool json = false;
  bool dry_run = false;
};
int run_scan(const ScanArgs& args, const Config& config);

}  // namespace redcell
