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
  // The cells of each ASCII character, in UTF-8, made once: a digit's own cell (the number
  // sign is written before a run of digits), a capital's with the capital sign before it.
  static const auto kCells = [&] {
    const auto cells = [](std::initializer_list<char32_t> cps) {
      std::string out;
      for (char32_t c : cps) text::append_utf8(out, c);
      return text::Piece(out);
    };
    std::array<text::Piece, 128> t;
    for (char32_t c = 0; c < 128; ++c) t[c] = cells({c});
    for (const auto& [c, cell] : punctuation) t[c] = cells({cell});
    for (char32_t c = U'a'; c <= U'z'; ++c) {
      t[c] = cells({letter(c)});
      t[c - U'a' + U'A'] = cells({U'\u2820', letter(c)});  // the capital sign
    }
    for (char32_t c = U'0'; c <= U'9'; ++c) t[c] = cells({kAtoJ[c == U'0' ? 9 : c - U'1']});
    return t;
  }();
  static const auto kNumberSign = text::Piece("\u283C");
  bool in_number = false;
  // An ASCII byte becomes at most two cells of three bytes; the rest is copied.
  return text::write_at_most(6 * s.size(), [&](char* p) {
    text::for_each_code_point(s, [&](char32_t c) {
      const bool digit = c >= U'0' && c <= U'9';
      if (digit && !in_number) p = text::put(p, kNumberSign);
      in_number = digit;
      p = c < 128 ? text::put(p, kCells[c]) : text::put_utf8(p, c);
    });
    return p;
  });
}

}  // namespace

ConverterInfo braille_converter() {
  return text::entry("braille", "Writes the prompt in Unicode Braille (uncontracted English).",
                     braille);
}

}  // namespace redcell
