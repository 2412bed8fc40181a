// diacritic: PyRIT's DiacriticConverter: an accent (acute, grave, tilde or umlaut) on every
// character of target_chars (default "aeiou"), composed where Unicode has the letter (NFC,
// with ICU), so "a" becomes "á".
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct DiacriticParams {
  std::u32string targets;
  char32_t mark = 0x301;
  // An ASCII target with the mark, composed (NFC) when the params are read; empty for the
  // others. An ASCII prompt needs nothing else: each marked letter composes on its own.
  std::array<std::string, 128> composed;
};

std::string nfc(const std::string& decomposed) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* normalizer = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return decomposed;  // the marks stay combining: same rendering
  auto composed = normalizer->normalize(icu::UnicodeString::fromUTF8(decomposed), status);
  if (U_FAILURE(status)) return decomposed;
  std::string out;
  composed.toUTF8String(out);
  return out;
}

void compose_targets(DiacriticParams& p) {
  for (char32_t t : p.targets)
    if (t < 128) {
      std::string marked(1, static_cast<char>(t));
      text::append_utf8(marked, p.mark);
      p.composed[t] = nfc(marked);
    }
}

std::string accent(std::string_view s, const DiacriticParams& p) {
  const bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii) {
    std::string out;
    out.reserve(s.size() + s.size() / 2);
    for (char c : s) {
      const auto& with_mark = p.composed[static_cast<unsigned char>(c)];
      if (with_mark.empty())
        out += c;
      else
        out += with_mark;
    }
    return out;
  }
  std::u32string marked;
  text::for_each_code_point(s, [&](char32_t c) {
    marked += c;
    if (p.targets.find(c) != std::u32string::npos) marked += p.mark;
  });
  return nfc(text::utf8(marked));
}

}  // namespace

ConverterInfo diacritic_converter() {
  return text::entry<DiacriticParams>(
      "diacritic", "Puts an accent on every character of target_chars (a -> á).",
      R"json({"type":"object","properties":{
        "target_chars":{"type":"string","minLength":1,"maxLength":256,"default":"aeiou"},
        "accent":{"type":"string","enum":["acute","grave","tilde","umlaut"],"default":"acute"}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<DiacriticParams> {
        auto targets = in.opt_string("target_chars", 256);
        if (!targets) return fail(targets.error());
        auto name = in.opt_string("accent", 16);
        if (!name) return fail(name.error());
        DiacriticParams p;
        p.targets = text::code_points(targets->value_or("aeiou"));
        const auto a = name->value_or("acute");
        if (a == "acute")
          p.mark = 0x301;
        else if (a == "grave")
          p.mark = 0x300;
        else if (a == "tilde")
          p.mark = 0x303;
        else if (a == "umlaut")
          p.mark = 0x308;
        else
          return fail(Error::invalid(in.field("accent"), boost::json::value(a),
                                     "acute, grave, tilde or umlaut"));
        compose_targets(p);
        return p;
      },
      accent);
}

}  // namespace redcell
