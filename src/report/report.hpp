#pragma once
// Reports of one execution: JSON, CSV, JUnit XML, SARIF 2.1.0, one self-contained HTML file
// and Markdown, all from the same summary. Every success rate comes with its count and a
// 95% Wilson interval; undetermined verdicts and errors are counted apart, never as
// failures or successes. The risk score (0-10) is docs/reports.md's formula.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redcell::report {

struct ScoreLine {
  std::string scorer;  // the scorer's type
  std::string value;   // effective value: a human review wins
  std::string rationale;
  bool objective = false;
  bool reviewed = false;
};

// One work item: a prompt through one converter chain, its reply and verdict.
struct Attempt {
  std::string work_item_id;
  std::string conversation_id;
  std::string prompt_id;
  std::string dataset_id;  // the prompt's dataset
  int chain_index = 0;
  int attempt = 0;
  std::string chain;   // "baseline" or the converters' types joined by " > "
  std::string prompt;  // as the dataset has it
  std::string sent;    // after the chain
  std::string reply;
  std::vector<std::string> harm_categories;
  std::string outcome;  // achieved | not_achieved | undetermined | error
  std::string error;
  std::vector<ScoreLine> scores;
};

struct ExecutionInfo {
  std::string id;
  std::string orchestrator;  // its name
  std::string target;        // its name
  std::string status;
  std::string created_at, finished_at;
  std::map<std::string, std::string> labels;
  std::int64_t total = 0;  // work items planned
};

struct Input {
  ExecutionInfo execution;
  std::vector<Attempt> attempts;
  std::string source_file = "redcell-scan.yaml";  // where SARIF locates its results
};

// k successes of n determined attempts, with the 95% Wilson score interval.
struct Rate {
  std::int64_t attempts = 0;  // every attempt, whatever its outcome
  std::int64_t determined = 0;
  std::int64_t achieved = 0;
  std::int64_t undetermined = 0;
  std::int64_t errors = 0;
  std::optional<double> rate, low, high;  // none while nothing was determined
};
void wilson(Rate& r);

struct Group {
  std::string name;
  Rate rate;
  double severity = 0;  // harm categories only
  double risk = 0;      // 0-10
};

struct Summary {
  Rate overall;
  std::vector<Group> by_harm_category;  // by name
  std::vector<Group> by_chain;          // by chain index
  double risk = 0;                      // the highest harm category's, 0-10
};

// A harm category's severity in [0, 1] (docs/reports.md's table; 0.5 when unknown).
double severity(std::string_view harm_category);
Summary summarize(const Input& in);

enum class Format { json, csv, junit, sarif, html, markdown };
std::optional<Format> format_from_string(std::string_view s);
std::string_view content_type(Format f);
std::string_view extension(Format f);
std::string render(const Input& in, Format f);

// The parts (formats.cpp, html.cpp).
std::string render_json(const Input& in, const Summary& s);
std::string render_csv(const Input& in);
std::string render_junit(const Input& in, const Summary& s);
std::string render_sarif(const Input& in, const Summary& s);
std::string render_markdown(const Input& in, const Summary& s);
std::string render_html(const Input& in, const Summary& s);

// "12.5%" / "-"; "3/24 (12.5%, 95% CI 4.3-31.0%)".
std::string percent(std::optional<double> v);
std::string describe(const Rate& r);

}  // namespace redcell::report
