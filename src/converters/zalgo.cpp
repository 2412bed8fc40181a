// zalgo: PyRIT's ZalgoConverter: every letter and digit gets up to `intensity` (default 10)
// combining marks (U+0300-U+036F) drawn from the seed: text that still reads, but not to a
// filter.
#include <random>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct ZalgoParams {
  int intensity = 10;
};

std::string zalgo(std::string_view s, const ZalgoParams& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> count(1, std::max(1, p.intensity));
  std::uniform_int_distribution<int> mark(0x300, 0x36F);
  std::u32string out;
  for (char32_t c : text::code_points(s)) {
    out += c;
    const bool alnum = c < 128 && std::isalnum(static_cast<int>(c));
    if (!alnum || p.intensity == 0) continue;
    for (int n = count(rng); n > 0; --n) out += static_cast<char32_t>(mark(rng));
  }
  return text::utf8(out);
}

}  // namespace

ConverterInfo zalgo_converter() {
  return text::entry<ZalgoParams, true>(
      "zalgo", "Stacks up to `intensity` combining marks on every letter and digit (seeded).",
      R"json({"type":"object","properties":{
        "intensity":{"type":"integer","minimum":0,"maximum":100,"default":10}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<ZalgoParams> {
        auto v = in.opt_int("intensity", 0, 100);
        if (!v) return fail(v.error());
        return ZalgoParams{static_cast<int>(v->value_or(10))};
      },
      zalgo);
}

}  // namespace redcell
