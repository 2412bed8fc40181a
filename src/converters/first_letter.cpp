// first_letter: PyRIT's FirstLetterConverter: the first character of every word, joined by
// letter_separator (default " ").
#include "converters/text.hpp"

namespace redcell {

namespace {
struct FirstLetterParams {
  std::string separator = " ";
};
}  // namespace

ConverterInfo first_letter_converter() {
  return text::entry<FirstLetterParams>(
      "first_letter", "Keeps the first character of every word, joined by letter_separator.",
      R"({"type":"object","properties":{
        "letter_separator":{"type":"string","maxLength":16,"default":" "}},
        "additionalProperties":false})",
      [](const JsonInput& in) -> Result<FirstLetterParams> {
        auto v = in.opt_string("letter_separator", 16, true);
        if (!v) return fail(v.error());
        return FirstLetterParams{v->value_or(" ")};
      },
      [](std::string_view s, const FirstLetterParams& p) {
        std::string out;
        for (auto word : text::words(s)) {
          if (!out.empty()) out += p.separator;
          bool first = true;  // the word's first code point only
          text::for_each_code_point(word.substr(0, 4), [&](char32_t c) {
            if (first) text::append_utf8(out, c);
            first = false;
          });
        }
        return out;
      });
}

}  // namespace redcell
