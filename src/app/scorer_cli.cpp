// `redcell scorer evaluate FILE --scorer JSON`: a rule-based scorer over a labelled set (a
// JSON array or JSON Lines of {"text", "objective"?, "label"}, or --labelled-set NAME for a
// set shipped in the binary), the figures printed (a table, or --json the report); --save
// stores the evaluation as the local user, as POST /api/v1/scorers/evaluate stores it for
// its caller. An LLM judge asks saved targets, so it is evaluated through a server.
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/records.hpp"
#include "app/commands.hpp"
#include "app/open_store.hpp"
#include "app/settings.hpp"
#include "common/env.hpp"
#include "scorers/evaluation.hpp"
#include "scorers/labelled_sets.hpp"
#include "scorers/scorer.hpp"

namespace redcell {

namespace {
constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxItems = 10'000;

int usage_error(const std::string& message) {
  std::cerr << "redcell scorer evaluate: " << message << "\n";
  return 2;
}

// A JSON array, or JSON Lines (one object per line; blank lines skipped).
Result<boost::json::value> parse_items(const std::string& text, const std::string& where) {
  boost::system::error_code ec;
  auto whole = boost::json::parse(text, ec);
  if (!ec) return whole;
  boost::json::array out;
  std::istringstream lines(text);
  std::string line;
  for (std::size_t n = 1; std::getline(lines, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto v = boost::json::parse(line, ec);
    if (ec)
      return fail(Error::invalid(where + ":" + std::to_string(n),
                                 boost::json::value(line.substr(0, 80)),
                                 "a JSON object per line (" + ec.message() + ")"));
    out.push_back(std::move(v));
  }
  return boost::json::value(std::move(out));
}

std::string figure(const boost::json::object& r, const char* name) {
  const auto* v = r.if_contains(name);
  if (!v || v->is_null()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v->to_number<double>());
  return buf;
}

// Stores `report` as the local user's evaluation of `spec` in the store `config` names.
Result<memory::ScorerEvaluation> save(const Config& config, const boost::json::value& spec,
                                      const boost::json::object& report) {
  auto local = open_local_store(config, false, "--save",
                                "evaluate through the server (POST /api/v1/scorers/evaluate)");
  if (!local) return fail(local.error());
  return local->store->add_scorer_evaluation(local->scope, api::evaluation_record(spec, report, ""))
      .get();
}

// Prints where the stored evaluation is (stderr: stdout keeps the report alone).
int saved(const Config& config, const ScorerEvaluateArgs& args, const boost::json::value& spec,
          const boost::json::object& report) {
  if (!args.save) return 0;
  auto stored = save(config, spec, report);
  if (!stored) {
    std::cerr << "redcell scorer evaluate: --save: " << stored.error().message() << "\n";
    return 1;
  }
  std::cerr << "stored: evaluation " << stored->id
            << " (GET /api/v1/scorers/evaluations?scorer_hash=" << stored->scorer_hash << ")\n";
  return 0;
}
}  // namespace

int run_scorer_evaluate(const ScorerEvaluateArgs& args, const Config& config) {
  boost::system::error_code ec;
  auto spec = boost::json::parse(args.scorer, ec);
  if (ec)
    return usage_error("--scorer: not JSON (" + ec.message() +
                       "); expected {\"type\", \"params\"}");
  const auto& catalog = ScorerRegistry::builtin();
  auto info = catalog.validate(spec, "--scorer");
  if (!info) return usage_error(info.error().message());
  if (!info->helper_targets.empty())
    return usage_error("--scorer: " + std::string(spec.as_object().at("type").as_string()) +
                       " asks an LLM through your saved targets: evaluate it through a server "
                       "(POST /api/v1/scorers/evaluate)");
  auto scorer = catalog.create(spec, "--scorer");
  if (!scorer) return usage_error(scorer.error().message());
  std::string text, where;
  if (!args.labelled_set.empty()) {
    auto set = evaluation::builtin_set(args.labelled_set);
    if (!set)
      return usage_error("--labelled-set: no set named \"" + args.labelled_set +
                         "\" (known: refusal)");
    text = std::string(*set);
    where = args.labelled_set;
  } else {
    if (args.file.empty()) return usage_error("give FILE or --labelled-set NAME");
    std::ifstream in(args.file, std::ios::binary);
    if (!in) return usage_error(args.file + ": cannot be read");
    std::ostringstream buf;
    buf << in.rdbuf();
    text = buf.str();
    if (text.size() > kMaxFileBytes) return usage_error(args.file + ": larger than 64 MiB");
    where = args.file;
  }
  auto raw = parse_items(text, where);
  if (!raw) return usage_error(raw.error().message());
  auto items = evaluation::read_items(*raw, where, info->score_type, kMaxItems);
  if (!items) return usage_error(items.error().message());
  std::vector<Result<ScoreResult>> verdicts;
  verdicts.reserve(items->size());
  for (const auto& item : *items)
    verdicts.push_back((*scorer)->judge(ScoreInput{item.text, item.objective, {}}));
  const auto report = evaluation::report(info->score_type, *items, verdicts);
  if (args.json) {
    std::cout << boost::json::serialize(report) << "\n";
    return saved(config, args, spec, report);
  }
  std::cout << "scorer   " << boost::json::serialize(spec) << "\nitems    " << items->size()
            << " (undetermined " << report.at("undetermined").as_int64() << ", errors "
            << report.at("errors").as_int64() << ")\n";
  if (info->score_type == "true_false") {
    const auto& m = report.at("confusion_matrix").as_object();
    std::cout << "accuracy " << figure(report, "accuracy") << "  precision "
              << figure(report, "precision") << "  recall " << figure(report, "recall") << "  F1 "
              << figure(report, "f1") << "\nconfusion  TP " << m.at("true_positive").as_int64()
              << "  FP " << m.at("false_positive").as_int64() << "  TN "
              << m.at("true_negative").as_int64() << "  FN " << m.at("false_negative").as_int64()
              << "\n";
  } else {
    std::cout << "MAE " << figure(report, "mean_absolute_error") << "  Krippendorff's alpha "
              << figure(report, "krippendorff_alpha") << "\n";
  }
  const auto& wrong = report.at("misjudged").as_array();
  for (std::size_t i = 0; i < wrong.size() && i < 20; ++i)
    std::cout << "misjudged #" << wrong[i].at("index").as_int64() << " label "
              << boost::json::serialize(wrong[i].at("label")) << " got "
              << wrong[i].at("value").as_string() << ": "
              << wrong[i].at("text").as_string().subview().substr(0, 80) << "\n";
  return saved(config, args, spec, report);
}

}  // namespace redcell
