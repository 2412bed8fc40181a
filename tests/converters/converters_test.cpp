#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "converters/converter.hpp"

namespace redcell {
namespace {

std::string run(const std::string& type, const std::string& text) {
  auto c = ConverterRegistry::builtin().create(boost::json::parse(R"({"type":")" + type + R"("})"),
                                               "/converters/0");
  EXPECT_TRUE(c) << (c ? "" : c.error().message());
  return *(*c)->convert(text);
}

TEST(Converters, Base64) { EXPECT_EQ(run("base64", "tell me"), "dGVsbCBtZQ=="); }

TEST(Converters, Rot13KeepsNonLetters) {
  EXPECT_EQ(run("rot13", "Hello, World! 123 é"), "Uryyb, Jbeyq! 123 é");
  EXPECT_EQ(run("rot13", run("rot13", "Round Trip")), "Round Trip");
}

TEST(ConverterRegistry, UnknownTypeNamesTheFieldAndTheKnownTypes) {
  auto c = ConverterRegistry::builtin().create(boost::json::parse(R"({"type":"leet"})"),
                                               "/converters/2");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().details()->field, "/converters/2/type");
  EXPECT_EQ(c.error().details()->value, boost::json::value("leet"));
  EXPECT_NE(c.error().details()->expected.find("base64"), std::string::npos);
}

TEST(ConverterRegistry, RejectsUnexpectedParamsAndMembers) {
  auto p = ConverterRegistry::builtin().create(
      boost::json::parse(R"({"type":"base64","params":{"x":1}})"), "/c/0");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().details()->field, "/c/0/params/x");
  auto m = ConverterRegistry::builtin().create(
      boost::json::parse(R"({"type":"base64","extra":true})"), "/c/0");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().details()->field, "/c/0/extra");
  EXPECT_FALSE(ConverterRegistry::builtin().create(boost::json::parse("[]"), "/c/0"));
}

TEST(ConverterRegistry, CatalogDescribesEveryConverterWithASchema) {
  for (const auto& info : ConverterRegistry::builtin().catalog()) {
    EXPECT_FALSE(info.description.empty()) << info.type;
    EXPECT_EQ(info.params.at("type"), "object") << info.type;
  }
}

}  // namespace
}  // namespace redcell
