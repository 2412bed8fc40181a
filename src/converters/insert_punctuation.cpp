// insert_punctuation: PyRIT's InsertPunctuationConverter: a punctuation mark drawn from the
// seed after a share of the words (word_swap_ratio, default 0.2) as a token of its own
// (between_words, the default) or inside the word.

#include "converters/text.hpp"

namespace redcell {

namespace {

struct PunctuationParams {
  double ratio = 0.2;
  bool between_words = true;
};

std::string insert(std::string_view s, const PunctuationParams& p, std::uint64_t seed) {
  static constexpr std::string_view kMarks = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  // text::Draws, not mt19937_64 and its distributions: seeding it and a double per word
  // were a third of a 1 KB prompt's cost. A word is picked when a 16-bit share is below
  // ratio * 65536.
  text::Draws draw(seed);
  const auto picked = static_cast<unsigned>(p.ratio * 65536);
  // A word grows by at most a space and a mark.
  return text::write_at_most(3 * s.size(), [&](char* out) {
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t j = i;
      while (j < s.size() && s[j] != ' ') ++j;
      const std::string_view word = s.substr(i, j - i);
      if (!word.empty() && draw.below(65536) < picked) {
        const char m = kMarks[draw.below(kMarks.size())];
        if (p.between_words || word.size() < 2) {
          out = text::put(out, word);
          *out++ = ' ';
          *out++ = m;
        } else {  // inside: after a character drawn from the word's inner positions
          const auto at = 1 + draw.next() % (word.size() - 1);
          out = text::put(out, word.substr(0, at));
          *out++ = m;
          out = text::put(out, word.substr(at));
        }
      } else {
        out = text::put(out, word);
      }
      if (j < s.size()) *out++ = ' ';
      i = j + 1;
    }
    return out;
  });
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
