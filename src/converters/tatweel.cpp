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
  return text::entry("tatweel", "Stretches Arabic words with tatweel (U+0640) between letters.",
                     [](std::string_view s) {
                       std::string out;
                       out.reserve(s.size() + s.size() / 2);
                       char32_t previous = 0;  // a tatweel goes between two Arabic letters
                       text::for_each_code_point(s, [&](char32_t c) {
                         if (arabic_letter(previous) && arabic_letter(c)) out += "\u0640";
                         text::append_utf8(out, c);
                         previous = c;
                       });
                       return out;
                     });
}

}  // namespace redcell
