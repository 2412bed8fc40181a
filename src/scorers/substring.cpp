#include <algorithm>
#include <boost/json.hpp>

#include "common/json_input.hpp"
#include "scorers/scorer.hpp"

namespace redcell {

namespace {
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

class SubstringScorer final : public Scorer {
 public:
  SubstringScorer(std::string needle, bool case_sensitive, std::string category)
      : needle_(std::move(needle)),
        case_sensitive_(case_sensitive),
        category_(std::move(category)) {}

  Result<ScoreResult> score(std::string_view text) const override {
    auto eq = [this](char a, char b) { return case_sensitive_ ? a == b : lower(a) == lower(b); };
    bool found =
        std::search(text.begin(), text.end(), needle_.begin(), needle_.end(), eq) != text.end();
    return ScoreResult::of(
        "true_false", found ? "true" : "false", category_,
        std::string(found ? "contains" : "does not contain") + " \"" + needle_ + "\"");
  }

 private:
  std::string needle_;
  bool case_sensitive_;
  std::string category_;
};

struct SubstringParams {
  std::string needle;
  bool case_sensitive = false;
  std::string category;
};
}  // namespace

ScorerInfo substring_scorer() {
  return catalog_entry<Scorer, SubstringParams>(
      "substring",
      "True when the response contains the substring (ASCII case-insensitive unless "
      "case_sensitive).",
      boost::json::parse(R"({"type":"object","required":["substring"],
            "properties":{"substring":{"type":"string","minLength":1},
              "case_sensitive":{"type":"boolean","default":false},
              "category":{"type":"string","default":""}},
            "additionalProperties":false,
            "examples":[{"substring":"BEGIN PRIVATE KEY"}]})"),
      [](const boost::json::object& params, const std::string& field,
         const ScorerRegistry&) -> Result<SubstringParams> {
        JsonInput in(params, field);
        if (auto ok = in.only({"substring", "case_sensitive", "category"}); !ok)
          return fail(ok.error());
        auto needle = in.string("substring", 10000);
        if (!needle) return fail(needle.error());
        auto cs = in.boolean("case_sensitive", false);
        if (!cs) return fail(cs.error());
        auto category = in.opt_string("category", 200, true);
        if (!category) return fail(category.error());
        return SubstringParams{*needle, *cs, category->value_or("")};
      },
      [](const SubstringParams&) {
        return PieceInfo{{}, "true_false"};
      },
      [](SubstringParams p, const ScorerRegistry&) -> Result<std::unique_ptr<Scorer>> {
        return std::make_unique<SubstringScorer>(std::move(p.needle), p.case_sensitive,
                                                 std::move(p.category));
      });
}

}  // namespace redcell
