// unicode_confusable: Latin letters replaced by look-alike letters of other scripts
// (Cyrillic а for a, Greek Ζ for Z, ...): the same text to a reader, other words to a
// filter. proportion (default 1) is the share of replaceable letters replaced, drawn from
// the seed.
#include <array>
#include <map>
#include <random>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct ConfusableParams {
  double proportion = 1.0;
};

std::string confuse(std::string_view s, const ConfusableParams& p, std::uint64_t seed) {
  static const std::map<char32_t, char32_t> kLookAlike{
      {U'a', 0x0430}, {U'c', 0x0441}, {U'd', 0x0501}, {U'e', 0x0435}, {U'h', 0x04BB},
      {U'i', 0x0456}, {U'j', 0x0458}, {U'o', 0x043E}, {U'p', 0x0440}, {U'q', 0x051B},
      {U's', 0x0455}, {U'w', 0x051D}, {U'x', 0x0445}, {U'y', 0x0443}, {U'A', 0x0410},
      {U'B', 0x0412}, {U'C', 0x0421}, {U'E', 0x0415}, {U'H', 0x041D}, {U'I', 0x0406},
      {U'J', 0x0408}, {U'K', 0x041A}, {U'M', 0x041C}, {U'N', 0x039D}, {U'O', 0x041E},
      {U'P', 0x0420}, {U'S', 0x0405}, {U'T', 0x0422}, {U'X', 0x0425}, {U'Y', 0x03A5},
      {U'Z', 0x0396}};
  static const auto kAscii = [] {  // the table indexed by character (0: none)
    std::array<char32_t, 128> t{};
    for (const auto& [from, to] : kLookAlike)
      if (from < 128) t[from] = to;
    return t;
  }();
  text::Draws draw(seed);
  // A letter is replaced when its 16-bit share falls below the proportion.
  const auto below = static_cast<unsigned>(std::lround(p.proportion * 65536));
  const auto pick = [&] { return draw.below(65536) < below; };
  std::string out;
  out.reserve(s.size() * 2);
  text::for_each_code_point(s, [&](char32_t c) {
    if (c < 128 && kAscii[c] && pick()) c = kAscii[c];
    text::append_utf8(out, c);
  });
  return out;
}

}  // namespace

ConverterInfo unicode_confusable_converter() {
  return text::entry<ConfusableParams, true>(
      "unicode_confusable",
      "Replaces Latin letters with look-alikes from other scripts (a share drawn from the "
      "seed).",
      R"json({"type":"object","properties":{
        "proportion":{"type":"number","minimum":0,"maximum":1,"default":1}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<ConfusableParams> {
        auto v = in.opt_number("proportion", 0, 1);
        if (!v) return fail(v.error());
        return ConfusableParams{v->value_or(1.0)};
      },
      confuse);
}

}  // namespace redcell
