// zero_width: PyRIT's ZeroWidthConverter: a zero-width space (U+200B) between every two
// characters, invisible to a reader and breaking a filter's words.
#include "converters/text.hpp"

namespace redcell {

ConverterInfo zero_width_converter() {
  return text::entry("zero_width", "Puts a zero-width space (U+200B) between every two characters.",
                     [](std::string_view s) {
                       std::string out;
                       bool first = true;
                       for (char32_t c : text::code_points(s)) {
                         if (!first) text::append_utf8(out, U'\u200B');
                         first = false;
                         text::append_utf8(out, c);
                       }
                       return out;
                     });
}

}  // namespace redcell
