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
  static const auto ascii = [] {  // the table indexed by character
    std::array<std::string_view, 128> t{};
    for (const auto& [c, code] : codes) t[c] = code;
    return t;
  }();
  std::string out;
  out.reserve(s.size() * 5);
  text::for_each_code_point(s, [&](char32_t c) {
    if (!out.empty()) out += ' ';
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      out += '/';
      return;
    }
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
    const std::string_view code = c < 128 ? ascii[c] : std::string_view();
    out += code.empty() ? std::string_view("........") : code;
  });
  return out;
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
