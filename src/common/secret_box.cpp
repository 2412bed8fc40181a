#include "common/secret_box.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "common/encoding.hpp"
#include "common/files.hpp"

namespace redcell {

namespace {
constexpr std::size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;
constexpr std::string_view kPrefix = "v1:";

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

Result<SecretBox> SecretBox::from_key_text(std::string_view key_text) {
  std::string text = trim(std::string(key_text));
  if (auto raw = base64_decode(text); raw && raw->size() == kKeyBytes) return SecretBox(*raw);
  if (text.size() >= kKeyBytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return SecretBox(std::string(reinterpret_cast<char*>(digest), sizeof digest));
  }
  return fail(Error::invalid("/secret_key", std::nullopt,
                             "base64 of 32 random bytes, or a passphrase of 32+ characters",
                             "the secret key is too short"));
}

Result<SecretBox> SecretBox::from_key_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (auto made = create_private_directories(path.parent_path()); !made)
      return fail(made.error());
    std::string raw(kKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), kKeyBytes) != 1)
      return fail(ErrorCode::internal, "no random bytes for a secret key");
    // O_EXCL: two processes starting at once cannot both write a different key.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      std::string text = base64_encode(raw) + "\n";
      bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
      ok = ::fsync(fd) == 0 && ok;
      ::close(fd);
      if (!ok) return fail(ErrorCode::internal, "cannot write the secret key " + path.string());
    } else if (errno != EEXIST) {
      return fail(ErrorCode::internal, "cannot create the secret key " + path.string());
    }
  }
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::internal, "cannot read the secret key " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  auto box = from_key_text(text.str());
  if (!box)
    return fail(ErrorCode::invalid_argument,
                "the secret key file " + path.string() + " holds no valid key");
  return box;
}

Result<std::string> SecretBox::seal(std::string_view plaintext) const {
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(nonce, kNonceBytes) != 1) return fail(ErrorCode::internal, "no random nonce");
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* body = nonce + kNonceBytes;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size()) != 1)
    return fail(ErrorCode::internal, "encryption failed");
  return std::string(kPrefix) + base64_encode(out);
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  auto bad = [] {
    return fail(ErrorCode::internal, "a stored secret does not open with this key");
  };
  if (sealed.substr(0, kPrefix.size()) != kPrefix) return bad();
  auto raw = base64_decode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return bad();
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data());
  const std::size_t n = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(n, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string tag = raw->substr(kNonceBytes + n);
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                        nonce + kNonceBytes, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) !=
          1)
    return bad();
  return plain;
}

}  // namespace redcell
