// zalgo: PyRIT's ZalgoConverter: every letter and digit gets up to `intensity` (default 10)
// combining marks (U+0300-U+036F) drawn from the seed: text that still reads, but not to a
// filter.
#include <algorithm>
#include <cstring>
#include <vector>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct ZalgoParams {
  int intensity = 10;
};

// Marks drawn once from a fixed seed, two UTF-8 bytes each (U+0300-U+036F: CC or CD, then
// 80-BF), with room for a window of the most marks a letter takes at any offset.
constexpr std::size_t kMarks = 4096;
constexpr unsigned kMostMarks = 100;  // the schema's largest intensity
const auto kMarkTable = [] {
  std::vector<char> t(2 * (kMarks + kMostMarks));
  text::Draws draw(0x7A4C60);
  for (std::size_t k = 0; k < t.size() / 2; ++k) {
    const unsigned mark = draw.below(0x70);
    t[2 * k] = static_cast<char>(0xCC + (mark >> 6));
    t[2 * k + 1] = static_cast<char>(0x80 | (mark & 0x3F));
  }
  return t;
}();

std::string zalgo(std::string_view s, const ZalgoParams& p, std::uint64_t seed) {
  if (p.intensity <= 0) return std::string(s);
  text::Draws draw(seed);
  const auto most = std::min(static_cast<unsigned>(p.intensity), kMostMarks);
  // At most the input's bytes and `most` two-byte marks per input byte.
  return text::write_at_most(s.size() * (1 + 2 * most), [&](char* at) {
    text::for_each_code_point(s, [&](char32_t c) {
      if (c >= 128) {
        at = text::put_utf8(at, c);
        return;
      }
      *at++ = static_cast<char>(c);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return;
      // A letter's 1 to `most` marks (both drawn from the seed) are a window of the table at
      // a seeded offset: two draws per letter instead of one per mark (measured on a 1 KB
      // prompt: 32 µs with a draw per mark, 22 with the four marks of a draw written at once,
      // 15 with a window copied by a memcpy call, 6 with a copy of fixed size).
      const std::size_t n = 1 + draw.below(most);
      const char* marks = kMarkTable.data() + std::size_t{2} * draw.below(kMarks);
      if (most <= 16)
        std::memcpy(at, marks, 32);  // a fixed-size copy, no call; within kSlack
      else
        std::memcpy(at, marks, 2 * n);
      at += 2 * n;
    });
    return at;
  });
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
