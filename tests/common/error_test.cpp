#include "common/error.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace redcell {
namespace {

TEST(Error, RendersTheOneJsonShape) {
  auto e = Error::invalid("/converters/0/type", boost::json::value("nope"), "one of base64, rot13");
  auto doc = e.to_json();
  const auto& err = doc.at("error").as_object();
  EXPECT_EQ(err.at("code"), "invalid_argument");
  EXPECT_EQ(err.at("message"), "/converters/0/type: expected one of base64, rot13");
  const auto& d = err.at("details").as_object();
  EXPECT_EQ(d.at("field"), "/converters/0/type");
  EXPECT_EQ(d.at("value"), "nope");
  EXPECT_EQ(d.at("expected"), "one of base64, rot13");
  EXPECT_EQ(e.status(), 400u);
}

TEST(Error, DetailsIsAnEmptyObjectWhenThereAreNone) {
  Error e(ErrorCode::not_found, "no such orchestrator");
  auto doc = e.to_json();
  EXPECT_TRUE(doc.at("error").at("details").as_object().empty());
  EXPECT_EQ(e.status(), 404u);
}

TEST(Error, EveryCodeMapsToAnHttpStatusAndAName) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::unavailable); ++c) {
    auto code = static_cast<ErrorCode>(c);
    EXPECT_GE(http_status(code), 400u);
    EXPECT_LT(http_status(code), 600u);
    EXPECT_FALSE(to_string(code).empty());
  }
}

}  // namespace
}  // namespace redcell
