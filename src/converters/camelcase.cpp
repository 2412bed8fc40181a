// camelcase: the words run together, each after the first starting with a capital ("how to
// pick" -> "howToPick"): no spaces for a filter to split on.
#include "converters/text.hpp"

namespace redcell {

ConverterInfo camelcase_converter() {
  return text::entry("camelcase", "Runs the words together in camelCase (\"how to\" -> \"howTo\").",
                     [](std::string_view s) {
                       std::string out;
                       out.reserve(s.size());
                       for (auto word : text::words(s)) {
                         const std::size_t from = out.size();
                         out += word;
                         for (std::size_t i = from; i < out.size(); ++i)  // ASCII, as tolower
                           if (out[i] >= 'A' && out[i] <= 'Z')
                             out[i] = static_cast<char>(out[i] + 32);
                         if (from > 0 && out[from] >= 'a' && out[from] <= 'z')
                           out[from] = static_cast<char>(out[from] - 32);
                       }
                       return out;
                     });
}

}  // namespace redcell
