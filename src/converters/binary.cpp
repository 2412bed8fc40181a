// binary: PyRIT's BinaryConverter: each character's code point in binary, bits_per_char
// (8, 16 or 32, default 16) digits wide, separated by spaces. A character that needs more
// bits than that is an error naming it.
#include <cstdio>

#include "converters/text.hpp"

namespace redcell {

namespace {
struct BinaryParams {
  int bits = 16;
};

Result<std::string> binary(std::string_view s, const BinaryParams& p) {
  std::string out;
  for (char32_t c : text::code_points(s)) {
    if (p.bits < 32 && c >> p.bits != 0) {
      char cp[16];
      std::snprintf(cp, sizeof cp, "U+%04X", static_cast<unsigned>(c));
      return fail(Error(ErrorCode::invalid_argument,
                        std::string("binary: the character ") + cp +
                            " needs more than bits_per_char=" + std::to_string(p.bits) + " bits"));
    }
    if (!out.empty()) out += ' ';
    for (int bit = p.bits - 1; bit >= 0; --bit) out += (c >> bit) & 1 ? '1' : '0';
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
