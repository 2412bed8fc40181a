#pragma once
// What a finished scan reports and how it exits: the summary table (per dataset x converter
// chain), the gates of the scan file, and the exit status: 0 pass, 1 a gate reached,
// 3 incomplete (the run did not finish, or decided nothing). 2, a configuration error, is
// the caller's before anything runs.

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <vector>

#include "report/report.hpp"
#include "scan/scan_file.hpp"

namespace redcell::scan {

inline constexpr int kPass = 0;
inline constexpr int kGateReached = 1;
inline constexpr int kConfigError = 2;
inline constexpr int kIncomplete = 3;

struct Row {
  std::string dataset;
  std::string chain;
  report::Rate rate;
};

// The attempts of a JSON report (GET /executions/{id}/report?format=json) grouped by
// dataset x chain, in the order they first appear; `dataset_names` by dataset id.
std::vector<Row> summary_rows(const boost::json::object& report,
                              const std::map<std::string, std::string>& dataset_names);
// The rate object of a JSON report ({"attempts", "determined", ...}).
report::Rate rate_of(const boost::json::value& v);
// A fixed-width text table with a total row.
std::string summary_table(const std::vector<Row>& rows, const report::Rate& overall);

struct GateCheck {
  std::string gate;  // success_rate | risk | achieved
  double limit = 0;
  double value = 0;
  bool reached = false;
};

struct Verdict {
  int exit_status = kPass;
  std::vector<GateCheck> gates;
  std::string reason;  // why it did not pass, "" when it did
};

// `status` is the execution's; `overall` and `risk` from its report.
Verdict judge(const Gates& gates, const std::string& status, const report::Rate& overall,
              double risk);

}  // namespace redcell::scan
