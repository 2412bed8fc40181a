#include "common/encoding.hpp"

#include <gtest/gtest.h>

namespace redcell {
namespace {

TEST(Base64, MatchesRfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, coded] : vectors) {
    EXPECT_EQ(base64_encode(plain), coded);
    EXPECT_EQ(base64_decode(coded), std::string(plain));
  }
}

TEST(Base64, RejectsMalformedInput) {
  for (const char* bad : {"Zg=", "Z===", "Zm9v!", "=Zm9", "Zg=a"})
    EXPECT_FALSE(base64_decode(bad)) << bad;
}

TEST(Base64Url, RoundTripsBinary) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  auto text = base64url_encode(bytes);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(base64url_decode(text), bytes);
}

TEST(Base64, LargeInputsGoThroughInChunksWithoutNarrowing) {
  // The codec's length is an int: inputs past 2 GiB are cut into whole groups. Small chunk
  // sizes exercise the same path: every cut gives the text of a single pass (RFC 4648).
  const std::string bytes = "Many hands make light work. \x00\xff\x10 and a tail";
  const std::string whole = base64_encode(bytes);
  for (std::size_t chunk : {3u, 4u, 6u, 7u, 30u, 1000u}) {
    EXPECT_EQ(detail::base64_encode_in_chunks(bytes, chunk), whole) << chunk;
    const auto back = detail::base64_decode_in_chunks(whole, chunk + 1);
    ASSERT_TRUE(back) << chunk;
    // The decoder counts padding as zero bytes; base64_decode strips them.
    EXPECT_EQ(back->substr(0, bytes.size()), bytes) << chunk;
  }
  EXPECT_EQ(*base64_decode(whole), bytes);
}

TEST(Sha256, KnownDigest) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace redcell
