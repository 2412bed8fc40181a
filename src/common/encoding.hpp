#pragma once
// Base64 (RFC 4648) in its standard and URL-safe alphabets, backed by OpenSSL's codec.

#include <optional>
#include <string>
#include <string_view>

namespace redcell {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);  // padding required
std::string base64url_encode(std::string_view bytes);              // no padding
std::optional<std::string> base64url_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

}  // namespace redcell
