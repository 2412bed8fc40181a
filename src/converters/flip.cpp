// flip: PyRIT's FlipConverter: the prompt's characters in reverse order.
#include <algorithm>

#include "converters/text.hpp"

namespace redcell {

ConverterInfo flip_converter() {
  return text::entry("flip", "Reverses the prompt, character by character.",
                     [](std::string_view s) {
                       auto cps = text::code_points(s);
                       std::reverse(cps.begin(), cps.end());
                       return text::utf8(cps);
                     });
}

}  // namespace redcell
