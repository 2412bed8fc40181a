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
  return {"base64", "Encodes the prompt in Base64 (RFC 4648), to slip past keyword filters.",
          boost::json::parse(kNoParamsSchema),
          [](const boost::json::object& params, const std::string& field, const ConverterRegistry&)
              -> Result<std::unique_ptr<Converter>> {
            if (auto ok = expect_no_params(params, field); !ok) return fail(ok.error());
            return std::make_unique<Base64Converter>();
          }};
}

}  // namespace redcell
