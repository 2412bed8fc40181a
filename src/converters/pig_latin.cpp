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

// `s` at `p`, a byte at a time (words are short: a memcpy call cost more); returns the end.
char* copy(char* p, std::string_view s) {
  for (char c : s) *p++ = c;
  return p;
}

// `w` in Pig Latin at `p` (at most three bytes longer than `w`); returns the end.
char* pig_word(std::string_view w, char* p) {
  std::size_t letters = 0;  // the word's letters, then what follows (punctuation)
  while (letters < w.size() && ((w[letters] | 0x20) >= 'a' && (w[letters] | 0x20) <= 'z'))
    ++letters;                          // ASCII letters, as isalpha in the C locale
  if (letters == 0) return copy(p, w);  // numbers, symbols: unchanged
  const std::string_view core = w.substr(0, letters);
  std::size_t cut = 0;  // the leading consonants: none when the word starts with a vowel
  while (cut < core.size() && !vowel(core[cut])) ++cut;
  char* const from = p;
  p = copy(p, core.substr(cut));
  p = copy(p, core.substr(0, cut));
  p = copy(p, cut == 0 ? "way" : "ay");
  // The old first letter is lower-cased where it landed; a capital moves to the new first
  // (all ASCII letters here: case is bit 0x20).
  char* const old_first = cut == 0 ? from : from + core.size() - cut;
  *old_first = static_cast<char>(*old_first | 0x20);
  if (core[0] <= 'Z') *from = static_cast<char>(*from & ~0x20);
  return copy(p, w.substr(letters));
}

}  // namespace

ConverterInfo pig_latin_converter() {
  return text::entry("pig_latin", "Rewrites every word in Pig Latin (\"secret\" -> \"ecretsay\").",
                     [](std::string_view s) {
                       // A word of n bytes grows by at most 3 ("a" -> "away").
                       return text::write_at_most(4 * s.size(), [&](char* p) {
                         std::size_t i = 0;
                         while (i < s.size()) {
                           std::size_t j = i;
                           while (j < s.size() && !text::space(s[j])) ++j;
                           p = pig_word(s.substr(i, j - i), p);
                           while (j < s.size() && text::space(s[j])) *p++ = s[j++];
                           i = j;
                         }
                         return p;
                       });
                     });
}

}  // namespace redcell
