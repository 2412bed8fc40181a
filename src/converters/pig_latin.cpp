// pig_latin: every word in Pig Latin: a word starting with a vowel gets "way", any other
// moves its leading consonants to the end and gets "ay" ("secret" -> "ecretsay"); a word's
// capital and its trailing punctuation stay in place.
#include "converters/text.hpp"

namespace redcell {

namespace {

bool vowel(char c) {
  c = static_cast<char>(c | 0x20);  // ASCII lower case (a letter's; others never match)
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// `w` in Pig Latin onto the end of `out`.
void pig_word(std::string_view w, std::string& out) {
  std::size_t letters = 0;  // the word's letters, then what follows (punctuation)
  while (letters < w.size() && ((w[letters] | 0x20) >= 'a' && (w[letters] | 0x20) <= 'z'))
    ++letters;         // ASCII letters, as isalpha in the C locale
  if (letters == 0) {  // numbers, symbols: unchanged
    out += w;
    return;
  }
  const std::string_view core = w.substr(0, letters);
  std::size_t cut = 0;  // the leading consonants: none when the word starts with a vowel
  while (cut < core.size() && !vowel(core[cut])) ++cut;
  const std::size_t from = out.size();
  out += core.substr(cut);
  out += core.substr(0, cut);
  out += cut == 0 ? "way" : "ay";
  // The old first letter is lower-cased where it landed; a capital moves to the new first.
  const std::size_t old_first = cut == 0 ? from : from + core.size() - cut;
  out[old_first] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[old_first])));
  if (std::isupper(static_cast<unsigned char>(core[0])))
    out[from] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[from])));
  out += w.substr(letters);
}

}  // namespace

ConverterInfo pig_latin_converter() {
  return text::entry("pig_latin", "Rewrites every word in Pig Latin (\"secret\" -> \"ecretsay\").",
                     [](std::string_view s) {
                       std::string out;
                       out.reserve(s.size() + s.size() / 2);
                       std::size_t i = 0;
                       while (i < s.size()) {
                         std::size_t j = i;
                         while (j < s.size() && !text::space(s[j])) ++j;
                         pig_word(s.substr(i, j - i), out);
                         while (j < s.size() && text::space(s[j])) out += s[j++];
                         i = j;
                       }
                       return out;
                     });
}

}  // namespace redcell
