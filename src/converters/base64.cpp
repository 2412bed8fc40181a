#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "converters/converter.hpp"

namespace redcell {

namespace {
class Base64Converter final : public Converter {
 public:
  Result<std::string> convert(std::string_view input) const override {
    return base64_encode(input);
  }
};
}  // namespace

ConverterInfo base64_converter() {
  return no_params_entry<Converter>(
      "base64", "Encodes the prompt in Base64 (RFC 4648), to slip past keyword filters.",
      [] { return std::make_unique<Base64Converter>(); });
}

}  // namespace redcell
