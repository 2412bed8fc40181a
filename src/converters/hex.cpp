// hex: the prompt's UTF-8 bytes in upper-case hexadecimal (PyRIT's BinAsciiConverter "hex").
#include "common/encoding.hpp"
#include "converters/text.hpp"

namespace redcell {

ConverterInfo hex_converter() {
  return text::entry("hex", "Writes the prompt's UTF-8 bytes as upper-case hexadecimal.",
                     [](std::string_view s) {
                       std::string out = hex_encode(s);
                       for (auto& c : out)  // a-f to A-F, without a branch or a call per digit
                         c = static_cast<char>(c - (c >= 'a' ? 'a' - 'A' : 0));
                       return out;
                     });
}

}  // namespace redcell
