// emoji: PyRIT's EmojiConverter: each Latin letter (either case) becomes, drawn from the
// seed, its NEGATIVE CIRCLED (U+1F150), NEGATIVE SQUARED (U+1F170) or SQUARED (U+1F130)
// capital; the negative squared A, B, O and P take VARIATION SELECTOR-16, as emoji do.
// Everything else is kept.
#include <random>

#include "converters/text.hpp"

namespace redcell {

namespace {

std::string emojify(std::string_view s, const text::NoParams&, std::uint64_t seed) {
  constexpr char32_t kStyles[] = {U'\U0001F150', U'\U0001F170', U'\U0001F130'};
  text::Draws draw(seed);
  std::string out;
  out.reserve(s.size() * 4);
  text::for_each_code_point(s, [&](char32_t c) {
    if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
    if (c < U'a' || c > U'z') {
      text::append_utf8(out, c);
      return;
    }
    const auto style = draw.below(std::size(kStyles));
    text::append_utf8(out, kStyles[style] + (c - U'a'));
    if (style == 1 && (c == U'a' || c == U'b' || c == U'o' || c == U'p'))
      text::append_utf8(out, U'\uFE0F');
  });
  return out;
}

}  // namespace

ConverterInfo emoji_converter() {
  return text::entry<text::NoParams, true>(
      "emoji",
      "Writes each Latin letter as a circled or squared letter emoji, the style drawn from "
      "the seed.",
      kNoParamsSchema, [](const JsonInput&) -> Result<text::NoParams> { return text::NoParams{}; },
      emojify);
}

}  // namespace redcell
