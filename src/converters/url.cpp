// url: percent-encodes the prompt as Python's urllib.parse.quote does (unreserved
// characters and "/" kept), with Boost.URL's encoder.
#include <boost/url/encode.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "converters/text.hpp"

namespace redcell {

ConverterInfo url_converter() {
  return text::entry("url",
                     "Percent-encodes the prompt (RFC 3986; letters, digits, -._~ and / kept).",
                     [](std::string_view s) {
                       static constexpr auto kKept =
                           boost::urls::unreserved_chars + boost::urls::grammar::lut_chars('/');
                       return boost::urls::encode(s, kKept);
                     });
}

}  // namespace redcell
