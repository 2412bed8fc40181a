#include "common/page.hpp"

#include <gtest/gtest.h>

namespace redcell {
namespace {

TEST(Cursor, RoundTripsKeysIncludingAwkwardCharacters) {
  Cursor c{{"2026-11-27T04:56:49.123Z", "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "a\"b/\\c\n\xc3\xa9"}};
  auto text = encode_cursor(c);
  EXPECT_EQ(text.find_first_of("+/= "), std::string::npos) << "cursor must be URL-safe";
  auto back = decode_cursor(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);
}

TEST(Cursor, RejectsTamperedOrForeignText) {
  auto good = encode_cursor(Cursor{{"x"}});
  for (std::string bad : {std::string(""), std::string("!!!"), good + "A", good.substr(1),
                          std::string("eyJ2IjoiYzEiLCJrIjpbXX0"),  // {"v":"c1","k":[]}
                          std::string("eyJ2IjoiYzkiLCJrIjpbIngiXX0"),  // wrong version
                          std::string(5000, 'A')}) {
    auto r = decode_cursor(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().details()->field, "/query/cursor");
  }
}

TEST(PageRequest, DefaultsAndBounds) {
  auto d = parse_page_request(std::nullopt, std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->limit, 50u);
  EXPECT_FALSE(d->after);
  EXPECT_EQ(parse_page_request("1", std::nullopt)->limit, 1u);
  EXPECT_EQ(parse_page_request("500", std::nullopt)->limit, 500u);
  for (const char* bad : {"0", "501", "-1", "10x", "", " 5", "99999999999999999999999"}) {
    auto r = parse_page_request(std::string_view(bad), std::nullopt);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().details()->field, "/query/limit");
    EXPECT_EQ(r.error().details()->expected, "an integer from 1 to 500");
  }
}

TEST(PageRequest, CarriesTheDecodedCursor) {
  auto text = encode_cursor(Cursor{{"k1", "k2"}});
  auto p = parse_page_request("10", std::string_view(text));
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->after);
  EXPECT_EQ(p->after->keys, (std::vector<std::string>{"k1", "k2"}));
}

}  // namespace
}  // namespace redcell
