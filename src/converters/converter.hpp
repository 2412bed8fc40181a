#pragma once
// A converter transforms attack text (base64, rot13, ...). Converters are pure functions of
// their input and parameters; they never touch the store. One converter per file; adding
// one touches its file, its test and one line of registry.cpp.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalog.hpp"
#include "common/error.hpp"
#include "common/task.hpp"
#include "targets/llm_client.hpp"

namespace redcell {

struct ConverterTraits {
  bool needs_llm = false;  // asks a helper LLM: runs through convert_async only
  std::string_view input_type = "text";
  std::string_view output_type = "text";
};

class Converter {
 public:
  virtual ~Converter() = default;
  // A pure conversion, synchronous: chains without an LLM step run only this.
  virtual Result<std::string> convert(std::string_view input) const = 0;
  // Every converter runs here; the default is convert() (a pure converter stays a few lines).
  virtual Task<Result<std::string>> convert_async(std::string input, LlmClient& llm) const;
  virtual ConverterTraits traits() const { return {}; }
  // The saved targets it asks (checked against the caller's own when a chain is saved).
  virtual std::vector<std::string> helper_targets() const { return {}; }
};

using ConverterInfo = CatalogEntry<Converter>;
using ConverterRegistry = Catalog<Converter>;

// Registration functions, one per converter file.
ConverterInfo base64_converter();
ConverterInfo rot13_converter();
ConverterInfo llm_generic_converter();

}  // namespace redcell
