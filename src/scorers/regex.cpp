#include <re2/re2.h>

#include <boost/json.hpp>

#include "common/json_input.hpp"
#include "scorers/scorer.hpp"

namespace redcell {

namespace {
class RegexScorer final : public Scorer {
 public:
  RegexScorer(std::unique_ptr<re2::RE2> re, std::string category)
      : re_(std::move(re)), category_(std::move(category)) {}

  Result<ScoreResult> score(std::string_view text) const override {
    bool found = re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
    return ScoreResult::of(
        "true_false", found ? "true" : "false", category_,
        std::string(found ? "matches" : "does not match") + " /" + re_->pattern() + "/");
  }

 private:
  std::unique_ptr<re2::RE2> re_;
  std::string category_;
};

struct RegexParams {
  std::unique_ptr<re2::RE2> re;  // compiled when read: a bad pattern fails validation
  std::string category;
};
}  // namespace

ScorerInfo regex_scorer() {
  return catalog_entry<Scorer, RegexParams>(
      "regex",
      "True when the response matches the RE2 pattern anywhere (linear time, no "
      "backreferences).",
      boost::json::parse(R"({"type":"object","required":["pattern"],
            "properties":{"pattern":{"type":"string","minLength":1},
              "case_sensitive":{"type":"boolean","default":true},
              "category":{"type":"string","default":""}},
            "additionalProperties":false,
            "examples":[{"pattern":"\\bsk-[A-Za-z0-9]{20,}","category":"credential"}]})"),
      [](const boost::json::object& params, const std::string& field,
         const ScorerRegistry&) -> Result<RegexParams> {
        JsonInput in(params, field);
        if (auto ok = in.only({"pattern", "case_sensitive", "category"}); !ok)
          return fail(ok.error());
        auto pattern = in.string("pattern", 4000);
        if (!pattern) return fail(pattern.error());
        auto cs = in.boolean("case_sensitive", true);
        if (!cs) return fail(cs.error());
        auto category = in.opt_string("category", 200, true);
        if (!category) return fail(category.error());
        re2::RE2::Options options;
        options.set_log_errors(false);
        options.set_case_sensitive(*cs);
        auto re = std::make_unique<re2::RE2>(*pattern, options);
        if (!re->ok())
          return fail(Error::invalid(in.field("pattern"), boost::json::value(*pattern),
                                     "an RE2 regular expression (" + re->error() + ")"));
        return RegexParams{std::move(re), category->value_or("")};
      },
      [](const RegexParams&) {
        return PieceInfo{{}, "true_false"};
      },
      [](RegexParams p, const ScorerRegistry&) -> Result<std::unique_ptr<Scorer>> {
        return std::make_unique<RegexScorer>(std::move(p.re), std::move(p.category));
      });
}

}  // namespace redcell
