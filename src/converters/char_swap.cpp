// char_swap: PyRIT's CharSwapConverter: in a share of the words (proportion, default 0.2,
// drawn from the seed) longer than 3 characters, two adjacent characters after the first
// swap places ("password" -> "passowrd"): typos a filter may not expect.
#include <algorithm>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct SwapParams {
  double proportion = 0.2;
};

// The swaps on any string of characters (bytes for ASCII text, code points otherwise).
template <class Str>
void swap_in(Str& cps, const SwapParams& p, std::uint64_t seed) {
  // text::Draws: seeding an mt19937_64 cost more than the swaps of a short prompt. A word
  // is picked when a 16-bit share is below proportion * 65536.
  text::Draws draw(seed);
  const auto picked = static_cast<unsigned>(p.proportion * 65536);
  const auto space = [](auto c) { return c == ' ' || c == '\n' || c == '\t'; };
  std::size_t i = 0;
  while (i < cps.size()) {
    while (i < cps.size() && space(cps[i])) ++i;
    std::size_t j = i;
    while (j < cps.size() && !space(cps[j])) ++j;
    const std::size_t len = j - i;
    if (len > 3 && draw.below(65536) < picked) {
      const std::size_t at = 1 + draw.index(len - 2);  // 1 .. len - 2
      std::swap(cps[i + at], cps[i + at + 1]);
    }
    i = j;
  }
}

std::string swap_chars(std::string_view s, const SwapParams& p, std::uint64_t seed) {
  if (std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; })) {
    std::string out(s);
    swap_in(out, p, seed);
    return out;
  }
  auto cps = text::code_points(s);
  swap_in(cps, p, seed);
  return text::utf8(cps);
}

}  // namespace

ConverterInfo char_swap_converter() {
  return text::entry<SwapParams, true>(
      "char_swap",
      "Swaps two adjacent characters (not the first) in a share of the words (proportion, "
      "drawn from the seed).",
      R"json({"type":"object","properties":{
        "proportion":{"type":"number","minimum":0,"maximum":1,"default":0.2,
          "description":"the share of words of 4+ characters that get a swap"}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<SwapParams> {
        auto v = in.opt_number("proportion", 0, 1);
        if (!v) return fail(v.error());
        return SwapParams{v->value_or(0.2)};
      },
      swap_chars);
}

}  // namespace redcell
