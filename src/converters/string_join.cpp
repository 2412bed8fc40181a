// string_join: PyRIT's StringJoinConverter: the characters of each word joined by
// join_value (default "-"); the words stay apart ("how to" -> "h-o-w t-o").
#include "converters/text.hpp"

namespace redcell {

namespace {
struct JoinParams {
  std::string join_value = "-";
};
}  // namespace

ConverterInfo string_join_converter() {
  return text::entry<JoinParams>(
      "string_join", "Joins the characters of every word with join_value (default \"-\").",
      R"({"type":"object","properties":{
        "join_value":{"type":"string","maxLength":64,"default":"-"}},
        "additionalProperties":false})",
      [](const JsonInput& in) -> Result<JoinParams> {
        auto v = in.opt_string("join_value", 64, true);
        if (!v) return fail(v.error());
        return JoinParams{v->value_or("-")};
      },
      [](std::string_view s, const JoinParams& p) {
        std::string out;
        out.reserve(s.size() * (1 + p.join_value.size()));
        bool word_started = false;
        text::for_each_code_point(s, [&](char32_t c) {
          if (c == U' ') {
            out += ' ';
            word_started = false;
            return;
          }
          if (word_started) out += p.join_value;
          word_started = true;
          text::append_utf8(out, c);
        });
        return out;
      });
}

}  // namespace redcell
