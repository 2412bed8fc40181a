// bidi: the prompt's characters stored in reverse, between a right-to-left override
// (U+202E) and a pop (U+202C): a person sees the prompt, a filter reading the stored order
// sees it backwards.
#include <algorithm>

#include "converters/text.hpp"

namespace redcell {

ConverterInfo bidi_converter() {
  return text::entry("bidi",
                     "Stores the prompt reversed inside a right-to-left override, so it displays "
                     "as written.",
                     [](std::string_view s) {
                       auto cps = text::code_points(s);
                       std::reverse(cps.begin(), cps.end());
                       return text::utf8(U"\u202E" + cps + U"\u202C");
                     });
}

}  // namespace redcell
