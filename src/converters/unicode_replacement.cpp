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
  std::array<std::string, 128> t;
  for (std::uint32_t c = 0; c < 128; ++c) {
    t[c] = "\\u";
    text::append_number(t[c], c, 16, 4, false);
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
        std::string out;
        out.reserve(s.size() * 6);
        text::for_each_code_point(s, [&](char32_t c) {
          if (c == U' ' && !p.encode_spaces) {
            out += ' ';
            return;
          }
          if (c < 128) {
            out += kAscii[c];
            return;
          }
          out += "\\u";
          text::append_number(out, static_cast<std::uint32_t>(c), 16, 4, false);
        });
        return out;
      });
}

}  // namespace redcell
