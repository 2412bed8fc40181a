#include "http/wire.hpp"

#include <gtest/gtest.h>

namespace redcell::http::wire {
namespace {

TEST(Wire, AppendsOneFieldLine) {
  std::string out = "HTTP/1.1 200 OK\r\n";
  append_field(out, "X-Request-Id", "abc-1");
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nX-Request-Id: abc-1\r\n");
}

TEST(Wire, AValueCanNeverStartAHeaderOfItsOwn) {
  std::string out;
  append_field(out, "Location", "/x\r\nSet-Cookie: a=b\nX: y\r");
  EXPECT_EQ(out, "Location: /x  Set-Cookie: a=b X: y \r\n");
  EXPECT_EQ(out.find("\r\n"), out.size() - 2);
}

TEST(Wire, FramingFieldsAreTheWritersOwnInAnyCase) {
  for (auto name : {"Content-Length", "content-length", "TRANSFER-ENCODING", "Connection", "host"})
    EXPECT_TRUE(is_framing_field(name)) << name;
  for (auto name : {"Content-Type", "Content-Lengths", "X-Host", "", "Authorization"})
    EXPECT_FALSE(is_framing_field(name)) << name;
}

TEST(Wire, FieldNamesAreRfc9110TokensAndValuesCannotEndTheirLine) {
  for (auto name : {"X-Team", "x_y", "A!#$%&'*+-.^_`|~9"}) EXPECT_TRUE(is_token(name)) << name;
  for (auto name : {"", "X Team", "X:", "X-A\r\nInjected", "X\n", "caf\xc3\xa9", "(x)", "a/b"})
    EXPECT_FALSE(is_token(name)) << name;
  EXPECT_TRUE(is_field_value("Bearer abc\tdef caf\xc3\xa9"));
  for (std::string_view v :
       {std::string_view("a\r\nb"), std::string_view("a\nb"), std::string_view("a\0b", 3),
        std::string_view("a\x7f"), std::string_view("a\x1b[0m")})
    EXPECT_FALSE(is_field_value(v));
}

}  // namespace
}  // namespace redcell::http::wire
