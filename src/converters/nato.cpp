// nato: the NATO phonetic alphabet: every letter and digit spelled as its code word
// (Alfa, Bravo, ...; Zero, One, ...), words apart by "/", other characters kept.
#include "converters/text.hpp"

namespace redcell {

namespace {

std::string nato(std::string_view s) {
  static constexpr std::string_view kLetters[] = {
      "Alfa",    "Bravo", "Charlie", "Delta",  "Echo",     "Foxtrot", "Golf",   "Hotel",  "India",
      "Juliett", "Kilo",  "Lima",    "Mike",   "November", "Oscar",   "Papa",   "Quebec", "Romeo",
      "Sierra",  "Tango", "Uniform", "Victor", "Whiskey",  "X-ray",   "Yankee", "Zulu"};
  static constexpr std::string_view kDigits[] = {"Zero", "One", "Two",   "Three", "Four",
                                                 "Five", "Six", "Seven", "Eight", "Nine"};
  // Per input byte at most a space and the longest code word ("November").
  return text::write_at_most(9 * s.size(), [&](char* p) {
    char* const begin = p;
    text::for_each_code_point(s, [&](char32_t c) {
      if (p != begin) *p++ = ' ';
      if (c >= 'a' && c <= 'z')
        p = text::put(p, kLetters[c - 'a']);
      else if (c >= 'A' && c <= 'Z')
        p = text::put(p, kLetters[c - 'A']);
      else if (c >= '0' && c <= '9')
        p = text::put(p, kDigits[c - '0']);
      else if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
        *p++ = '/';
      else
        p = text::put_utf8(p, c);
    });
    return p;
  });
}

}  // namespace

ConverterInfo nato_converter() {
  return text::entry("nato",
                     "Spells every letter and digit in the NATO phonetic alphabet (Alfa Bravo "
                     "...), words apart by \"/\".",
                     nato);
}

}  // namespace redcell
