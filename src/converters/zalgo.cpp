// zalgo: PyRIT's ZalgoConverter: every letter and digit gets up to `intensity` (default 10)
// combining marks (U+0300-U+036F) drawn from the seed: text that still reads, but not to a
// filter.
#include "converters/text.hpp"

namespace redcell {

namespace {

struct ZalgoParams {
  int intensity = 10;
};

std::string zalgo(std::string_view s, const ZalgoParams& p, std::uint64_t seed) {
  text::Draws draw(seed);
  const auto most = static_cast<unsigned>(std::max(1, p.intensity));
  // Written in place: at most the input's bytes and `most` two-byte marks per input byte.
  std::string out(s.size() * (1 + 2 * most), '\0');
  char* at = out.data();
  text::for_each_code_point(s, [&](char32_t c) {
    if (c >= 128) {
      std::int32_t len = 0;
      U8_APPEND_UNSAFE(at, len, static_cast<UChar32>(c));
      at += len;
      return;
    }
    *at++ = static_cast<char>(c);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum || p.intensity == 0) return;
    for (unsigned n = 1 + draw.below(most); n > 0; --n) {
      const unsigned mark = 0x300 + draw.below(0x70);  // U+0300-U+036F, two UTF-8 bytes
      *at++ = static_cast<char>(0xC0 | (mark >> 6));
      *at++ = static_cast<char>(0x80 | (mark & 0x3F));
    }
  });
  out.resize(static_cast<std::size_t>(at - out.data()));
  return out;
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
