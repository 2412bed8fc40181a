// ascii_smuggler: PyRIT's AsciiSmugglerConverter: printable ASCII written as invisible
// Unicode tag characters (U+E0020-U+E007E); other characters are dropped. unicode_tags wraps
// the message in the tag block's begin and cancel tags; action decode reads such text back.
#include "converters/smuggling.hpp"

namespace redcell {

namespace {

struct SmugglerParams {
  bool decode = false;
  bool unicode_tags = false;
};

std::string smuggle(std::string_view s, const SmugglerParams& p) {
  std::string out;
  if (p.decode) {
    for (char32_t c : text::code_points(s))
      if (c >= 0xE0020 && c <= 0xE007E) out += static_cast<char>(c - 0xE0000);
    return out;
  }
  // Four bytes per printable ASCII byte, and the two tags.
  return text::write_at_most(4 * s.size() + 8, [&](char* at) {
    if (p.unicode_tags) at = text::put_utf8(at, 0xE0001);
    for (char c : s)  // a byte of a longer character is never printable ASCII
      if (c >= 0x20 && c <= 0x7E) at = text::put_utf8(at, 0xE0000 + static_cast<char32_t>(c));
    if (p.unicode_tags) at = text::put_utf8(at, 0xE007F);
    return at;
  });
}

}  // namespace

ConverterInfo ascii_smuggler_converter() {
  return text::entry<SmugglerParams>(
      "ascii_smuggler",
      "Hides printable ASCII in invisible Unicode tag characters (or, with action decode, "
      "reads them back).",
      R"({"type":"object","properties":{
        "action":{"type":"string","enum":["encode","decode"],"default":"encode"},
        "unicode_tags":{"type":"boolean","default":false,
          "description":"wrap in the begin (U+E0001) and cancel (U+E007F) tags"}},
        "additionalProperties":false})",
      [](const JsonInput& in) -> Result<SmugglerParams> {
        auto decode = text::read_decode(in);
        if (!decode) return fail(decode.error());
        auto tags = in.boolean("unicode_tags", false);
        if (!tags) return fail(tags.error());
        return SmugglerParams{*decode, *tags};
      },
      smuggle);
}

}  // namespace redcell
