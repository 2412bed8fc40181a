// char_codes: each character as its Unicode code point number (base 10 or 16), separated
// by `separator`: a prompt a model must decode before it reads it.
#include <array>
#include <cstdio>

#include "converters/text.hpp"

namespace redcell {

namespace {
struct CharCodesParams {
  int base = 10;
  std::string separator = " ";
};

// The ASCII characters' numbers, written once.
std::array<std::string, 128> ascii_numbers(int base) {
  std::array<std::string, 128> t;
  for (std::uint32_t c = 0; c < 128; ++c) text::append_number(t[c], c, base);
  return t;
}
const auto kAscii10 = ascii_numbers(10);
const auto kAscii16 = ascii_numbers(16);
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
        out.reserve(s.size() * (3 + p.separator.size()));
        bool first = true;
        text::for_each_code_point(s, [&](char32_t c) {
          if (!first) out += p.separator;
          first = false;
          if (c < 128)
            out += (p.base == 16 ? kAscii16 : kAscii10)[c];
          else
            text::append_number(out, static_cast<std::uint32_t>(c), p.base);
        });
        return out;
      });
}

}  // namespace redcell
