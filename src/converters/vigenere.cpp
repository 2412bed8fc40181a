// vigenere: the Vigenère cipher: each letter shifted by the matching letter of `key` (a=0,
// b=1, ...), the key advancing over letters only; append_description asks the target to
// answer in it.
#include "converters/text.hpp"

namespace redcell {

namespace {

struct VigenereParams {
  std::string key;  // lower-case letters
  bool append_description = false;
};

std::string vigenere(std::string_view s, const std::string& key) {
  std::string out(s);
  std::size_t k = 0;
  for (auto& c : out) {
    const bool lower = c >= 'a' && c <= 'z';
    const bool upper = c >= 'A' && c <= 'Z';
    if (!lower && !upper) continue;
    const char first = lower ? 'a' : 'A';
    c = static_cast<char>(first + (c - first + (key[k % key.size()] - 'a')) % 26);
    ++k;
  }
  return out;
}

}  // namespace

ConverterInfo vigenere_converter() {
  return text::entry<VigenereParams>(
      "vigenere", "The Vigenère cipher: letters shifted by the letters of `key` in turn.",
      R"json({"type":"object","required":["key"],"properties":{
        "key":{"type":"string","minLength":1,"maxLength":100,"pattern":"^[A-Za-z]+$"},
        "append_description":{"type":"boolean","default":false,
          "description":"prepend instructions to answer in the cipher, with an encoded example"}},
        "additionalProperties":false,
            "examples":[{"key":"lemon"}]})json",
      [](const JsonInput& in) -> Result<VigenereParams> {
        auto key = in.string("key", 100);
        if (!key) return fail(key.error());
        VigenereParams p;
        for (char c : *key) {
          if (!std::isalpha(static_cast<unsigned char>(c)))
            return fail(
                Error::invalid(in.field("key"), boost::json::value(*key), "letters A-Z only"));
          p.key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        auto d = in.boolean("append_description", false);
        if (!d) return fail(d.error());
        p.append_description = *d;
        return p;
      },
      [](std::string_view s, const VigenereParams& p) {
        const auto encode = [&p](std::string_view t) { return vigenere(t, p.key); };
        if (!p.append_description) return encode(s);
        return text::described(
            "the Vigenère cipher",
            "each letter shifted by the next letter of the key \"" + p.key + "\", a meaning 0",
            encode, s);
      });
}

}  // namespace redcell
