// char_codes: each character as its Unicode code point number (base 10 or 16), separated
// by `separator`: a prompt a model must decode before it reads it.
#include <cstdio>

#include "converters/text.hpp"

namespace redcell {

namespace {
struct CharCodesParams {
  int base = 10;
  std::string separator = " ";
};
}  // namespace

ConverterInfo char_codes_converter() {
  return text::entry<CharCodesParams>(
      "char_codes", "Writes each character as its code point number (base 10 or 16).",
      R"({"type":"object","properties":{
        "base":{"type":"integer","enum":[10,16],"default":10},
        "separator":{"type":"string","maxLength":16,"default":" "}},
        "additionalProperties":false})",
      [](const JsonInput& in) -> Result<CharCodesParams> {
        CharCodesParams p;
        auto base = in.opt_int("base", 10, 16);
        if (!base) return fail(base.error());
        p.base = static_cast<int>(base->value_or(10));
        if (p.base != 10 && p.base != 16)
          return fail(Error::invalid(in.field("base"), boost::json::value(p.base), "10 or 16"));
        auto sep = in.opt_string("separator", 16, true);
        if (!sep) return fail(sep.error());
        if (*sep) p.separator = **sep;
        return p;
      },
      [](std::string_view s, const CharCodesParams& p) {
        std::string out;
        bool first = true;
        for (char32_t c : text::code_points(s)) {
          if (!first) out += p.separator;
          first = false;
          text::append_number(out, static_cast<std::uint32_t>(c), p.base);
        }
        return out;
      });
}

}  // namespace redcell
