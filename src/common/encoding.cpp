#include "common/encoding.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace redcell {

namespace detail {

// OpenSSL's block codec takes an int length: larger inputs go through in chunks (a
// multiple of 3 bytes to encode, of 4 characters to decode, so no padding falls inside).
std::string base64_encode_in_chunks(std::string_view bytes, std::size_t chunk) {
  chunk -= chunk % 3;
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  std::size_t written = 0;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    const auto part = bytes.substr(at, chunk);
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + written),
                            reinterpret_cast<const unsigned char*>(part.data()),
                            static_cast<int>(part.size()));
    written += static_cast<std::size_t>(n);
  }
  out.resize(written);
  return out;
}

std::optional<std::string> base64_decode_in_chunks(std::string_view text, std::size_t chunk) {
  chunk -= chunk % 4;
  std::string out(3 * (text.size() / 4), '\0');
  std::size_t written = 0;
  for (std::size_t at = 0; at < text.size(); at += chunk) {
    const auto part = text.substr(at, chunk);
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + written),
                            reinterpret_cast<const unsigned char*>(part.data()),
                            static_cast<int>(part.size()));
    if (n < 0) return std::nullopt;
    written += static_cast<std::size_t>(n);
  }
  out.resize(written);
  return out;
}

}  // namespace detail

namespace {
constexpr std::size_t kCodecChunk = std::size_t{3} << 28;  // 768 MiB: far below INT_MAX
}  // namespace

std::string base64_encode(std::string_view bytes) {
  return detail::base64_encode_in_chunks(bytes, kCodecChunk);
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return std::string();
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
    bool pad = c == '=' && i + 2 >= text.size();
    if (!alpha && !pad) return std::nullopt;
  }
  if (text[text.size() - 2] == '=' && text.back() != '=') return std::nullopt;
  auto out = detail::base64_decode_in_chunks(text, kCodecChunk);
  if (!out) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t pad = text.back() == '=' ? (text[text.size() - 2] == '=' ? 2 : 1) : 0;
  out->resize(out->size() - pad);
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string s = base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  std::replace(s.begin(), s.end(), '+', '-');
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string s(text);
  if (s.find_first_of("+/=") != std::string::npos) return std::nullopt;
  std::replace(s.begin(), s.end(), '-', '+');
  std::replace(s.begin(), s.end(), '_', '/');
  if (s.size() % 4 == 1) return std::nullopt;
  while (s.size() % 4 != 0) s.push_back('=');
  return base64_decode(s);
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  // Written through a pointer: a push_back per digit (a capacity check and a size store
  // each) cost ~5 ns, most of the hex converter's time on a 1 KB prompt.
  out.resize_and_overwrite(bytes.size() * 2, [&](char* begin, std::size_t) {
    char* p = begin;
    for (unsigned char c : bytes) {
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 0xf];
    }
    return static_cast<std::size_t>(p - begin);
  });
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  const std::size_t n = c >= 0xc2 && c <= 0xdf   ? 2
                        : c >= 0xe0 && c <= 0xef ? 3
                        : c >= 0xf0 && c <= 0xf4 ? 4
                                                 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if ((c == 0xe0 && b(i + 1) < 0xa0) || (c == 0xed && b(i + 1) > 0x9f) ||
      (c == 0xf0 && b(i + 1) < 0x90) || (c == 0xf4 && b(i + 1) > 0x8f))
    return 0;
  return n;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace redcell
