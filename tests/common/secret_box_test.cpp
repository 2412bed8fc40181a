#include "common/secret_box.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace redcell {
namespace {

TEST(SecretBox, SealsAndOpensWithTheSameKeyOnly) {
  auto box = SecretBox::from_key_text("a passphrase that is long enough for it!");
  ASSERT_TRUE(box);
  auto sealed = box->seal("sk-live-123");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->find("sk-live-123"), std::string::npos);
  EXPECT_EQ(*box->open(*sealed), "sk-live-123");
  EXPECT_NE(*box->seal("sk-live-123"), *sealed);  // a fresh nonce each time

  auto other = SecretBox::from_key_text("another passphrase that is long enough!!");
  EXPECT_FALSE(other->open(*sealed));
  std::string tampered = *sealed;
  tampered[tampered.size() - 5] ^= 1;
  EXPECT_FALSE(box->open(tampered));
  EXPECT_FALSE(box->open("v1:"));
  EXPECT_FALSE(box->open("plain"));
}

TEST(SecretBox, RefusesShortKeys) {
  auto box = SecretBox::from_key_text("short");
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().details()->field, "/secret_key");
}

TEST(SecretBox, GeneratesAPrivateKeyFileOnceAndReusesIt) {
  auto dir = std::filesystem::temp_directory_path() / ("rc-box-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto path = dir / "secret.key";
  auto first = SecretBox::from_key_file(path);
  ASSERT_TRUE(first) << first.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto sealed = first->seal("x");
  auto second = SecretBox::from_key_file(path);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second->open(*sealed), "x");
  std::ofstream(path) << "junk";
  EXPECT_FALSE(SecretBox::from_key_file(path));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace redcell
