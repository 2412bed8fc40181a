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
  // Read-only: it works while a server holds the store.
  auto local = open_local_store(config, true, "--auth",
                                "download it from the server (GET /api/v1/executions/{id}/report)");
  if (!local) return fail_with(local.error().message(), 2);
  auto in = api::report_input(*local->store, local->scope, args.execution_id);
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
