// uuencode: the prompt's UTF-8 bytes uuencoded, 45 bytes a line (binascii.b2a_uu per chunk,
// the final newline dropped), as PyRIT's BinAsciiConverter "UUencode" encodes a chunk.
// Unlike PyRIT, the whole prompt is encoded as one text, not word by word, so any uudecode
// reads it back.
#include "converters/text.hpp"

namespace redcell {

namespace {

char uu(std::uint32_t six) {
  return static_cast<char>(' ' + (six & 63));
}

std::string uuencode(std::string_view in) {
  std::string out;
  for (std::size_t at = 0; at < in.size(); at += 45) {
    const std::size_t n = std::min<std::size_t>(45, in.size() - at);
    out += uu(static_cast<std::uint32_t>(n));
    for (std::size_t i = 0; i < n; i += 3) {
      std::uint32_t group = 0;
      for (std::size_t k = 0; k < 3; ++k)
        group = (group << 8) | (i + k < n ? static_cast<unsigned char>(in[at + i + k]) : 0u);
      for (int shift = 18; shift >= 0; shift -= 6) out += uu(group >> shift);
    }
    out += '\n';
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

ConverterInfo uuencode_converter() {
  return text::entry("uuencode", "Uuencodes the prompt's UTF-8 bytes, 45 bytes a line.", uuencode);
}

}  // namespace redcell
