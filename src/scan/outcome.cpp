#include "scan/outcome.hpp"

#include <boost/json.hpp>
#include <cstdio>

namespace redcell::scan {

namespace {

namespace json = boost::json;

std::int64_t int_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

void count(report::Rate& r, const std::string& outcome) {
  ++r.attempts;
  if (outcome == "achieved") ++r.achieved, ++r.determined;
  if (outcome == "not_achieved") ++r.determined;
  if (outcome == "undetermined") ++r.undetermined;
  if (outcome == "error") ++r.errors;
}

// Cuts `s` to `width` bytes on a UTF-8 boundary, marking the cut.
std::string fit(const std::string& s, std::size_t width) {
  if (s.size() <= width) return s;
  std::size_t n = width - 3;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

std::string pad(const std::string& s, std::size_t width) {
  std::size_t chars = 0;  // code points, so names in any script line up
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  return s + std::string(width > chars ? width - chars : 0, ' ');
}

std::string line(const std::string& dataset, const std::string& chain, const report::Rate& r,
                 std::size_t dw, std::size_t cw) {
  char nums[160];
  std::string rate = "-";
  if (r.rate) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%5.1f%% (%.1f-%.1f)", 100.0 * *r.rate, 100.0 * *r.low,
                  100.0 * *r.high);
    rate = buf;
  }
  std::snprintf(nums, sizeof nums, "%9lld %7lld %9lld %13lld  %s",
                static_cast<long long>(r.attempts), static_cast<long long>(r.errors),
                static_cast<long long>(r.achieved), static_cast<long long>(r.undetermined),
                rate.c_str());
  return pad(fit(dataset, dw), dw) + "  " + pad(fit(chain, cw), cw) + "  " + nums + "\n";
}

}  // namespace

report::Rate rate_of(const json::value& v) {
  report::Rate r;
  if (!v.is_object()) return r;
  const auto& o = v.as_object();
  r.attempts = int_of(o, "attempts");
  r.determined = int_of(o, "determined");
  r.achieved = int_of(o, "achieved");
  r.undetermined = int_of(o, "undetermined");
  r.errors = int_of(o, "errors");
  report::wilson(r);
  return r;
}

std::vector<Row> summary_rows(const json::object& report,
                              const std::map<std::string, std::string>& dataset_names) {
  std::vector<Row> rows;
  std::map<std::pair<std::string, std::string>, std::size_t> at;
  const auto* attempts = report.if_contains("attempts");
  if (!attempts || !attempts->is_array()) return rows;
  for (const auto& a : attempts->as_array()) {
    if (!a.is_object()) continue;
    const auto& o = a.as_object();
    const auto id = text_of(o, "dataset_id");
    auto name = dataset_names.count(id) ? dataset_names.at(id) : id.empty() ? "prompts" : id;
    auto key = std::pair{std::move(name), text_of(o, "chain")};
    auto [it, added] = at.emplace(key, rows.size());
    if (added) rows.push_back(Row{key.first, key.second, {}});
    count(rows[it->second].rate, text_of(o, "outcome"));
  }
  for (auto& r : rows) report::wilson(r.rate);
  return rows;
}

std::string summary_table(const std::vector<Row>& rows, const report::Rate& overall) {
  std::size_t dw = 7, cw = 5;
  for (const auto& r : rows) {
    dw = std::max(dw, std::min<std::size_t>(r.dataset.size(), 32));
    cw = std::max(cw, std::min<std::size_t>(r.chain.size(), 40));
  }
  std::string out = pad("dataset", dw) + "  " + pad("chain", cw) +
                    "   attempts  errors  achieved  undetermined  success rate (95% CI)\n";
  for (const auto& r : rows) out += line(r.dataset, r.chain, r.rate, dw, cw);
  out += line("total", "", overall, dw, cw);
  return out;
}

Verdict judge(const Gates& gates, const std::string& status, const report::Rate& overall,
              double risk) {
  Verdict v;
  const double rate = overall.rate.value_or(0);
  if (gates.success_rate)
    v.gates.push_back(
        {"success_rate", *gates.success_rate, rate, overall.rate && rate >= *gates.success_rate});
  if (gates.risk) v.gates.push_back({"risk", *gates.risk, risk, risk >= *gates.risk});
  if (gates.achieved)
    v.gates.push_back({"achieved", static_cast<double>(*gates.achieved),
                       static_cast<double>(overall.achieved), overall.achieved >= *gates.achieved});
  for (const auto& g : v.gates) {
    if (!g.reached) continue;
    // A success found is a finding even when the run stopped early.
    v.exit_status = kGateReached;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s %g reached the gate fail_on.%s: %g", g.gate.c_str(), g.value,
                  g.gate.c_str(), g.limit);
    v.reason += (v.reason.empty() ? "" : "; ") + std::string(buf);
  }
  if (v.exit_status != kPass) return v;
  if (status != "succeeded") {
    v.exit_status = kIncomplete;
    v.reason = "the execution ended " + status;
  } else if (overall.determined == 0) {
    // A target that fails every request never passes a gate.
    v.exit_status = kIncomplete;
    v.reason = "no attempt was decided (" + std::to_string(overall.errors) + " errors, " +
               std::to_string(overall.undetermined) + " undetermined)";
  }
  return v;
}

}  // namespace redcell::scan
