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
std::array<text::Piece, 128> ascii_numbers(int base) {
  std::array<text::Piece, 128> t;
  for (std::uint32_t c = 0; c < 128; ++c) {
    std::string number;
    text::append_number(number, c, base);
    t[c] = text::Piece(number);
  }
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
        const auto& ascii = p.base == 16 ? kAscii16 : kAscii10;
        // A code point is at least one byte in; at most 8 digits and a separator out.
        return text::write_at_most(s.size() * (8 + p.separator.size()), [&](char* at) {
          const text::Piece separator(p.separator);
          bool first = true;
          text::for_each_code_point(s, [&](char32_t c) {
            if (!first) at = text::put(at, separator);
            first = false;
            if (c < 128)
              at = text::put(at, ascii[c]);
            else
              at = text::put_number(at, static_cast<std::uint32_t>(c), p.base);
          });
          return at;
        });
      });
}

}  // namespace redcell
