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
  std::string out;
  out.reserve(s.size() * 7);
  text::for_each_code_point(s, [&](char32_t c) {
    if (!out.empty()) out += ' ';
    if (c >= 'a' && c <= 'z')
      out += kLetters[c - 'a'];
    else if (c >= 'A' && c <= 'Z')
      out += kLetters[c - 'A'];
    else if (c >= '0' && c <= '9')
      out += kDigits[c - '0'];
    else if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
      out += '/';
    else
      text::append_utf8(out, c);
  });
  return out;
}

}  // namespace

ConverterInfo nato_converter() {
  return text::entry("nato",
                     "Spells every letter and digit in the NATO phonetic alphabet (Alfa Bravo "
                     "...), words apart by \"/\".",
                     nato);
}

}  // namespace redcell
