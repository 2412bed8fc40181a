// unicode_substitution: PyRIT's UnicodeSubstitutionConverter: every character moved to
// start_value + its code point (default U+E0000, the tag block), a text only a decoder reads.
#include "converters/text.hpp"

namespace redcell {

namespace {
struct SubstitutionParams {
  char32_t start = 0xE0000;
};
}  // namespace

ConverterInfo unicode_substitution_converter() {
  return text::entry<SubstitutionParams>(
      "unicode_substitution",
      "Moves every character to start_value + its code point (default U+E0000).",
      R"json({"type":"object","properties":{
        "start_value":{"type":"integer","minimum":0,"maximum":1048575,"default":917504}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<SubstitutionParams> {
        auto v = in.opt_int("start_value", 0, 0xFFFFF);
        if (!v) return fail(v.error());
        return SubstitutionParams{static_cast<char32_t>(v->value_or(0xE0000))};
      },
      [](std::string_view s, const SubstitutionParams& p) {
        // A code point is at least one byte in, at most four out.
        return text::write_at_most(4 * s.size(), [&](char* at) {
          text::for_each_code_point(s, [&](char32_t c) {
            char32_t moved = p.start + c;
            // Past the last code point, or a surrogate: not encodable in UTF-8.
            if (moved > 0x10FFFF || (moved >= 0xD800 && moved <= 0xDFFF)) moved = 0xFFFD;
            at = text::put_utf8(at, moved);
          });
          return at;
        });
      });
}

}  // namespace redcell
