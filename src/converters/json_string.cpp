// json_string: the prompt escaped as the inside of a JSON string (quotes, backslashes and
// control characters escaped, no surrounding quotes), to smuggle it into a JSON payload.
#include "converters/text.hpp"

namespace redcell {

ConverterInfo json_string_converter() {
  return text::entry("json_string",
                     "Escapes the prompt as the contents of a JSON string (without the quotes).",
                     [](std::string_view s) {
                       std::string out = boost::json::serialize(boost::json::value(s));
                       return out.substr(1, out.size() - 2);
                     });
}

}  // namespace redcell
