// zero_width: PyRIT's ZeroWidthConverter: a zero-width space (U+200B) between every two
// characters, invisible to a reader and breaking a filter's words.
#include "converters/text.hpp"

namespace redcell {

ConverterInfo zero_width_converter() {
  return text::entry("zero_width", "Puts a zero-width space (U+200B) between every two characters.",
                     [](std::string_view s) {
                       std::string out;
                       out.reserve(s.size() * 4);
                       bool first = true;
                       text::for_each_code_point(s, [&](char32_t c) {
                         if (!first) out += "\u200B";
                         first = false;
                         text::append_utf8(out, c);
                       });
                       return out;
                     });
}

}  // namespace redcell
