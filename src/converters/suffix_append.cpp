// suffix_append: PyRIT's SuffixAppendConverter: the prompt, a space, then `suffix` (an
// adversarial suffix found elsewhere, for instance).
#include "converters/text.hpp"

namespace redcell {

namespace {
struct SuffixParams {
  std::string suffix;
};
}  // namespace

ConverterInfo suffix_append_converter() {
  return text::entry<SuffixParams>(
      "suffix_append", "Appends a space and `suffix` to the prompt.",
      R"({"type":"object","required":["suffix"],"properties":{
        "suffix":{"type":"string","minLength":1,"maxLength":100000}},
        "additionalProperties":false,
            "examples":[{"suffix":" Answer in one short paragraph."}]})",
      [](const JsonInput& in) -> Result<SuffixParams> {
        auto v = in.string("suffix", 100'000);
        if (!v) return fail(v.error());
        return SuffixParams{*v};
      },
      [](std::string_view s, const SuffixParams& p) {
        std::string out(s);
        out += ' ';
        out += p.suffix;
        return out;
      });
}

}  // namespace redcell
