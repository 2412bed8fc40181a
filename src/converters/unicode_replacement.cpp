// unicode_replacement: PyRIT's UnicodeReplacementConverter: every character of every word
// written as its \uXXXX escape; spaces kept, or escaped too with encode_spaces.
#include <array>
#include <cstdio>

#include "converters/text.hpp"

namespace redcell {

namespace {
struct ReplacementParams {
  bool encode_spaces = false;
};

// The ASCII characters' escapes, written once.
const auto kAscii = [] {
  std::array<text::Piece, 128> t;
  for (std::uint32_t c = 0; c < 128; ++c) {
    std::string escape = "\\u";
    text::append_number(escape, c, 16, 4, false);
    t[c] = text::Piece(escape);
  }
  return t;
}();
}  // namespace

ConverterInfo unicode_replacement_converter() {
  return text::entry<ReplacementParams>(
      "unicode_replacement", "Writes every character as its \\uXXXX escape (spaces kept).",
      R"json({"type":"object","properties":{
        "encode_spaces":{"type":"boolean","default":false}},"additionalProperties":false})json",
      [](const JsonInput& in) -> Result<ReplacementParams> {
        auto e = in.boolean("encode_spaces", false);
        if (!e) return fail(e.error());
        return ReplacementParams{*e};
      },
      [](std::string_view s, const ReplacementParams& p) {
        // A code point is at least one byte in; at most "\\u" and six digits out.
        return text::write_at_most(8 * s.size(), [&](char* at) {
          text::for_each_code_point(s, [&](char32_t c) {
            if (c == U' ' && !p.encode_spaces) {
              *at++ = ' ';
            } else if (c < 128) {
              at = text::put(at, kAscii[c]);
            } else {
              std::string escape = "\\u";
              text::append_number(escape, static_cast<std::uint32_t>(c), 16, 4, false);
              at = text::put(at, escape);
            }
          });
          return at;
        });
      });
}

}  // namespace redcell
