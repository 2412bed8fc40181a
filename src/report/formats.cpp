// JSON, CSV, JUnit XML, SARIF 2.1.0 and Markdown.
#include <boost/json.hpp>

#include "report/report.hpp"

namespace redcell::report {

namespace {

namespace json = boost::json;

json::value opt(std::optional<double> v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object rate_json(const Rate& r) {
  return {{"attempts", r.attempts},
          {"determined", r.determined},
          {"achieved", r.achieved},
          {"undetermined", r.undetermined},
          {"errors", r.errors},
          {"rate", opt(r.rate)},
          {"ci95", r.rate ? json::value(json::array{*r.low, *r.high}) : json::value(nullptr)}};
}

json::array groups_json(const std::vector<Group>& groups, bool harm) {
  json::array out;
  for (const auto& g : groups) {
    json::object o = rate_json(g.rate);
    o["name"] = g.name;
    if (harm) {
      o["severity"] = g.severity;
      o["risk"] = g.risk;
    }
    out.push_back(std::move(o));
  }
  return out;
}

json::object attempt_json(const Attempt& a) {
  json::array harms, scores;
  for (const auto& h : a.harm_categories) harms.emplace_back(h);
  for (const auto& sc : a.scores)
    scores.push_back({{"scorer", sc.scorer},
                      {"value", sc.value},
                      {"rationale", sc.rationale},
                      {"objective", sc.objective},
                      {"reviewed", sc.reviewed}});
  return {{"work_item_id", a.work_item_id},
          {"conversation_id", a.conversation_id},
          {"prompt_id", a.prompt_id},
          {"dataset_id", a.dataset_id},
          {"chain_index", a.chain_index},
          {"chain", a.chain},
          {"attempt", a.attempt},
          {"prompt", a.prompt},
          {"sent", a.sent},
          {"reply", a.reply},
          {"harm_categories", std::move(harms)},
          {"outcome", a.outcome},
          {"error", a.error},
          {"scores", std::move(scores)}};
}

json::object execution_json(const ExecutionInfo& e) {
  json::object labels;
  for (const auto& [k, v] : e.labels) labels[k] = v;
  return {{"id", e.id},
          {"orchestrator", e.orchestrator},
          {"target", e.target},
          {"status", e.status},
          {"created_at", e.created_at},
          {"finished_at", e.finished_at},
          {"labels", labels},
          {"total", e.total}};
}

// XML 1.0 text: the five entities escaped, characters XML cannot hold replaced.
std::string xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&apos;";
    else if (u < 0x20 && c != '\t' && c != '\n' && c != '\r')
      out += "\xEF\xBF\xBD";
    else
      out += c;
  }
  return out;
}

std::string csv_field(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string cut(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  std::size_t end = n;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // UTF-8 whole
  return std::string(s.substr(0, end)) + "…";
}

std::string one_line(std::string_view s, std::size_t n) {
  std::string out = cut(s, n);
  for (auto& c : out)
    if (c == '\n' || c == '\r' || c == '|') c = ' ';
  return out;
}

std::string objective_rationale(const Attempt& a) {
  for (const auto& sc : a.scores)
    if (sc.objective) return sc.scorer + ": " + sc.rationale;
  return {};
}

}  // namespace

std::string render_json(const Input& in, const Summary& s) {
  json::array attempts;
  for (const auto& a : in.attempts) attempts.push_back(attempt_json(a));
  json::object doc{{"execution", execution_json(in.execution)},
                   {"summary",
                    {{"overall", rate_json(s.overall)},
                     {"risk", s.risk},
                     {"by_harm_category", groups_json(s.by_harm_category, true)},
                     {"by_chain", groups_json(s.by_chain, false)}}},
                   {"attempts", std::move(attempts)}};
  return json::serialize(doc) + "\n";
}

std::string render_csv(const Input& in) {
  std::string out =
      "work_item_id,chain_index,chain,attempt,harm_categories,outcome,prompt,sent,reply,error,"
      "objective_rationale\r\n";
  for (const auto& a : in.attempts) {
    std::string harms;
    for (const auto& h : a.harm_categories) harms += (harms.empty() ? "" : "; ") + h;
    for (const auto& f :
         {a.work_item_id, std::to_string(a.chain_index), a.chain, std::to_string(a.attempt), harms,
          a.outcome, a.prompt, a.sent, a.reply, a.error, objective_rationale(a)}) {
      out += csv_field(f);
      out += ',';
    }
    out.back() = '\r';
    out += '\n';
  }
  return out;
}

// A test case per work item, grouped by chain: failed when the attack succeeded, an error
// when the item failed, skipped when the verdict is undetermined.
std::string render_junit(const Input& in, const Summary& s) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"redcell " + xml(in.execution.id) + "\" tests=\"" +
         std::to_string(s.overall.attempts) + "\" failures=\"" +
         std::to_string(s.overall.achieved) + "\" errors=\"" + std::to_string(s.overall.errors) +
         "\" skipped=\"" + std::to_string(s.overall.undetermined) + "\">\n";
  for (const auto& g : s.by_chain) {
    out += "  <testsuite name=\"" + xml(in.execution.orchestrator + " / " + g.name) +
           "\" tests=\"" + std::to_string(g.rate.attempts) + "\" failures=\"" +
           std::to_string(g.rate.achieved) + "\" errors=\"" + std::to_string(g.rate.errors) +
           "\" skipped=\"" + std::to_string(g.rate.undetermined) + "\">\n";
    for (const auto& a : in.attempts) {
      if (a.chain != g.name) continue;
      out += "    <testcase classname=\"" + xml(g.name) + "\" name=\"" +
             xml(one_line(a.prompt, 120) + " [" + a.work_item_id + "]") + "\">";
      if (a.outcome == "achieved") {
        out += "\n      <failure message=\"the attack succeeded\" type=\"achieved\">" +
               xml(objective_rationale(a) + "\n\nreply: " + cut(a.reply, 2000)) +
               "</failure>\n    ";
      } else if (a.outcome == "error") {
        out +=
            "\n      <error message=\"" + xml(one_line(a.error, 300)) + "\" type=\"error\"/>\n    ";
      } else if (a.outcome == "undetermined") {
        out += "\n      <skipped message=\"the objective scorer could not decide\"/>\n    ";
      }
      out += "</testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

// A rule per harm category, a result per successful attack, located at the scan file.
std::string render_sarif(const Input& in, const Summary& s) {
  json::array rules;
  std::map<std::string, std::size_t> rule_index;
  auto rule_of = [&](const std::string& harm) {
    const std::string name = harm.empty() ? "uncategorized" : harm;
    if (auto it = rule_index.find(name); it != rule_index.end()) return it->second;
    const double sev = severity(name);
    rules.push_back({{"id", "redcell/harm/" + name},
                     {"name", "AttackSucceeded"},
                     {"shortDescription",
                      {{"text", "An attack in the harm category \"" + name + "\" succeeded"}}},
                     {"defaultConfiguration", {{"level", sev >= 0.8 ? "error" : "warning"}}},
                     {"properties", {{"severity", sev}}}});
    rule_index[name] = rules.size() - 1;
    return rules.size() - 1;
  };
  json::array results;
  for (const auto& a : in.attempts) {
    if (a.outcome != "achieved") continue;
    const auto index = rule_of(a.harm_categories.empty() ? "" : a.harm_categories.front());
    const auto& rule = rules[index].as_object();
    results.push_back(
        {{"ruleId", rule.at("id")},
         {"ruleIndex", index},
         {"level", rule.at("defaultConfiguration").at("level")},
         {"message",
          {{"text", "Attack succeeded through " + a.chain + ": " + one_line(a.prompt, 200)}}},
         {"locations", json::array{{{"physicalLocation",
                                     {{"artifactLocation", {{"uri", in.source_file}}},
                                      {"region", {{"startLine", 1}}}}}}}},
         {"partialFingerprints", {{"workItemId/v1", a.work_item_id}}},
         {"properties",
          {{"work_item_id", a.work_item_id},
           {"conversation_id", a.conversation_id},
           {"chain", a.chain},
           {"reply", cut(a.reply, 2000)},
           {"rationale", objective_rationale(a)}}}});
  }
  json::object run{{"tool",
                    {{"driver",
                      {{"name", "redcell"},
                       {"informationUri", "https://github.com/redcell/redcell"},
                       {"rules", std::move(rules)}}}}},
                   {"results", std::move(results)},
                   {"properties",
                    {{"execution_id", in.execution.id},
                     {"attack_success_rate", opt(s.overall.rate)},
                     {"risk", s.risk}}}};
  json::object doc{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", json::array{std::move(run)}}};
  return json::serialize(doc) + "\n";
}

std::string render_markdown(const Input& in, const Summary& s) {
  const auto& e = in.execution;
  std::string out = "# redcell report: " + one_line(e.orchestrator, 200) + "\n\n";
  out += "Execution `" + e.id + "` against **" + one_line(e.target, 200) + "**, " + e.status +
         ", started " + e.created_at +
         (e.finished_at.empty() ? "" : ", finished " + e.finished_at) + ".\n\n";
  char risk[16];
  std::snprintf(risk, sizeof risk, "%.1f", s.risk);
  out += "| attempts | achieved | undetermined | errors | attack success | risk (0-10) |\n";
  out += "|---:|---:|---:|---:|---|---:|\n";
  out += "| " + std::to_string(s.overall.attempts) + " | " + std::to_string(s.overall.achieved) +
         " | " + std::to_string(s.overall.undetermined) + " | " + std::to_string(s.overall.errors) +
         " | " + describe(s.overall) + " | " + risk + " |\n\n";
  auto table = [&](const char* title, const std::vector<Group>& groups, bool harm) {
    if (groups.empty()) return;
    out += std::string("## ") + title + "\n\n| " + (harm ? "harm category" : "converter chain") +
           " | attempts | attack success | undetermined | errors" + (harm ? " | risk" : "") +
           " |\n|---|---:|---|---:|---:" + (harm ? "|---:" : "") + "|\n";
    for (const auto& g : groups) {
      char r[16];
      std::snprintf(r, sizeof r, "%.1f", g.risk);
      out += "| " + one_line(g.name, 100) + " | " + std::to_string(g.rate.attempts) + " | " +
             describe(g.rate) + " | " + std::to_string(g.rate.undetermined) + " | " +
             std::to_string(g.rate.errors) + (harm ? std::string(" | ") + r : "") + " |\n";
    }
    out += "\n";
  };
  table("By harm category", s.by_harm_category, true);
  table("By converter chain", s.by_chain, false);
  out += "## Successful attacks\n\n";
  std::size_t shown = 0;
  for (const auto& a : in.attempts) {
    if (a.outcome != "achieved") continue;
    if (++shown > 50) {
      out += "- … and " + std::to_string(s.overall.achieved - 50) +
             " more (see the JSON or HTML report)\n";
      break;
    }
    out += "- **" + one_line(a.chain, 80) + "**: " + one_line(a.prompt, 160) +
           "\n  - reply: " + one_line(a.reply, 200) + "\n";
  }
  if (shown == 0) out += "None.\n";
  return out;
}

}  // namespace redcell::report
