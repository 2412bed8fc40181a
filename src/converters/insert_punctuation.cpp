// insert_punctuation: PyRIT's InsertPunctuationConverter: a punctuation mark drawn from the
// seed after a share of the words (word_swap_ratio, default 0.2) as a token of its own
// (between_words, the default) or inside the word.
#include <random>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct PunctuationParams {
  double ratio = 0.2;
  bool between_words = true;
};

std::string insert(std::string_view s, const PunctuationParams& p, std::uint64_t seed) {
  static constexpr std::string_view kMarks = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution pick(p.ratio);
  std::uniform_int_distribution<std::size_t> mark(0, kMarks.size() - 1);
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    std::string_view word = s.substr(i, j - i);
    if (!word.empty() && pick(rng)) {
      const char m = kMarks[mark(rng)];
      if (p.between_words || word.size() < 2) {
        out.append(word).append(" ").push_back(m);
      } else {  // inside: after a character drawn from the word's inner positions
        const auto at = std::uniform_int_distribution<std::size_t>(1, word.size() - 1)(rng);
        out.append(word.substr(0, at)).push_back(m);
        out.append(word.substr(at));
      }
    } else {
      out.append(word);
    }
    if (j < s.size()) out += ' ';
    i = j + 1;
  }
  return out;
}

}  // namespace

ConverterInfo insert_punctuation_converter() {
  return text::entry<PunctuationParams, true>(
      "insert_punctuation",
      "Inserts a punctuation mark (drawn from the seed) after a share of the words, or inside "
      "them.",
      R"json({"type":"object","properties":{
        "word_swap_ratio":{"type":"number","minimum":0,"maximum":1,"default":0.2},
        "between_words":{"type":"boolean","default":true}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<PunctuationParams> {
        auto r = in.opt_number("word_swap_ratio", 0, 1);
        if (!r) return fail(r.error());
        auto b = in.boolean("between_words", true);
        if (!b) return fail(b.error());
        return PunctuationParams{r->value_or(0.2), *b};
      },
      insert);
}

}  // namespace redcell
