#include "common/json_input.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace redcell {
namespace {

TEST(JsonInput, NamesUnknownAndReadOnlyMembers) {
  auto v = boost::json::parse(R"({"name":"x","id":"1"})");
  JsonInput in(v.as_object(), "/a/b");
  auto ro = in.only({"name"}, {"id"});
  ASSERT_FALSE(ro);
  EXPECT_EQ(ro.error().details()->field, "/a/b/id");
  EXPECT_NE(ro.error().message().find("read-only"), std::string::npos);
  auto unknown = in.only({"id"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().details()->field, "/a/b/name");
}

TEST(JsonInput, TypedMembersCheckRangeAndType) {
  auto v = boost::json::parse(
      R"({"s":"","n":3.5,"i":1e30,"b":"yes","a":["x",""],"ok":7,"big":18446744073709551615,"t/x":1})");
  JsonInput in(v.as_object(), "");
  EXPECT_FALSE(in.string("s"));
  EXPECT_FALSE(in.string("missing"));
  EXPECT_EQ(**in.opt_number("n", 0, 4), 3.5);
  EXPECT_FALSE(in.opt_number("n", 0, 3));
  EXPECT_FALSE(in.opt_int("i", 0, 100));
  EXPECT_FALSE(in.opt_int("big", 0, 100));
  EXPECT_FALSE(in.opt_int("n", 0, 100));
  EXPECT_EQ(**in.opt_int("ok", 0, 100), 7);
  EXPECT_FALSE(in.opt_int("missing", 0, 1)->has_value());
  EXPECT_FALSE(in.boolean("b", false));
  auto a = in.strings("a", 10);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().details()->field, "/a/1");
  EXPECT_EQ(in.field("t/x"), "/t~1x");
}

TEST(CanonicalJson, SortsMembersAtEveryDepth) {
  auto a = boost::json::parse(R"({"b":1,"a":{"y":[{"d":1,"c":2}],"x":null}})");
  auto b = boost::json::parse(R"({"a":{"x":null,"y":[{"c":2,"d":1}]},"b":1})");
  EXPECT_EQ(canonical_json(a), canonical_json(b));
  EXPECT_EQ(canonical_json(a), R"({"a":{"x":null,"y":[{"c":2,"d":1}]},"b":1})");
  EXPECT_NE(canonical_json(boost::json::parse("[1,2]")), canonical_json(boost::json::parse("[2,1]")));
}

}  // namespace
}  // namespace redcell
