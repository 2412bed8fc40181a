#pragma once
// Encrypts stored secrets (target and judge API keys) with AES-256-GCM under one key per
// deployment. The key comes from REDCELL_SECRET_KEY[_FILE] (base64 of 32 bytes, or a
// passphrase of 32+ characters hashed with SHA-256), or is generated into
// $REDCELL_HOME/secret.key (mode 0600) on first start. Ciphertext: "v1:" + base64(nonce ||
// ciphertext || tag); a changed byte or a different key fails to open, never yields garbage.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace redcell {

class SecretBox {
 public:
  // `key_text` as given by the operator (see above).
  static Result<SecretBox> from_key_text(std::string_view key_text);
  // Reads `path`, or creates it with a fresh random key (0600) when it does not exist.
  static Result<SecretBox> from_key_file(const std::filesystem::path& path);

  Result<std::string> seal(std::string_view plaintext) const;
  Result<std::string> open(std::string_view sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;  // 32 bytes
};

}  // namespace redcell
