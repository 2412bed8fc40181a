// unicode_replacement: PyRIT's UnicodeReplacementConverter: every character of every word
// written as its \uXXXX escape; spaces kept, or escaped too with encode_spaces.
#include <cstdio>

#include "converters/text.hpp"

namespace redcell {

namespace {
struct ReplacementParams {
  bool encode_spaces = false;
};
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
        for (char32_t c : text::code_points(s)) {
          if (c == U' ' && !p.encode_spaces) {
            out += ' ';
            continue;
          }
          out += "\\u";
          text::append_number(out, static_cast<std::uint32_t>(c), 16, 4, false);
        }
        return out;
      });
}

}  // namespace redcell
