#include "common/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <limits>
#include <random>

namespace redcell {
namespace {

TEST(JsonText, NumbersReadAsPeopleWriteThem) {
  boost::json::object o{{"rate", 12.29}, {"half", 0.5},
                        {"big", 1e300},  {"tiny", 1.5e-7},
                        {"n", -3},       {"u", std::uint64_t{18446744073709551615ull}},
                        {"whole", 3.0}};
  EXPECT_EQ(json_text(o), R"({"rate":12.29,"half":0.5,"big":1e+300,"tiny":1.5e-07,"n":-3,)"
                          R"("u":18446744073709551615,"whole":3})");
}

TEST(JsonText, EveryDoubleReadsBackExactly) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mantissa(-1, 1);
  std::uniform_int_distribution<int> exponent(-300, 300);
  for (int i = 0; i < 2000; ++i) {
    const double d = std::ldexp(mantissa(rng), exponent(rng));
    // strtod reads correctly rounded (Boost.JSON 1.81's own parser does not, always).
    const std::string text = json_text(boost::json::value(d));
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
    EXPECT_TRUE(boost::json::parse(text).is_number()) << text;
  }
}

TEST(JsonText, StringsAndStructureMatchBoostsParser) {
  boost::json::value v = boost::json::parse(
      R"({"a":[true,false,null,{"k":"q\"uo\\te\n\t\u0001\u001f caf\u00e9 \u2603"}],"":{}})");
  EXPECT_EQ(boost::json::parse(json_text(v)), v);
  EXPECT_EQ(json_text(boost::json::value("\x01")), R"("\u0001")");
}

TEST(JsonText, NonFiniteNumbersAreNull) {
  boost::json::array a{std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(json_text(a), "[null,null]");
}

}  // namespace
}  // namespace redcell
