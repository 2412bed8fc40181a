// pig_latin: every word in Pig Latin: a word starting with a vowel gets "way", any other
// moves its leading consonants to the end and gets "ay" ("secret" -> "ecretsay"); a word's
// capital and its trailing punctuation stay in place.
#include "converters/text.hpp"

namespace redcell {

namespace {

bool vowel(char c) {
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

std::string pig_word(std::string_view w) {
  std::size_t letters = 0;  // the word's letters, then what follows (punctuation)
  while (letters < w.size() && std::isalpha(static_cast<unsigned char>(w[letters]))) ++letters;
  if (letters == 0) return std::string(w);  // numbers, symbols: unchanged
  std::string core(w.substr(0, letters));
  const std::string tail(w.substr(letters));
  const bool capital = std::isupper(static_cast<unsigned char>(core[0]));
  core[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(core[0])));
  std::string out;
  if (vowel(core[0])) {
    out = core + "way";
  } else {
    std::size_t cut = 0;
    while (cut < core.size() && !vowel(core[cut])) ++cut;
    out = core.substr(cut) + core.substr(0, cut) + "ay";
  }
  if (capital) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out + tail;
}

}  // namespace

ConverterInfo pig_latin_converter() {
  return text::entry("pig_latin", "Rewrites every word in Pig Latin (\"secret\" -> \"ecretsay\").",
                     [](std::string_view s) {
                       std::string out;
                       std::size_t i = 0;
                       while (i < s.size()) {
                         std::size_t j = i;
                         while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])))
                           ++j;
                         out += pig_word(s.substr(i, j - i));
                         while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j])))
                           out += s[j++];
                         i = j;
                       }
                       return out;
                     });
}

}  // namespace redcell
