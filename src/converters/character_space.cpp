// character_space: PyRIT's CharacterSpaceConverter: a space between every character, then
// ASCII punctuation removed (a bypass of prompt classifiers that read words).
#include <cctype>

#include "converters/text.hpp"

namespace redcell {

ConverterInfo character_space_converter() {
  return text::entry("character_space",
                     "Puts a space between every character and drops ASCII punctuation.",
                     [](std::string_view s) {
                       std::string out;
                       out.reserve(s.size() * 2);
                       bool first = true;
                       text::for_each_code_point(s, [&](char32_t c) {
                         if (!first) out += ' ';
                         first = false;
                         // ASCII punctuation: the C locale's ispunct is exactly Python's
                         // string.punctuation
                         if (c < 128 && std::ispunct(static_cast<int>(c))) return;
                         text::append_utf8(out, c);
                       });
                       return out;
                     });
}

}  // namespace redcell
