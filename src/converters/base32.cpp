// base32: RFC 4648 Base32 with padding (what Python's base64.b32encode writes).
#include "converters/text.hpp"

namespace redcell {

namespace {
std::string base32(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((in.size() + 4) / 5 * 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  while (out.size() % 8 != 0) out += '=';
  return out;
}
}  // namespace

ConverterInfo base32_converter() {
  return text::entry("base32", "Encodes the prompt's UTF-8 bytes in Base32 (RFC 4648, padded).",
                     base32);
}

}  // namespace redcell
