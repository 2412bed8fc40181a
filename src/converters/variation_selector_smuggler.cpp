// variation_selector_smuggler: PyRIT's VariationSelectorSmugglerConverter: the prompt's
// UTF-8 bytes as Unicode variation selectors (0x00-0x0F: U+FE00-U+FE0F; 0x10-0xFF:
// U+E0100-U+E01EF) after a visible base character (default 😊), joined to it or after a
// space (embed_in_base false); action decode reads the first run of selectors back.
#include "converters/smuggling.hpp"

namespace redcell {

namespace {

struct SelectorParams {
  bool decode = false;
  std::string base = "\xF0\x9F\x98\x8A";  // 😊
  bool embed_in_base = true;
};

std::string smuggle(std::string_view s, const SelectorParams& p) {
  std::string out;
  if (!p.decode) {
    // The base, a space, and at most four bytes per byte.
    return text::write_at_most(p.base.size() + 1 + 4 * s.size(), [&](char* at) {
      at = text::put(at, p.base);
      if (!p.embed_in_base) *at++ = ' ';
      for (unsigned char byte : s)
        at = text::put_utf8(at, byte < 16 ? 0xFE00 + byte : 0xE0100 + (byte - 16));
      return at;
    });
  }
  bool started = false;
  for (char32_t c : text::code_points(s)) {
    if (c >= 0xFE00 && c <= 0xFE0F) {
      out += static_cast<char>(c - 0xFE00);
    } else if (c >= 0xE0100 && c <= 0xE01EF) {
      out += static_cast<char>(c - 0xE0100 + 16);
    } else {
      if (started) break;
      continue;
    }
    started = true;
  }
  return text::valid_utf8(out);
}

}  // namespace

ConverterInfo variation_selector_smuggler_converter() {
  return text::entry<SelectorParams>(
      "variation_selector_smuggler",
      "Hides the prompt's bytes in Unicode variation selectors after a visible character "
      "(default 😊), or reads them back with action decode.",
      R"json({"type":"object","properties":{
        "action":{"type":"string","enum":["encode","decode"],"default":"encode"},
        "base_char_utf8":{"type":"string","minLength":1,"maxLength":16,"default":"😊"},
        "embed_in_base":{"type":"boolean","default":true}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<SelectorParams> {
        SelectorParams p;
        auto d = text::read_decode(in);
        if (!d) return fail(d.error());
        p.decode = *d;
        auto base = in.opt_string("base_char_utf8", 16);
        if (!base) return fail(base.error());
        if (*base) p.base = **base;
        auto embed = in.boolean("embed_in_base", true);
        if (!embed) return fail(embed.error());
        p.embed_in_base = *embed;
        return p;
      },
      smuggle);
}

}  // namespace redcell
