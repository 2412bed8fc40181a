// A random converter draws only from its seed: the same seed gives the same text, another
// seed (another work item, another turn) other capitals, and the share asked for is exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "converters/chain.hpp"
#include "converters/converter.hpp"

namespace redcell {
namespace {

std::unique_ptr<Converter> make(double percentage) {
  auto c = ConverterRegistry::builtin().create(
      boost::json::value{{"type", "random_capital_letters"},
                         {"params", {{"percentage", percentage}}}},
      "/converters/0");
  EXPECT_TRUE(c) << (c ? "" : c.error().message());
  return std::move(*c);
}

std::size_t capitals(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
}

const std::string kText = "how would someone get past a login form without the password";

TEST(RandomCapitalLetters, TheSameSeedGivesTheSameText) {
  auto c = make(40);
  EXPECT_EQ(*c->convert_seeded(kText, 7), *c->convert_seeded(kText, 7));
  EXPECT_NE(*c->convert_seeded(kText, 7), *c->convert_seeded(kText, 8));
  EXPECT_TRUE(c->traits().random);
}

TEST(RandomCapitalLetters, UpperCasesTheShareAskedFor) {
  const std::size_t letters = static_cast<std::size_t>(
      std::count_if(kText.begin(), kText.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
  EXPECT_EQ(capitals(*make(0)->convert_seeded(kText, 3)), 0u);
  EXPECT_EQ(capitals(*make(100)->convert_seeded(kText, 3)), letters);
  EXPECT_EQ(capitals(*make(50)->convert_seeded(kText, 3)),
            static_cast<std::size_t>(std::llround(letters * 0.5)));
  std::string lower = *make(50)->convert_seeded(kText, 3);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  EXPECT_EQ(lower, kText) << "only the case changes";
}

TEST(RandomCapitalLetters, RefusesAPercentageOutOfRange) {
  auto c = ConverterRegistry::builtin().create(
      boost::json::parse(R"({"type":"random_capital_letters","params":{"percentage":150}})"),
      "/c/1");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().details()->field, "/c/1/params/percentage");
}

TEST(Seeds, AChainSeedsEachStepApartAndReplays) {
  ConverterChain chain;
  chain.push_back(make(30));
  chain.push_back(make(30));
  auto a = run_chain(chain, kText, "/c", 11);
  auto b = run_chain(chain, kText, "/c", 11);
  auto other = run_chain(chain, kText, "/c", 12);
  ASSERT_TRUE(a && b && other);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *other);
}

TEST(Seeds, DerivedSeedsAreStableAndFitInADouble) {
  EXPECT_EQ(seed_for(1, std::string_view("p1:0:0")), seed_for(1, std::string_view("p1:0:0")));
  EXPECT_NE(seed_for(1, std::string_view("p1:0:0")), seed_for(1, std::string_view("p1:0:1")));
  EXPECT_NE(seed_for(1, std::uint64_t{0}), seed_for(2, std::uint64_t{0}));
  for (std::uint64_t i = 0; i < 1000; ++i) EXPECT_LT(seed_for(i, i), std::uint64_t{1} << 53);
}

}  // namespace
}  // namespace redcell
