// ascii85: Ascii85 as Python's base64.a85encode writes it (no <~ ~> frame, "z" for a
// group of four zero bytes, the last group cut to its length + 1).
#include "converters/text.hpp"

namespace redcell {

namespace {
std::string ascii85(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 5 + 5);
  for (std::size_t at = 0; at < in.size(); at += 4) {
    const std::size_t n = std::min<std::size_t>(4, in.size() - at);
    std::uint32_t word = 0;
    for (std::size_t i = 0; i < 4; ++i)
      word = (word << 8) | (i < n ? static_cast<unsigned char>(in[at + i]) : 0u);
    if (word == 0 && n == 4) {
      out += 'z';
      continue;
    }
    char group[5];
    for (int i = 4; i >= 0; --i) {
      group[i] = static_cast<char>('!' + word % 85);
      word /= 85;
    }
    out.append(group, n + 1);
  }
  return out;
}
}  // namespace

ConverterInfo ascii85_converter() {
  return text::entry("ascii85",
                     "Encodes the prompt's UTF-8 bytes in Ascii85 (as Python's base64.a85encode).",
                     ascii85);
}

}  // namespace redcell
