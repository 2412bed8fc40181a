#include "common/id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace redcell {
namespace {

using namespace std::chrono;

TEST(IdGenerator, ProducesCanonicalUuidV7) {
  IdGenerator gen;
  auto id = gen.next();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_TRUE(is_uuid_v7(id)) << id;
  EXPECT_EQ(id[14], '7');
}

TEST(IdGenerator, EncodesTheClockMillisecond) {
  ManualClock clock(system_clock::time_point(milliseconds(1'764'219'409'123)));
  IdGenerator gen(clock, 42);
  EXPECT_EQ(uuid_v7_millis(gen.next()), 1'764'219'409'123);
}

TEST(IdGenerator, StrictlyIncreasesWithinOneMillisecondAndWhenTheClockStepsBack) {
  ManualClock clock(system_clock::time_point(milliseconds(1'000'000)));
  IdGenerator gen(clock, 7);
  std::string last = gen.next();
  for (int i = 0; i < 10'000; ++i) {
    if (i == 5000) clock.advance(-seconds(3));  // NTP step backwards
    auto id = gen.next();
    ASSERT_LT(last, id) << "at " << i;
    ASSERT_TRUE(is_uuid_v7(id));
    last = id;
  }
}

TEST(IdGenerator, UniqueAcrossThreads) {
  IdGenerator gen;
  std::vector<std::vector<std::string>> out(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) out[t].push_back(gen.next());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (auto& v : out) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 40'000u);
}

TEST(IsUuidV7, RejectsOtherVersionsAndForms) {
  EXPECT_FALSE(is_uuid_v7("0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b"));  // v4
  EXPECT_FALSE(is_uuid_v7("0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B"));  // upper case
  EXPECT_FALSE(is_uuid_v7("0190a1b2-c3d4-7e5f-ca6b-7c8d9e0f1a2b"));  // wrong variant
  EXPECT_FALSE(is_uuid_v7("0190a1b2c3d47e5f8a6b7c8d9e0f1a2b"));
  EXPECT_FALSE(is_uuid_v7(""));
  EXPECT_TRUE(is_uuid_v7("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"));
}

// The store keeps ids as these 16 bytes; reading them back must give the exact string.
TEST(UuidBytes, RoundTripsCanonicalTextOnly) {
  IdGenerator gen;
  for (int i = 0; i < 1000; ++i) {
    auto id = gen.next();
    auto bytes = uuid_bytes(id);
    ASSERT_TRUE(bytes) << id;
    EXPECT_EQ(uuid_text(bytes->data()), id);
  }
  auto v4 = uuid_bytes("0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b");
  ASSERT_TRUE(v4) << "any version";
  EXPECT_EQ((*v4)[0], 0x01);
  EXPECT_EQ((*v4)[15], 0x2b);
  EXPECT_EQ(uuid_text(v4->data()), "0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b");
  // Forms that would not read back as the same text stay text.
  EXPECT_FALSE(uuid_bytes("0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B"));
  EXPECT_FALSE(uuid_bytes("0190a1b2c3d47e5f8a6b7c8d9e0f1a2b"));
  EXPECT_FALSE(uuid_bytes("{0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2}"));
  EXPECT_FALSE(uuid_bytes("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2g"));
  EXPECT_FALSE(uuid_bytes("0190a1b2-c3d4-7e5f-8a6b_7c8d9e0f1a2b"));
  EXPECT_FALSE(uuid_bytes("local"));
  EXPECT_FALSE(uuid_bytes(""));
}

}  // namespace
}  // namespace redcell
