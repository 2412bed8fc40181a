// float_threshold: turns a float_scale scorer into a true_false one: true when its value
// compares with threshold as `comparison` says (>= by default), so a Likert or scale judge,
// or plagiarism, can be an execution's objective. Undetermined stays undetermined.
#include <charconv>

#include "scorers/combinators.hpp"
#include "scorers/similarity.hpp"

namespace redcell {

namespace {
enum class Cmp { ge, gt, le, lt };

class FloatThreshold final : public Scorer {
 public:
  FloatThreshold(std::unique_ptr<Scorer> inner, double threshold, Cmp cmp, std::string op)
      : inner_(std::move(inner)), threshold_(threshold), cmp_(cmp), op_(std::move(op)) {}

  Result<ScoreResult> score(std::string_view text) const override {
    return judge(ScoreInput{std::string(text), {}, {}});
  }
  Result<ScoreResult> judge(const ScoreInput& input) const override {
    return apply(inner_->judge(input));
  }
  Task<Result<ScoreResult>> score_async(ScoreInput input, LlmClient& llm) const override {
    auto r = co_await inner_->score_async(std::move(input), llm);
    co_return apply(std::move(r));
  }
  ScorerTraits traits() const override {
    const auto inner = inner_->traits();
    return {inner.needs_llm, inner.input_type, "true_false", inner.needs_conversation};
  }

 private:
  Result<ScoreResult> apply(Result<ScoreResult> r) const {
    if (!r || r->undetermined()) {
      if (r) r->score_type = "true_false";
      return r;
    }
    double v = 0;  // from_chars: stod went through the locale, a third of this scorer's cost
    const auto* end = r->value.data() + r->value.size();
    if (auto [ptr, ec] = std::from_chars(r->value.data(), end, v); ec != std::errc() || ptr != end)
      return fail(ErrorCode::internal,
                  "float_threshold: the scorer inside returned \"" + r->value + "\", not a number");
    bool hit = false;
    switch (cmp_) {
      case Cmp::ge:
        hit = v >= threshold_;
        break;
      case Cmp::gt:
        hit = v > threshold_;
        break;
      case Cmp::le:
        hit = v <= threshold_;
        break;
      case Cmp::lt:
        hit = v < threshold_;
        break;
    }
    r->score_type = "true_false";
    r->rationale = r->value + " " + op_ + " " + similarity::decimal(threshold_) + ": " +
                   (hit ? "true" : "false") + " (" + r->rationale + ")";
    r->value = hit ? "true" : "false";
    return r;
  }

  std::unique_ptr<Scorer> inner_;
  double threshold_;
  Cmp cmp_;
  std::string op_;
};

struct ThresholdParams {
  combine::Wrapped inner;
  double threshold = 0.5;
  Cmp cmp = Cmp::ge;
  std::string op = ">=";
};
}  // namespace

ScorerInfo float_threshold_scorer() {
  return catalog_entry<Scorer, ThresholdParams>(
      "float_threshold",
      "True when the float_scale scorer inside compares with threshold (>= by default): makes "
      "a Likert or scale judge, or plagiarism, usable as the objective.",
      boost::json::parse(R"json({"type":"object","required":["scorer"],"properties":{
        "scorer":{"type":"object","required":["type"],
          "properties":{"type":{"type":"string"},"params":{"type":"object"}},
          "description":"a float_scale scorer"},
        "threshold":{"type":"number","minimum":0,"maximum":1,"default":0.5},
        "comparison":{"type":"string","enum":[">=",">","<=","<"],"default":">="}},
        "additionalProperties":false,
        "examples":[{"scorer":{"type":"plagiarism","params":{"reference_text":"the secret recipe is flour, water and salt"}},"threshold":0.6}]})json"),
      [](const boost::json::object& params, const std::string& field,
         const ScorerRegistry& registry) -> Result<ThresholdParams> {
        JsonInput in(params, field);
        if (auto ok = in.only({"scorer", "threshold", "comparison"}); !ok) return fail(ok.error());
        const auto* spec = in.get("scorer");
        if (!spec)
          return fail(
              Error::invalid(in.field("scorer"), nullptr,
                             "the float_scale scorer to threshold, {\"type\", \"params\"}"));
        auto inner = combine::read_wrapped(*spec, in.field("scorer"), registry, "float_scale");
        if (!inner) return fail(inner.error());
        auto threshold = in.opt_number("threshold", 0, 1);
        if (!threshold) return fail(threshold.error());
        auto op = in.opt_string("comparison", 2);
        if (!op) return fail(op.error());
        ThresholdParams p{std::move(*inner), threshold->value_or(0.5), Cmp::ge, op->value_or(">=")};
        if (p.op == ">")
          p.cmp = Cmp::gt;
        else if (p.op == "<=")
          p.cmp = Cmp::le;
        else if (p.op == "<")
          p.cmp = Cmp::lt;
        else if (p.op != ">=")
          return fail(Error::invalid(in.field("comparison"), boost::json::value(p.op),
                                     "one of >=, >, <=, <"));
        return p;
      },
      [](const ThresholdParams& p) {
        return PieceInfo{p.inner.info.helper_targets, "true_false"};
      },
      [](ThresholdParams p, const ScorerRegistry& registry) -> Result<std::unique_ptr<Scorer>> {
        auto inner = combine::build(p.inner, registry);
        if (!inner) return fail(inner.error());
        return std::make_unique<FloatThreshold>(std::move(*inner), p.threshold, p.cmp, p.op);
      });
}

}  // namespace redcell
