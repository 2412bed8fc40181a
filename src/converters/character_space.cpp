// character_space: PyRIT's CharacterSpaceConverter: a space between every character, then
// ASCII punctuation removed (a bypass of prompt classifiers that read words).
#include <cstring>

#include "converters/text.hpp"

namespace redcell {

ConverterInfo character_space_converter() {
  return text::entry(
      "character_space", "Puts a space between every character and drops ASCII punctuation.",
      [](std::string_view s) {
        static constexpr const char* kPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        std::string out;
        bool first = true;
        for (char32_t c : text::code_points(s)) {
          if (!first) out += ' ';
          first = false;
          if (c < 128 && c != 0 && std::strchr(kPunctuation, static_cast<int>(c))) continue;
          text::append_utf8(out, c);
        }
        return out;
      });
}

}  // namespace redcell
