#include <boost/json.hpp>

#include "converters/converter.hpp"

namespace redcell {

namespace {
class Rot13Converter final : public Converter {
 public:
  Result<std::string> convert(std::string_view input) const override {
    std::string out(input);
    for (auto& c : out) {
      if (c >= 'a' && c <= 'z')
        c = static_cast<char>('a' + (c - 'a' + 13) % 26);
      else if (c >= 'A' && c <= 'Z')
        c = static_cast<char>('A' + (c - 'A' + 13) % 26);
    }
    return out;
  }
};
}  // namespace

ConverterInfo rot13_converter() {
  return no_params_entry<Converter>(
      "rot13", "Rotates ASCII letters by 13 places; other characters are kept.",
      [] { return std::make_unique<Rot13Converter>(); });
}

}  // namespace redcell
