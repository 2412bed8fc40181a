// camelcase: the words run together, each after the first starting with a capital ("how to
// pick" -> "howToPick"): no spaces for a filter to split on.
#include "converters/text.hpp"

namespace redcell {

ConverterInfo camelcase_converter() {
  return text::entry("camelcase", "Runs the words together in camelCase (\"how to\" -> \"howTo\").",
                     [](std::string_view s) {
                       std::string out;
                       for (auto word : text::words(s)) {
                         std::string w(word);
                         for (auto& c : w)
                           c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                         if (!out.empty())
                           w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
                         out += w;
                       }
                       return out;
                     });
}

}  // namespace redcell
