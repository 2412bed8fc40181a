#include "scorers/rule.hpp"

namespace redcell::rule {

std::string excerpt(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

PatternSet::PatternSet(std::span<const Pattern> patterns, const std::vector<std::string>& names) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  set_ = std::make_unique<re2::RE2::Set>(options, re2::RE2::UNANCHORED);
  for (const auto& p : patterns) {
    if (!names.empty() && std::find(names.begin(), names.end(), p.name) == names.end()) continue;
    patterns_.push_back(&p);
    compiled_.push_back(
        std::make_unique<re2::RE2>(re2::StringPiece(p.re.data(), p.re.size()), options));
    set_->Add(re2::StringPiece(p.re.data(), p.re.size()), nullptr);
  }
  set_->Compile();
}

std::optional<PatternSet::Match> PatternSet::first_match(std::string_view text) const {
  std::vector<int> hits;
  const re2::StringPiece piece(text.data(), text.size());
  if (patterns_.empty() || !set_->Match(piece, &hits) || hits.empty()) return std::nullopt;
  const auto i = static_cast<std::size_t>(*std::min_element(hits.begin(), hits.end()));
  re2::StringPiece found;
  if (!compiled_[i]->Match(piece, 0, piece.size(), re2::RE2::UNANCHORED, &found, 1))
    return Match{patterns_[i]->name, "", 0};
  return Match{patterns_[i]->name, excerpt(std::string_view(found.data(), found.size())),
               found.size()};
}

Result<std::vector<std::string>> read_kinds(const JsonInput& in,
                                            std::span<const Pattern> patterns) {
  auto kinds = in.strings("kinds", patterns.size(), 64);
  if (!kinds) return kinds;
  for (std::size_t i = 0; i < kinds->size(); ++i) {
    const auto& k = (*kinds)[i];
    if (std::none_of(patterns.begin(), patterns.end(),
                     [&k](const Pattern& p) { return p.name == k; })) {
      std::string known;
      for (const auto& p : patterns) known += (known.empty() ? "" : ", ") + std::string(p.name);
      return fail(Error::invalid(in.field("kinds") + "/" + std::to_string(i), boost::json::value(k),
                                 "one of " + known));
    }
  }
  if (kinds->empty() && in.has("kinds"))
    return fail(
        Error::invalid(in.field("kinds"), *in.get("kinds"), "at least one kind (omit it for all)"));
  return kinds;
}

namespace {
struct PatternParams {
  std::shared_ptr<const PatternSet> set;
};

// The secret itself never goes into a rationale: its first four characters and its length.
std::string redacted(const PatternSet::Match& m) {
  return m.excerpt.substr(0, std::min<std::size_t>(4, m.excerpt.size())) + "... (" +
         std::to_string(m.length) + " bytes)";
}
}  // namespace

ScorerInfo pattern_entry(std::string type, std::string description, std::string category,
                         std::span<const Pattern> patterns, bool redact) {
  boost::json::array names;
  for (const auto& p : patterns) names.emplace_back(p.name);
  boost::json::object schema = boost::json::parse(R"({"type":"object","properties":{
      "kinds":{"type":"array","items":{"type":"string"},"uniqueItems":true,"minItems":1,
        "description":"the kinds to look for; all when omitted"}},
      "additionalProperties":false})")
                                   .as_object();
  schema["properties"].as_object()["kinds"].as_object()["items"].as_object()["enum"] = names;
  return catalog_entry<Scorer, PatternParams>(
      std::move(type), std::move(description), std::move(schema),
      [patterns](const boost::json::object& params, const std::string& field,
                 const ScorerRegistry&) -> Result<PatternParams> {
        JsonInput in(params, field);
        if (auto ok = in.only({"kinds"}); !ok) return fail(ok.error());
        auto kinds = read_kinds(in, patterns);
        if (!kinds) return fail(kinds.error());
        return PatternParams{std::make_shared<const PatternSet>(patterns, *kinds)};
      },
      [](const PatternParams&) {
        return PieceInfo{{}, "true_false"};
      },
      [category, redact](PatternParams p,
                         const ScorerRegistry&) -> Result<std::unique_ptr<Scorer>> {
        auto fn = [category, redact](const ScoreInput& input,
                                     const PatternParams& params) -> Result<ScoreResult> {
          auto m = params.set->first_match(input.text);
          if (!m)
            return verdict(false, category,
                           "none of " + std::to_string(params.set->size()) + " patterns found");
          return verdict(
              true, category,
              std::string(m->name) + ": \"" + (redact ? redacted(*m) : m->excerpt) + "\"");
        };
        return std::make_unique<FnScorer<PatternParams, decltype(fn)>>(std::move(p), fn,
                                                                       "true_false");
      });
}

}  // namespace redcell::rule
