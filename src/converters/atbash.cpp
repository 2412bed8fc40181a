// atbash: PyRIT's AtbashConverter: a<->z, A<->Z and 0<->9 mirrored; append_description asks
// the target to answer in it.
#include "converters/text.hpp"

namespace redcell {

namespace {
std::string atbash(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>('z' - (c - 'a'));
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>('Z' - (c - 'A'));
    else if (c >= '0' && c <= '9')
      c = static_cast<char>('9' - (c - '0'));
  }
  return out;
}
}  // namespace

ConverterInfo atbash_converter() {
  return text::entry<text::Describable>(
      "atbash", "The Atbash cipher: the alphabet and the digits mirrored (a<->z, 0<->9).",
      text::kDescribableSchema, text::read_describable,
      [](std::string_view s, const text::Describable& p) {
        if (!p.append_description) return atbash(s);
        return text::described("the Atbash cipher",
                               "the alphabet mirrored: a is z, b is y, and so on; digits too",
                               atbash, s);
      });
}

}  // namespace redcell
