// tatweel: the Arabic tatweel (U+0640, a letter-joining stroke) between every two joined
// Arabic letters: the word reads the same to a person and differs to a filter. Text in other
// scripts passes unchanged.
#include "converters/text.hpp"

namespace redcell {

namespace {
bool arabic_letter(char32_t c) {
  return c >= 0x0620 && c <= 0x064A && c != 0x0640;
}
}  // namespace

ConverterInfo tatweel_converter() {
  return text::entry(
      "tatweel", "Stretches Arabic words with tatweel (U+0640) between letters.",
      [](std::string_view s) {
        const auto cps = text::code_points(s);
        std::u32string out;
        for (std::size_t i = 0; i < cps.size(); ++i) {
          out += cps[i];
          if (i + 1 < cps.size() && arabic_letter(cps[i]) && arabic_letter(cps[i + 1]))
            out += U'\u0640';
        }
        return text::utf8(out);
      });
}

}  // namespace redcell
