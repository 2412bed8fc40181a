// `redcell report EXECUTION_ID --format F [-o FILE]`: the local user's execution as a report
// (the same as GET /api/v1/executions/{id}/report), from the store of `redcell serve` in
// local mode.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/reports.hpp"
#include "app/commands.hpp"
#include "app/open_store.hpp"
#include "app/settings.hpp"
#include "common/env.hpp"

namespace redcell {

int run_report(const ReportArgs& args, const Config& config) {
  auto fail_with = [](const std::string& message, int code) {
    std::cerr << "redcell report: " << message << "\n";
    return code;
  };
  auto format = report::format_from_string(args.format);
  if (!format)
    return fail_with(
        "--format " + args.format + ": expected json, csv, junit, sarif, html or markdown", 2);
  auto settings = parse_serve_settings(config, process_env(), std::filesystem::current_path());
  if (!settings) return fail_with(settings.error().message(), 2);
  if (settings->auth != "local")
    return fail_with(
        "with --auth jwt, download the report from the server "
        "(GET /api/v1/executions/{id}/report) as yourself",
        2);
  auto store = open_store(settings->store, true);
  if (!store) return fail_with(store.error().message(), 2);
  auto local = find_local_user_id(**store);  // read-only: works while a server runs
  if (!local) return fail_with(local.error().message(), 1);
  auto in = api::report_input(**store, memory::Scope::user(*local), args.execution_id);
  if (!in) return fail_with(in.error().message(), 1);
  if (!args.source_file.empty()) in->source_file = args.source_file;
  const auto text = report::render(*in, *format);
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return fail_with(args.output + ": cannot be written", 1);
  std::cerr << "wrote " << args.output << " (" << in->attempts.size() << " attempts)\n";
  return 0;
}

}  // namespace redcell
