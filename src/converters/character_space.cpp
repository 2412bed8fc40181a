// character_space: PyRIT's CharacterSpaceConverter: a space between every character, then
// ASCII punctuation removed (a bypass of prompt classifiers that read words).
#include "converters/text.hpp"

namespace redcell {

namespace {
// ASCII punctuation, as the C locale's ispunct (a call per character) and Python's
// string.punctuation.
bool punctuation(char32_t c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}
}  // namespace

ConverterInfo character_space_converter() {
  return text::entry("character_space",
                     "Puts a space between every character and drops ASCII punctuation.",
                     [](std::string_view s) {
                       // Per input byte at most a space and the byte itself.
                       return text::write_at_most(2 * s.size(), [&](char* p) {
                         bool first = true;
                         text::for_each_code_point(s, [&](char32_t c) {
                           if (!first) *p++ = ' ';
                           first = false;
                           // ASCII punctuation: Python's string.punctuation
                           if (c < 128 && punctuation(c)) return;
                           p = text::put_utf8(p, c);
                         });
                         return p;
                       });
                     });
}

}  // namespace redcell
