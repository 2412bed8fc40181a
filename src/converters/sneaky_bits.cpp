// sneaky_bits: PyRIT's SneakyBitsSmugglerConverter: every bit of the prompt's UTF-8 bytes as
// an invisible character, U+2062 (invisible times) for 0 and U+2064 (invisible plus) for 1;
// action decode reads such text back (incomplete trailing bits ignored).
#include <algorithm>
#include <array>

#include "converters/smuggling.hpp"

namespace redcell {

namespace {
std::string sneaky(std::string_view s, const text::SmugglerAction& p) {
  std::string out;
  if (!p.decode) {
    // Each byte's eight invisible characters, 3 UTF-8 bytes each, made once.
    static const auto kBytes = [] {
      std::array<std::array<char, 24>, 256> t{};
      for (unsigned byte = 0; byte < 256; ++byte) {
        std::string one;
        for (int bit = 7; bit >= 0; --bit)
          text::append_utf8(one, (byte >> bit) & 1 ? 0x2064 : 0x2062);
        std::copy(one.begin(), one.end(), t[byte].begin());
      }
      return t;
    }();
    out.reserve(s.size() * 24);
    for (unsigned char byte : s) out.append(kBytes[byte].data(), 24);
    return out;
  }
  unsigned byte = 0;
  int bits = 0;
  for (char32_t c : text::code_points(s)) {
    if (c != 0x2062 && c != 0x2064) continue;
    byte = (byte << 1) | (c == 0x2064 ? 1u : 0u);
    if (++bits == 8) {
      out += static_cast<char>(byte);
      byte = 0;
      bits = 0;
    }
  }
  return text::valid_utf8(out);
}
}  // namespace

ConverterInfo sneaky_bits_converter() {
  return text::entry<text::SmugglerAction>(
      "sneaky_bits",
      "Hides the prompt's bits in invisible characters (U+2062 for 0, U+2064 for 1), or reads "
      "them back with action decode.",
      R"json({"type":"object","properties":{
        "action":{"type":"string","enum":["encode","decode"],"default":"encode"}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<text::SmugglerAction> {
        auto d = text::read_decode(in);
        if (!d) return fail(d.error());
        return text::SmugglerAction{*d};
      },
      sneaky);
}

}  // namespace redcell
