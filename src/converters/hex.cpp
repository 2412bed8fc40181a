// hex: the prompt's UTF-8 bytes in upper-case hexadecimal (PyRIT's BinAsciiConverter "hex").
#include "converters/text.hpp"

namespace redcell {

ConverterInfo hex_converter() {
  return text::entry("hex", "Writes the prompt's UTF-8 bytes as upper-case hexadecimal.",
                     [](std::string_view s) {
                       static constexpr char kHex[] = "0123456789ABCDEF";
                       return text::write_at_most(2 * s.size(), [&](char* p) {
                         for (unsigned char c : s) {
                           *p++ = kHex[c >> 4];
                           *p++ = kHex[c & 0xF];
                         }
                         return p;
                       });
                     });
}

}  // namespace redcell
