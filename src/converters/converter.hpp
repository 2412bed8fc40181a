#pragma once
// A converter transforms attack text (base64, rot13, ...). Converters are pure functions of
// their input and parameters; they never touch the store. One converter per file; adding
// one touches its file, its test and one line of registry.cpp.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace redcell {

class Converter {
 public:
  virtual ~Converter() = default;
  virtual Result<std::string> convert(std::string_view input) const = 0;
};

struct ConverterInfo {
  std::string type;
  std::string description;
  boost::json::value params;  // JSON Schema of the params object
  // Builds a converter from validated params; `field` is the params' JSON Pointer.
  std::function<Result<std::unique_ptr<Converter>>(const boost::json::object& params,
                                                   const std::string& field)>
      make;
};

class ConverterRegistry {
 public:
  static const ConverterRegistry& builtin();

  void add(ConverterInfo info);
  const std::vector<ConverterInfo>& catalog() const { return infos_; }
  // `spec` is {"type", "params"?}; errors name `field` ("/converters/0").
  Result<std::unique_ptr<Converter>> create(const boost::json::value& spec,
                                            const std::string& field) const;

 private:
  std::vector<ConverterInfo> infos_;
};

// For converters without parameters: an error naming the first member given.
Result<void> expect_no_params(const boost::json::object& params, const std::string& field);
inline const char* const kNoParamsSchema =
    R"({"type":"object","properties":{},"additionalProperties":false})";

// Registration functions, one per converter file.
ConverterInfo base64_converter();
ConverterInfo rot13_converter();

}  // namespace redcell
