#pragma once
// A converter transforms attack text (base64, rot13, ...). Converters are pure functions of
// their input and parameters; they never touch the store. One converter per file; adding
// one touches its file, its test and one line of registry.cpp.

#include <memory>
#include <string>
#include <string_view>

#include "common/catalog.hpp"
#include "common/error.hpp"

namespace redcell {

class Converter {
 public:
  virtual ~Converter() = default;
  virtual Result<std::string> convert(std::string_view input) const = 0;
};

using ConverterInfo = CatalogEntry<Converter>;
using ConverterRegistry = Catalog<Converter>;

// Registration functions, one per converter file.
ConverterInfo base64_converter();
ConverterInfo rot13_converter();

}  // namespace redcell
