#pragma once
// Base64 (RFC 4648) in its standard and URL-safe alphabets, backed by OpenSSL's codec.

#include <optional>
#include <string>
#include <string_view>

namespace redcell {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);  // padding required
std::string base64url_encode(std::string_view bytes);
// RFC 3986 percent-encoding: every byte but the unreserved A-Z a-z 0-9 - _ . ~ as %XX.
std::string percent_encode(std::string_view s);  // no padding
std::optional<std::string> base64url_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

// The length (1-4) of the well-formed UTF-8 sequence starting at text[at], or 0 when none
// does (overlong forms, surrogates and code points above U+10FFFF are not well-formed).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);
bool is_valid_utf8(std::string_view text);

namespace detail {
// The codec in chunks of `chunk` bytes (rounded down to whole groups); exposed for tests.
std::string base64_encode_in_chunks(std::string_view bytes, std::size_t chunk);
std::optional<std::string> base64_decode_in_chunks(std::string_view text, std::size_t chunk);
}  // namespace detail

}  // namespace redcell
