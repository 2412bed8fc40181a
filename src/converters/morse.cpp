// morse: PyRIT's MorseConverter: International Morse code, letters separated by spaces and
// words by "/"; a character Morse has no code for becomes the error signal "........".
// append_description asks the target to answer in Morse.
#include <array>
#include <map>

#include "converters/text.hpp"

namespace redcell {

namespace {

std::string morse(std::string_view s) {
  static const std::map<char32_t, std::string_view> codes{
      {'a', ".-"},     {'b', "-..."},   {'c', "-.-."},    {'d', "-.."},    {'e', "."},
      {'f', "..-."},   {'g', "--."},    {'h', "...."},    {'i', ".."},     {'j', ".---"},
      {'k', "-.-"},    {'l', ".-.."},   {'m', "--"},      {'n', "-."},     {'o', "---"},
      {'p', ".--."},   {'q', "--.-"},   {'r', ".-."},     {'s', "..."},    {'t', "-"},
      {'u', "..-"},    {'v', "...-"},   {'w', ".--"},     {'x', "-..-"},   {'y', "-.--"},
      {'z', "--.."},   {'0', "-----"},  {'1', ".----"},   {'2', "..---"},  {'3', "...--"},
      {'4', "....-"},  {'5', "....."},  {'6', "-...."},   {'7', "--..."},  {'8', "---.."},
      {'9', "----."},  {'.', ".-.-.-"}, {',', "--..--"},  {'?', "..--.."}, {'\'', ".----."},
      {'!', "-.-.--"}, {'/', "-..-."},  {'(', "-.--."},   {')', "-.--.-"}, {'&', ".-..."},
      {':', "---..."}, {';', "-.-.-."}, {'=', "-...-"},   {'+', ".-.-."},  {'-', "-....-"},
      {'_', "..--.-"}, {'"', ".-..-."}, {'$', "...-..-"}, {'@', ".--.-."}};
  static const auto ascii = [] {  // the table indexed by character, each code and a space
    std::array<text::Piece, 128> t;
    t.fill(text::Piece("........ "));
    for (const auto& [c, code] : codes) t[c] = text::Piece(std::string(code) + ' ');
    for (char c : std::string_view(" \n\t\r")) t[c] = text::Piece("/ ");
    for (char c = 'A'; c <= 'Z'; ++c) t[c] = t[c - 'A' + 'a'];
    return t;
  }();
  static const text::Piece unknown("........ ");
  // Per input byte at most the eight dots of an unknown character and a space; the last
  // space is dropped.
  return text::write_at_most(9 * s.size(), [&](char* p) {
    char* const begin = p;
    text::for_each_code_point(s,
                              [&](char32_t c) { p = text::put(p, c < 128 ? ascii[c] : unknown); });
    return p == begin ? p : p - 1;
  });
}

}  // namespace

ConverterInfo morse_converter() {
  return text::entry<text::Describable>(
      "morse", "International Morse code: letters apart by spaces, words by \"/\".",
      text::kDescribableSchema, text::read_describable,
      [](std::string_view s, const text::Describable& p) {
        if (!p.append_description) return morse(s);
        return text::described("Morse code",
                               "dots and dashes, letters apart by spaces and words by /", morse, s);
      });
}

}  // namespace redcell
