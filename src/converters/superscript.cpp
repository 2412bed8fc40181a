// superscript: letters and digits written with their Unicode superscript (modifier) forms;
// a capital without one takes its small letter's, and a letter with neither (q) stays.
#include "converters/text.hpp"

namespace redcell {

namespace {

std::string superscript(std::string_view s) {
  static constexpr char32_t kSmall[] = {U'ᵃ', U'ᵇ', U'ᶜ', U'ᵈ', U'ᵉ', U'ᶠ', U'ᵍ', U'ʰ', U'ⁱ',
                                        U'ʲ', U'ᵏ', U'ˡ', U'ᵐ', U'ⁿ', U'ᵒ', U'ᵖ', U'q', U'ʳ',
                                        U'ˢ', U'ᵗ', U'ᵘ', U'ᵛ', U'ʷ', U'ˣ', U'ʸ', U'ᶻ'};
  static constexpr char32_t kCapital[] = {U'ᴬ', U'ᴮ', 0,    U'ᴰ', U'ᴱ', 0,    U'ᴳ', U'ᴴ', U'ᴵ',
                                          U'ᴶ', U'ᴷ', U'ᴸ', U'ᴹ', U'ᴺ', U'ᴼ', U'ᴾ', 0,    U'ᴿ',
                                          0,    U'ᵀ', U'ᵁ', U'ⱽ', U'ᵂ', 0,    0,    0};
  static constexpr char32_t kDigits[] = {U'⁰', U'¹', U'²', U'³', U'⁴',
                                         U'⁵', U'⁶', U'⁷', U'⁸', U'⁹'};
  // An ASCII letter or digit becomes at most three bytes; the rest is copied.
  return text::write_at_most(3 * s.size(), [&](char* p) {
    text::for_each_code_point(s, [&](char32_t c) {
      if (c >= 'a' && c <= 'z')
        c = kSmall[c - 'a'];
      else if (c >= 'A' && c <= 'Z')
        c = kCapital[c - 'A'] ? kCapital[c - 'A'] : kSmall[c - 'A'];
      else if (c >= '0' && c <= '9')
        c = kDigits[c - '0'];
      p = text::put_utf8(p, c);
    });
    return p;
  });
}

}  // namespace

ConverterInfo superscript_converter() {
  return text::entry("superscript",
                     "Writes letters and digits in their Unicode superscript forms (ᵗᵉˡˡ ᵐᵉ).",
                     superscript);
}

}  // namespace redcell
