// caesar: PyRIT's CaesarConverter: letters shifted by caesar_offset (-25 to 25), digits too
// when the offset is below 10 in size; append_description asks the target to answer in it.
#include "converters/text.hpp"

namespace redcell {

namespace {

struct CaesarParams {
  int offset = 0;
  bool append_description = false;
};

std::string shift(std::string_view s, int offset) {
  std::string out(s);
  const auto rotate = [](char c, char first, int size, int by) {
    return static_cast<char>(first + ((c - first + by) % size + size) % size);
  };
  const bool digits = offset > -10 && offset < 10;
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z')
      c = rotate(c, 'a', 26, offset);
    else if (c >= 'A' && c <= 'Z')
      c = rotate(c, 'A', 26, offset);
    else if (digits && c >= '0' && c <= '9')
      c = rotate(c, '0', 10, offset);
  }
  return out;
}

}  // namespace

ConverterInfo caesar_converter() {
  return text::entry<CaesarParams>(
      "caesar",
      "The Caesar cipher: letters shifted by caesar_offset places (digits too when the offset "
      "is from -9 to 9).",
      R"json({"type":"object","required":["caesar_offset"],"properties":{
        "caesar_offset":{"type":"integer","minimum":-25,"maximum":25,
          "description":"places each letter moves; negative: backwards"},
        "append_description":{"type":"boolean","default":false,
          "description":"prepend instructions to answer in the cipher, with an encoded example"}},
        "additionalProperties":false,
            "examples":[{"caesar_offset":3}]})json",
      [](const JsonInput& in) -> Result<CaesarParams> {
        auto offset = in.opt_int("caesar_offset", -25, 25);
        if (!offset) return fail(offset.error());
        if (!*offset)
          return fail(
              Error::invalid(in.field("caesar_offset"), nullptr, "an integer from -25 to 25"));
        auto d = in.boolean("append_description", false);
        if (!d) return fail(d.error());
        return CaesarParams{static_cast<int>(**offset), *d};
      },
      [](std::string_view s, const CaesarParams& p) {
        const auto encode = [&p](std::string_view t) { return shift(t, p.offset); };
        if (!p.append_description) return encode(s);
        return text::described(
            "the Caesar cipher",
            "every letter moved " + std::to_string(p.offset) + " places along the alphabet", encode,
            s);
      });
}

}  // namespace redcell
