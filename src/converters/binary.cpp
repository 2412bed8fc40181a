// binary: PyRIT's BinaryConverter: each character's code point in binary, bits_per_char
// (8, 16 or 32, default 16) digits wide, separated by spaces. A character that needs more
// bits than that is an error naming it.
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>

#include "converters/text.hpp"

namespace redcell {

namespace {
struct BinaryParams {
  int bits = 16;
};

// Each byte's eight binary digits, made once.
const auto kByte = [] {
  std::array<std::array<char, 8>, 256> t{};
  for (unsigned b = 0; b < 256; ++b)
    for (int bit = 7; bit >= 0; --bit) t[b][7 - bit] = (b >> bit) & 1 ? '1' : '0';
  return t;
}();

Result<std::string> binary(std::string_view s, const BinaryParams& p) {
  std::optional<char32_t> too_wide;  // the first character that needs more bits
  // A code point is at least one byte of input, and p.bits digits and a space of output.
  auto out = text::write_at_most(s.size() * static_cast<std::size_t>(p.bits + 1), [&](char* at) {
    char* const begin = at;
    text::for_each_code_point(s, [&](char32_t c) {
      if (too_wide) return;
      if (p.bits < 32 && c >> p.bits != 0) {
        too_wide = c;
        return;
      }
      if (at != begin) *at++ = ' ';
      for (int shift = p.bits - 8; shift >= 0; shift -= 8) {
        std::memcpy(at, kByte[(c >> shift) & 0xFF].data(), 8);
        at += 8;
      }
    });
    return at;
  });
  if (too_wide) {
    char cp[16];
    std::snprintf(cp, sizeof cp, "U+%04X", static_cast<unsigned>(*too_wide));
    return fail(Error(ErrorCode::invalid_argument,
                      std::string("binary: the character ") + cp +
                          " needs more than bits_per_char=" + std::to_string(p.bits) + " bits"));
  }
  return out;
}
}  // namespace

ConverterInfo binary_converter() {
  return text::entry<BinaryParams>(
      "binary", "Writes each character's code point in binary, bits_per_char digits each.",
      R"({"type":"object","properties":{
        "bits_per_char":{"type":"integer","enum":[8,16,32],"default":16,
          "description":"digits per character"}},"additionalProperties":false})",
      [](const JsonInput& in) -> Result<BinaryParams> {
        auto bits = in.opt_int("bits_per_char", 8, 32);
        if (!bits) return fail(bits.error());
        const auto b = bits->value_or(16);
        if (b != 8 && b != 16 && b != 32)
          return fail(
              Error::invalid(in.field("bits_per_char"), boost::json::value(b), "8, 16 or 32"));
        return BinaryParams{static_cast<int>(b)};
      },
      binary);
}

}  // namespace redcell
