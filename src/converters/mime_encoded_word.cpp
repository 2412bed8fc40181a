// mime_encoded_word: the prompt as MIME encoded-words (RFC 2047, "=?UTF-8?B?...?="), each at
// most 75 characters and never splitting a character, separated by spaces: what mail headers
// carry and a filter may not decode.
#include "common/encoding.hpp"
#include "converters/text.hpp"

namespace redcell {

ConverterInfo mime_encoded_word_converter() {
  return text::entry(
      "mime_encoded_word", "Writes the prompt as RFC 2047 encoded-words (=?UTF-8?B?...?=).",
      [](std::string_view s) {
        // 75 - len("=?UTF-8?B??=") = 63 base64 characters: 45 bytes.
        constexpr std::size_t kBytes = 45;
        std::string out;
        std::size_t at = 0;
        while (at < s.size()) {
          std::size_t n = 0;
          while (at + n < s.size()) {
            const std::size_t len = std::max<std::size_t>(1, utf8_sequence_length(s, at + n));
            if (n + len > kBytes) break;
            n += len;
          }
          if (n == 0) n = std::min(kBytes, s.size() - at);
          if (!out.empty()) out += ' ';
          out += "=?UTF-8?B?" + base64_encode(s.substr(at, n)) + "?=";
          at += n;
        }
        return out;
      });
}

}  // namespace redcell
