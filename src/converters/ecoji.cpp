// ecoji: the prompt's UTF-8 bytes in Ecoji V1 (10 bits per emoji, five bytes to four emojis),
// as PyRIT's EcojiConverter writes them (the ecoji Python package). The alphabet is the
// standard's emojisV1.txt (keith-turner/ecoji): 1,024 code points in ascending order, here
// as inclusive ranges; the five it leaves out are the padding emojis.
#include <array>

#include "converters/alphabet.hpp"
#include "converters/text.hpp"

namespace redcell {

namespace {
using text::Range;

constexpr Range kEmojis[] = {
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F170, 0x1F171}, {0x1F17E, 0x1F17F},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F1E6, 0x1F1FF}, {0x1F201, 0x1F202},
    {0x1F21A, 0x1F21A}, {0x1F22F, 0x1F22F}, {0x1F232, 0x1F23A}, {0x1F250, 0x1F251},
    {0x1F300, 0x1F321}, {0x1F324, 0x1F393}, {0x1F396, 0x1F397}, {0x1F399, 0x1F39B},
    {0x1F39E, 0x1F3CC}, {0x1F3CE, 0x1F3F0}, {0x1F3F3, 0x1F3F5}, {0x1F3F7, 0x1F4D0},
    {0x1F4D2, 0x1F4FD}, {0x1F4FF, 0x1F53D}, {0x1F549, 0x1F54E}, {0x1F550, 0x1F567},
    {0x1F56F, 0x1F570}, {0x1F573, 0x1F57A}, {0x1F587, 0x1F587}, {0x1F58A, 0x1F58D},
    {0x1F590, 0x1F590}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A5}, {0x1F5A8, 0x1F5A8},
    {0x1F5B1, 0x1F5B2}, {0x1F5BC, 0x1F5BC}, {0x1F5C2, 0x1F5C4}, {0x1F5D1, 0x1F5D3},
    {0x1F5DC, 0x1F5DE}, {0x1F5E1, 0x1F5E1}, {0x1F5E3, 0x1F5E3}, {0x1F5E8, 0x1F5E8},
    {0x1F5EF, 0x1F5EF}, {0x1F5F3, 0x1F5F3}, {0x1F5FA, 0x1F64A}, {0x1F64C, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CB, 0x1F6D2}, {0x1F6E0, 0x1F6E5}, {0x1F6E9, 0x1F6E9},
    {0x1F6EB, 0x1F6EC}, {0x1F6F0, 0x1F6F0}, {0x1F6F3, 0x1F6F9}, {0x1F910, 0x1F93A},
    {0x1F93C, 0x1F93E}, {0x1F940, 0x1F945}, {0x1F947, 0x1F970}, {0x1F973, 0x1F976},
    {0x1F97A, 0x1F97A}, {0x1F97C, 0x1F9A2}, {0x1F9B0, 0x1F9B9}, {0x1F9C0, 0x1F9C2},
    {0x1F9D0, 0x1F9D5},
};
constexpr char32_t kPad = 0x2615;  // fills the group's missing emojis
// The last emoji of a four-byte group: which one carries the fourth byte's two low bits.
constexpr char32_t kPad4[] = {0x269C, 0x1F3CD, 0x1F4D1, 0x1F64B};

static_assert(text::size_of(kEmojis) == 1024);

std::string ecoji(std::string_view in) {
  static const auto table = text::expand<1024>(kEmojis);
  std::string out;
  out.reserve((in.size() / 5 + 1) * 16);
  for (std::size_t at = 0; at < in.size(); at += 5) {
    const std::size_t n = std::min<std::size_t>(5, in.size() - at);
    std::uint32_t b[5] = {0, 0, 0, 0, 0};
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(in[at + i]);
    const std::uint32_t e[4] = {b[0] << 2 | b[1] >> 6, (b[1] & 0x3F) << 4 | b[2] >> 4,
                                (b[2] & 0x0F) << 6 | b[3] >> 2, (b[3] & 0x03) << 8 | b[4]};
    text::append_utf8(out, table[e[0]]);
    text::append_utf8(out, n > 1 ? table[e[1]] : kPad);
    text::append_utf8(out, n > 2 ? table[e[2]] : kPad);
    text::append_utf8(out, n > 4 ? table[e[3]] : n == 4 ? kPad4[b[3] & 0x03] : kPad);
  }
  return out;
}
}  // namespace

ConverterInfo ecoji_converter() {
  return text::entry("ecoji",
                     "Encodes the prompt's UTF-8 bytes as emojis with Ecoji V1 (10 bits per "
                     "emoji, as PyRIT's EcojiConverter).",
                     ecoji);
}

}  // namespace redcell
