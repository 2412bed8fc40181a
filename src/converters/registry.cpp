#include <boost/json.hpp>

#include "converters/converter.hpp"

namespace redcell {

template <>
const Catalog<Converter>& Catalog<Converter>::builtin() {
  static const Catalog<Converter> registry = [] {
    Catalog<Converter> r("converter");
    r.add(base64_converter());
    r.add(rot13_converter());
    r.add(llm_generic_converter());
    r.add(random_capital_letters_converter());
    return r;
  }();
  return registry;
}

}  // namespace redcell
