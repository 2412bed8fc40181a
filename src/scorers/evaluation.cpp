#include "scorers/evaluation.hpp"

#include <cmath>

namespace redcell::evaluation {

namespace {
boost::json::value ratio(std::int64_t num, std::int64_t den) {
  if (den == 0) return nullptr;
  return static_cast<double>(num) / static_cast<double>(den);
}

std::string excerpt(const std::string& s) {
  if (s.size() <= 200) return s;
  std::size_t cut = 200;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}
}  // namespace

Result<std::vector<LabelledItem>> read_items(const boost::json::value& items,
                                             const std::string& field, std::string_view score_type,
                                             std::size_t max_items) {
  if (!items.is_array() || items.as_array().empty() || items.as_array().size() > max_items)
    return fail(Error::invalid(field, items,
                               "an array of 1 to " + std::to_string(max_items) +
                                   " items {\"text\", \"objective\"?, \"label\"}"));
  const bool true_false = score_type == "true_false";
  std::vector<LabelledItem> out;
  out.reserve(items.as_array().size());
  for (std::size_t i = 0; i < items.as_array().size(); ++i) {
    const auto& v = items.as_array()[i];
    const std::string at = field + "/" + std::to_string(i);
    if (!v.is_object())
      return fail(Error::invalid(at, v, "an object {\"text\", \"objective\"?, \"label\"}"));
    const auto& o = v.as_object();
    for (const auto& kv : o)
      if (kv.key() != "text" && kv.key() != "objective" && kv.key() != "label")
        return fail(Error::invalid(at + "/" + std::string(kv.key()), kv.value(),
                                   "only text, objective and label"));
    LabelledItem item;
    const auto* text = o.if_contains("text");
    if (!text || !text->is_string() || text->as_string().size() > 100'000)
      return fail(Error::invalid(at + "/text", text ? *text : nullptr,
                                 "the reply to score, a string of at most 100000 bytes"));
    item.text = std::string(text->as_string());
    if (const auto* obj = o.if_contains("objective"); obj && !obj->is_null()) {
      if (!obj->is_string() || obj->as_string().size() > 100'000)
        return fail(Error::invalid(at + "/objective", *obj, "a string of at most 100000 bytes"));
      item.objective = std::string(obj->as_string());
    }
    const auto* label = o.if_contains("label");
    const boost::json::value none = nullptr;
    const auto& l = label ? *label : none;
    if (true_false) {
      if (l.is_bool())
        item.label = l.as_bool() ? 1 : 0;
      else if (l.is_string() && (l.as_string() == "true" || l.as_string() == "false"))
        item.label = l.as_string() == "true" ? 1 : 0;
      else
        return fail(Error::invalid(at + "/label", l, "true or false (the scorer is true_false)"));
    } else {
      if (!l.is_number() || l.to_number<double>() < 0 || l.to_number<double>() > 1)
        return fail(
            Error::invalid(at + "/label", l, "a number from 0 to 1 (the scorer is float_scale)"));
      item.label = l.to_number<double>();
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<double> krippendorff_alpha(const std::vector<std::pair<double, double>>& pairs) {
  if (pairs.empty()) return std::nullopt;
  const double n = 2.0 * static_cast<double>(pairs.size());
  double observed = 0, sum = 0, squares = 0;
  for (const auto& [a, b] : pairs) {
    observed += 2 * (a - b) * (a - b);  // both ordered pairs within the unit, m_u - 1 = 1
    sum += a + b;
    squares += a * a + b * b;
  }
  const double ss = squares - sum * sum / n;  // sum of squared deviations of all values
  const double expected = 2 * ss / (n - 1);
  if (expected <= 0) return std::nullopt;
  return 1 - (observed / n) / expected;
}

boost::json::object report(std::string_view score_type, const std::vector<LabelledItem>& items,
                           const std::vector<Result<ScoreResult>>& verdicts) {
  std::int64_t undetermined = 0, errors = 0;
  boost::json::object out{{"score_type", score_type},
                          {"items", static_cast<std::int64_t>(items.size())}};
  boost::json::array misjudged;
  const auto note = [&misjudged](std::size_t i, const LabelledItem& item, boost::json::value label,
                                 const ScoreResult& r) {
    if (misjudged.size() >= 500) return;
    misjudged.push_back({{"index", static_cast<std::int64_t>(i)},
                         {"text", excerpt(item.text)},
                         {"label", std::move(label)},
                         {"value", r.value},
                         {"rationale", excerpt(r.rationale)}});
  };
  // The decided verdicts; errors and undetermined ones are counted apart.
  std::vector<std::size_t> decided;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!verdicts[i])
      ++errors;
    else if (verdicts[i]->undetermined())
      ++undetermined;
    else
      decided.push_back(i);
  }
  if (score_type == "true_false") {
    std::int64_t tp = 0, fp = 0, tn = 0, fn = 0;
    for (const auto i : decided) {
      const auto& v = verdicts[i];
      const bool said = v->value == "true", truth = items[i].label > 0.5;
      if (said && truth) ++tp;
      if (said && !truth) ++fp;
      if (!said && !truth) ++tn;
      if (!said && truth) ++fn;
      if (said != truth) note(i, items[i], truth, *v);
    }
    const auto precision = ratio(tp, tp + fp), recall = ratio(tp, tp + fn);
    boost::json::value f1 = nullptr;
    if (!precision.is_null() && !recall.is_null() && precision.as_double() + recall.as_double() > 0)
      f1 = 2 * precision.as_double() * recall.as_double() /
           (precision.as_double() + recall.as_double());
    out["accuracy"] = ratio(tp + tn, tp + tn + fp + fn);
    out["precision"] = precision;
    out["recall"] = recall;
    out["f1"] = f1;
    out["confusion_matrix"] = {{"true_positive", tp},
                               {"false_positive", fp},
                               {"true_negative", tn},
                               {"false_negative", fn}};
  } else {
    std::vector<std::pair<double, double>> pairs;
    double abs_error = 0;
    for (const auto i : decided) {
      const auto& v = verdicts[i];
      const double value = std::stod(v->value);
      pairs.emplace_back(items[i].label, value);
      abs_error += std::fabs(value - items[i].label);
      if (std::fabs(value - items[i].label) > 0.25) note(i, items[i], items[i].label, *v);
    }
    out["mean_absolute_error"] =
        pairs.empty() ? boost::json::value(nullptr)
                      : boost::json::value(abs_error / static_cast<double>(pairs.size()));
    const auto alpha = krippendorff_alpha(pairs);
    out["krippendorff_alpha"] = alpha ? boost::json::value(*alpha) : nullptr;
  }
  out["undetermined"] = undetermined;
  out["errors"] = errors;
  out["misjudged"] = std::move(misjudged);
  return out;
}

}  // namespace redcell::evaluation
