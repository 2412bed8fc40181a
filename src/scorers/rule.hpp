#pragma once
// What rule-based scorers share: catalog entries for a scorer that is a function of its
// input and params (as text::entry is for converters), and pattern sets matched in one
// pass (RE2::Set), so a detector with a dozen patterns reads its text once.

#include <re2/re2.h>
#include <re2/set.h>

#include <boost/json.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_input.hpp"
#include "common/params_schema.hpp"
#include "scorers/scorer.hpp"

namespace redcell::rule {

// A scorer that is `fn(input, params)`.
template <class P, class Fn>
class FnScorer final : public Scorer {
 public:
  FnScorer(P params, Fn fn, std::string_view score_type)
      : params_(std::move(params)), fn_(std::move(fn)), score_type_(score_type) {}
  Result<ScoreResult> score(std::string_view text) const override {
    return judge(ScoreInput{std::string(text), {}, {}});
  }
  Result<ScoreResult> judge(const ScoreInput& input) const override { return fn_(input, params_); }
  std::string_view score_type() const override { return score_type_; }

 private:
  P params_;
  Fn fn_;
  std::string_view score_type_;
};

// An entry for a rule-based scorer with params P: `schema` (its properties are the members
// accepted), `read(JsonInput)` -> Result<P>, `fn(const ScoreInput&, const P&)` ->
// Result<ScoreResult>. `score_type` is "true_false" or "float_scale".
template <class P, class Read, class Fn>
ScorerInfo entry(std::string type, std::string description, const char* schema,
                 std::string_view score_type, Read read, Fn fn) {
  auto parsed = boost::json::parse(schema);
  return catalog_entry<Scorer, P>(
      std::move(type), std::move(description), parsed,
      [read, members = SchemaMembers(parsed)](const boost::json::object& params,
                                              const std::string& field,
                                              const ScorerRegistry&) -> Result<P> {
        JsonInput in(params, field);
        if (auto ok = members.check(in); !ok) return fail(ok.error());
        return read(in);
      },
      [score_type](const P&) {
        return PieceInfo{{}, std::string(score_type)};
      },
      [fn, score_type](P p, const ScorerRegistry&) -> Result<std::unique_ptr<Scorer>> {
        return std::make_unique<FnScorer<P, Fn>>(std::move(p), fn, score_type);
      });
}

inline ScoreResult verdict(bool value, std::string category, std::string rationale) {
  return ScoreResult::of("true_false", value ? "true" : "false", std::move(category),
                         std::move(rationale));
}

// A named RE2 pattern ("aws_access_key", "(?i)...").
struct Pattern {
  std::string_view name;
  std::string_view re;
};

// Patterns matched in one pass; `first_match` names the first pattern (in list order) that
// matches and where.
class PatternSet {
 public:
  // `names`: the subset to use (empty: all). Patterns are ours and known to compile.
  PatternSet(std::span<const Pattern> patterns, const std::vector<std::string>& names);
  struct Match {
    std::string_view name;
    std::string excerpt;     // the matched text, cut to 80 bytes
    std::size_t length = 0;  // of the whole match
  };
  std::optional<Match> first_match(std::string_view text) const;
  std::size_t size() const { return patterns_.size(); }

 private:
  std::vector<const Pattern*> patterns_;
  std::vector<std::unique_ptr<re2::RE2>> compiled_;
  std::unique_ptr<re2::RE2::Set> set_;
};

// Reads `kinds` (a subset of `patterns`' names; all when omitted) and names a bad one.
Result<std::vector<std::string>> read_kinds(const JsonInput& in, std::span<const Pattern> patterns);

// A detector: true when any of its patterns (or the `kinds` chosen) matches the reply.
ScorerInfo pattern_entry(std::string type, std::string description, std::string category,
                         std::span<const Pattern> patterns, bool redact);

// Text for a rationale: `s` cut to `max` bytes at a UTF-8 boundary, "..." when cut.
std::string excerpt(std::string_view s, std::size_t max = 80);

}  // namespace redcell::rule
