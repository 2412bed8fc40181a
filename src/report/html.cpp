// One self-contained HTML file: no network, no external file. Summary figures, success rate
// by harm category and by converter chain as bar charts (inline SVG, each bar labelled with
// its count and interval), and every attempt with its scores, filtered by a search box.
#include <cstdio>

#include "report/report.hpp"

namespace redcell::report {

namespace {

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Horizontal bars: the rate, a whisker for the 95% interval, the count as text.
std::string chart(const char* title, const char* id, const std::vector<Group>& groups) {
  if (groups.empty()) return {};
  const int row = 26, label = 220, width = 360;
  const int height = row * static_cast<int>(groups.size()) + 10;
  std::string out = "<section><h2>" + std::string(title) + "</h2><svg id=\"" + id +
                    "\" role=\"img\" aria-label=\"" + title + "\" width=\"" +
                    std::to_string(label + width + 260) + "\" height=\"" + std::to_string(height) +
                    "\">";
  int y = 4;
  for (const auto& g : groups) {
    const double rate = g.rate.rate.value_or(0);
    const int w = static_cast<int>(rate * width);
    out += "<text x=\"0\" y=\"" + std::to_string(y + 15) + "\">" + esc(g.name.substr(0, 40)) +
           "</text>";
    out += "<rect class=\"bar\" x=\"" + std::to_string(label) + "\" y=\"" + std::to_string(y) +
           "\" width=\"" + std::to_string(w) + "\" height=\"18\"/>";
    if (g.rate.rate) {
      const int lo = label + static_cast<int>(*g.rate.low * width);
      const int hi = label + static_cast<int>(*g.rate.high * width);
      out += "<line class=\"ci\" x1=\"" + std::to_string(lo) + "\" x2=\"" + std::to_string(hi) +
             "\" y1=\"" + std::to_string(y + 9) + "\" y2=\"" + std::to_string(y + 9) + "\"/>";
    }
    out += "<text x=\"" + std::to_string(label + width + 8) + "\" y=\"" + std::to_string(y + 15) +
           "\">" + esc(describe(g.rate)) + "</text>";
    y += row;
  }
  return out + "</svg></section>";
}

std::string group_table(const std::vector<Group>& groups, bool harm) {
  std::string out = "<table><thead><tr><th>" + std::string(harm ? "Harm category" : "Chain") +
                    "</th><th>Attempts</th><th>Attack success (95% CI)</th><th>Undetermined</th>"
                    "<th>Errors</th>" +
                    (harm ? "<th>Severity</th><th>Risk</th>" : "") + "</tr></thead><tbody>";
  for (const auto& g : groups)
    out += "<tr><td>" + esc(g.name) + "</td><td>" + std::to_string(g.rate.attempts) + "</td><td>" +
           esc(describe(g.rate)) + "</td><td>" + std::to_string(g.rate.undetermined) + "</td><td>" +
           std::to_string(g.rate.errors) + "</td>" +
           (harm ? "<td>" + fixed(g.severity) + "</td><td>" + fixed(g.risk) + "</td>" : "") +
           "</tr>";
  return out + "</tbody></table>";
}

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1c1f26;background:#fafbfc}
h1{margin:0 0 .25rem}h2{margin-top:2rem}.lead{color:#555}
.figures{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.figures div{background:#fff;border:1px solid #dde;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.figures b{display:block;font-size:1.6rem}
table{border-collapse:collapse;background:#fff;margin:.5rem 0}td,th{border:1px solid #dde;padding:.3rem .5rem;text-align:left;vertical-align:top}
svg text{font-size:12px}.bar{fill:#b02a25}.ci{stroke:#1c1f26;stroke-width:2}
.attempt{background:#fff;border:1px solid #dde;border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}
.attempt.achieved{border-left:6px solid #b02a25}.attempt.not_achieved{border-left:6px solid #1d7a3a}
.attempt.undetermined{border-left:6px solid #8a5a00}.attempt.error{border-left:6px solid #777}
pre{white-space:pre-wrap;word-break:break-word;margin:.25rem 0;background:#f3f4f6;padding:.4rem}
#search{padding:.4rem;width:24rem}.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 .3rem;margin-right:.2rem}
)css";

constexpr const char* kScript = R"js(
const box=document.getElementById('search');const count=document.getElementById('shown');
box.addEventListener('input',()=>{const q=box.value.toLowerCase();let n=0;
for(const a of document.querySelectorAll('.attempt')){const hit=!q||a.textContent.toLowerCase().includes(q);
a.hidden=!hit;if(hit)n++;}count.textContent=String(n);});
)js";

}  // namespace

std::string render_html(const Input& in, const Summary& s) {
  const auto& e = in.execution;
  std::string out =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>redcell report " +
      esc(e.id) + "</title><style>" + kStyle + "</style></head><body>";
  out += "<h1>" + esc(e.orchestrator) + "</h1><p class=\"lead\">Execution <code>" + esc(e.id) +
         "</code> against <b>" + esc(e.target) + "</b> · " + esc(e.status) + " · started " +
         esc(e.created_at) + (e.finished_at.empty() ? "" : " · finished " + esc(e.finished_at));
  for (const auto& [k, v] : e.labels)
    out += " <span class=\"tag\">" + esc(k) + "=" + esc(v) + "</span>";
  out += "</p><div class=\"figures\">";
  const std::pair<const char*, std::string> figures[] = {
      {"attempts", std::to_string(s.overall.attempts)},
      {"achieved", std::to_string(s.overall.achieved)},
      {"undetermined", std::to_string(s.overall.undetermined)},
      {"errors", std::to_string(s.overall.errors)},
      {"success-rate", percent(s.overall.rate)},
      {"risk", fixed(s.risk)}};
  const char* captions[] = {"attempts", "attacks succeeded",   "undetermined",
                            "errors",   "attack success rate", "risk (0-10)"};
  for (std::size_t i = 0; i < 6; ++i)
    out += std::string("<div><b id=\"fig-") + figures[i].first + "\">" + esc(figures[i].second) +
           "</b>" + captions[i] + "</div>";
  out += "</div><p>Attack success: " + esc(describe(s.overall)) +
         ". Undetermined verdicts and errors are counted apart from the rate.</p>";
  out += chart("Attack success by harm category", "chart-harm", s.by_harm_category);
  if (!s.by_harm_category.empty()) out += group_table(s.by_harm_category, true);
  out += chart("Attack success by converter chain", "chart-chain", s.by_chain);
  out += group_table(s.by_chain, false);
  out +=
      "<h2>Conversations</h2><p><label for=\"search\">Search </label><input id=\"search\" "
      "type=\"search\" placeholder=\"text, chain, category, outcome\"> <span id=\"shown\">" +
      std::to_string(in.attempts.size()) + "</span> shown</p>";
  for (const auto& a : in.attempts) {
    out += "<article class=\"attempt " + esc(a.outcome) + "\" data-work-item=\"" +
           esc(a.work_item_id) + "\"><p><b>" + esc(a.outcome) + "</b> · " + esc(a.chain) +
           " · attempt " + std::to_string(a.attempt);
    for (const auto& h : a.harm_categories) out += " <span class=\"tag\">" + esc(h) + "</span>";
    out += "</p><div>Prompt</div><pre>" + esc(a.prompt) + "</pre>";
    if (a.sent != a.prompt) out += "<div>Sent</div><pre>" + esc(a.sent) + "</pre>";
    out += "<div>Reply</div><pre>" + esc(a.reply) + "</pre>";
    if (!a.error.empty()) out += "<div>Error</div><pre>" + esc(a.error) + "</pre>";
    if (!a.scores.empty()) {
      out +=
          "<table><thead><tr><th>Scorer</th><th>Value</th><th>Rationale</th></tr></thead><tbody>";
      for (const auto& sc : a.scores)
        out += "<tr><td>" + esc(sc.scorer) + (sc.objective ? " (objective)" : "") + "</td><td>" +
               esc(sc.value) + (sc.reviewed ? " (reviewed)" : "") + "</td><td>" +
               esc(sc.rationale) + "</td></tr>";
      out += "</tbody></table>";
    }
    out += "</article>";
  }
  out += std::string("<script>") + kScript + "</script></body></html>\n";
  return out;
}

}  // namespace redcell::report
