// braille: the prompt in Unicode Braille patterns (uncontracted English Braille): letters,
// a capital sign before capitals, a number sign before a run of digits, common punctuation;
// other characters are kept.
#include <array>
#include <map>

#include "converters/text.hpp"

namespace redcell {

namespace {

std::string braille(std::string_view s) {
  // The dots of a..j; k..t add dot 3; u, v, x, y, z add dots 3 and 6; w is its own.
  static constexpr char32_t kAtoJ[] = {0x2801, 0x2803, 0x2809, 0x2819, 0x2811,
                                       0x280B, 0x281B, 0x2813, 0x280A, 0x281A};
  static const std::map<char32_t, char32_t> punctuation{
      {U'.', 0x2832}, {U',', 0x2802}, {U'?', 0x2826},  {U'!', 0x2816}, {U';', 0x2806},
      {U':', 0x2812}, {U'-', 0x2824}, {U'\'', 0x2804}, {U'"', 0x2836}, {U'(', 0x2836},
      {U')', 0x2836}, {U'/', 0x280C}, {U' ', 0x2800}};
  const auto letter = [](char32_t c) -> char32_t {
    const int i = static_cast<int>(c - U'a');
    if (c == U'w') return 0x283A;
    if (i < 10) return kAtoJ[i];
    if (i < 20) return kAtoJ[i - 10] + 0x4;
    const int k = c > U'w' ? i - 1 : i;  // u v x y z follow a..e with dots 3 and 6
    return kAtoJ[k - 20] + 0x24;
  };
  static const auto kPunctuation = [] {  // the map indexed by character (0: none)
    std::array<char32_t, 128> t{};
    for (const auto& [c, cell] : punctuation) t[c] = cell;
    return t;
  }();
  std::string out;
  out.reserve(s.size() * 3 + s.size() / 2);
  bool in_number = false;
  text::for_each_code_point(s, [&](char32_t c) {
    if (c >= U'0' && c <= U'9') {
      if (!in_number) text::append_utf8(out, U'\u283C');  // the number sign
      in_number = true;
      text::append_utf8(out, kAtoJ[c == U'0' ? 9 : c - U'1']);
      return;
    }
    in_number = false;
    if (c >= U'A' && c <= U'Z') {
      text::append_utf8(out, U'\u2820');  // the capital sign
      c = c - U'A' + U'a';
    }
    if (c >= U'a' && c <= U'z')
      text::append_utf8(out, letter(c));
    else if (c < 128 && kPunctuation[c])
      text::append_utf8(out, kPunctuation[c]);
    else
      text::append_utf8(out, c);
  });
  return out;
}

}  // namespace

ConverterInfo braille_converter() {
  return text::entry("braille", "Writes the prompt in Unicode Braille (uncontracted English).",
                     braille);
}

}  // namespace redcell
