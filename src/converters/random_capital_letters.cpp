// random_capital_letters: upper-cases a random share of the text's letters (PyRIT's
// RandomCapitalLettersConverter, same parameter: `percentage`, 0-100, default 100). The
// letters are drawn from the seed, so a work item replays with the same capitals.
#include <algorithm>
#include <boost/json.hpp>
#include <numeric>

#include "common/json_input.hpp"
#include "converters/converter.hpp"
#include "converters/text.hpp"

namespace redcell {

namespace {

class RandomCapitalLetters final : public Converter {
 public:
  explicit RandomCapitalLetters(double percentage) : percentage_(percentage) {}

  Result<std::string> convert(std::string_view input) const override {
    return convert_seeded(input, 0);
  }
  Result<std::string> convert_seeded(std::string_view input, std::uint64_t seed) const override {
    std::string out(input);
    std::vector<std::size_t> letters;  // lower-case ASCII letters: what may change
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out[i] >= 'a' && out[i] <= 'z') letters.push_back(i);
    const auto n = static_cast<std::size_t>(
        std::llround(static_cast<double>(letters.size()) * percentage_ / 100.0));
    if (n == letters.size()) {  // every letter: no choice to draw
      for (auto i : letters) out[i] = static_cast<char>(out[i] - 'a' + 'A');
      return out;
    }
    text::Draws draw(seed);
    // A partial Fisher-Yates shuffle: the first n positions are a uniform random choice.
    for (std::size_t i = 0; i < n; ++i) {
      std::swap(letters[i], letters[i + draw.index(letters.size() - i)]);
      out[letters[i]] = static_cast<char>(out[letters[i]] - 'a' + 'A');
    }
    return out;
  }
  ConverterTraits traits() const override { return {false, "text", "text", true}; }

 private:
  double percentage_;
};

}  // namespace

ConverterInfo random_capital_letters_converter() {
  return catalog_entry<Converter, double>(
      "random_capital_letters",
      "Upper-cases a random share of the letters (percentage, 0-100); the choice is drawn "
      "from the work item's seed, so a run replays.",
      boost::json::parse(R"({"type":"object","properties":{
            "percentage":{"type":"number","minimum":0,"maximum":100,"default":100,
              "description":"the share of letters upper-cased"}},
            "additionalProperties":false})"),
      [](const boost::json::object& params, const std::string& field,
         const ConverterRegistry&) -> Result<double> {
        JsonInput in(params, field);
        if (auto ok = in.only({"percentage"}); !ok) return fail(ok.error());
        auto p = in.opt_number("percentage", 0, 100);
        if (!p) return fail(p.error());
        return p->value_or(100.0);
      },
      [](double) { return PieceInfo{}; },
      [](double percentage, const ConverterRegistry&) -> Result<std::unique_ptr<Converter>> {
        return std::make_unique<RandomCapitalLetters>(percentage);
      });
}

}  // namespace redcell
