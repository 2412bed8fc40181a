// hex: the prompt's UTF-8 bytes in upper-case hexadecimal (PyRIT's BinAsciiConverter "hex").
#include "converters/text.hpp"

namespace redcell {

ConverterInfo hex_converter() {
  return text::entry("hex", "Writes the prompt's UTF-8 bytes as upper-case hexadecimal.",
                     [](std::string_view s) {
                       static constexpr char kDigits[] = "0123456789ABCDEF";
                       std::string out(s.size() * 2, '\0');
                       char* at = out.data();
                       for (unsigned char b : s) {
                         *at++ = kDigits[b >> 4];
                         *at++ = kDigits[b & 0xF];
                       }
                       return out;
                     });
}

}  // namespace redcell
