// The catalog's promise to the UI, which builds its forms from it: every converter and
// scorer has a description and an object schema; the defaults it declares are accepted
// together; a piece with required params shows examples, and every example builds. A piece
// added without them fails here. (tests/integration/test_catalog.py checks the same schemas
// with an independent JSON Schema validator.)
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "converters/converter.hpp"
#include "scorers/scorer.hpp"

namespace redcell {
namespace {

// {"type", "params"} with every declared default.
boost::json::object defaults_spec(const std::string& type, const boost::json::object& schema) {
  boost::json::object params;
  if (const auto* props = schema.if_contains("properties"))
    for (const auto& kv : props->as_object())
      if (const auto* d = kv.value().as_object().if_contains("default")) params[kv.key()] = *d;
  return {{"type", type}, {"params", params}};
}

template <class T>
void check_catalog(const Catalog<T>& catalog, std::size_t at_least) {
  EXPECT_GE(catalog.catalog().size(), at_least);
  for (const auto& e : catalog.catalog()) {
    SCOPED_TRACE(e.type);
    EXPECT_FALSE(e.description.empty());
    if (!e.params.is_object()) {
      ADD_FAILURE() << "params schema is not an object";
      continue;
    }
    const auto& schema = e.params.as_object();
    EXPECT_EQ(schema.at("type"), "object");
    EXPECT_EQ(schema.at("additionalProperties"), false);
    const auto* props = schema.if_contains("properties");
    if (props) {
      for (const auto& kv : props->as_object()) {
        EXPECT_TRUE(kv.value().is_object()) << kv.key();
        EXPECT_LE(kv.value().as_object().size(), 12u) << kv.key();
      }
    }
    const auto* required = schema.if_contains("required");
    // "oneOf": [{"required": [a]}, {"required": [b]}]: one of two ways to give a param.
    const bool needs_params =
        (required && !required->as_array().empty()) || schema.contains("oneOf");
    if (!needs_params) {
      auto built = catalog.create(defaults_spec(e.type, schema), "/piece");
      EXPECT_TRUE(built) << (built ? "" : built.error().message());
    }
    const auto* examples = schema.if_contains("examples");
    if (needs_params) {
      if (!examples || !examples->is_array() || examples->as_array().empty()) {
        ADD_FAILURE() << "a piece with required params must show an example";
        continue;
      }
      if (required) {
        for (const auto& name : required->as_array()) {
          EXPECT_TRUE(props && props->as_object().contains(name.as_string())) << name;
        }
      }
    }
    if (!examples) continue;
    for (const auto& example : examples->as_array()) {
      boost::json::object spec{{"type", e.type}, {"params", example}};
      auto built = catalog.create(spec, "/piece");
      EXPECT_TRUE(built) << boost::json::serialize(example) << ": "
                         << (built ? "" : built.error().message());
    }
  }
}

TEST(Catalog, EveryConverterHasADescriptionDefaultsThatBuildAndExamplesThatBuild) {
  check_catalog(ConverterRegistry::builtin(), 50);
}

TEST(Catalog, EveryScorerHasADescriptionDefaultsThatBuildAndExamplesThatBuild) {
  check_catalog(ScorerRegistry::builtin(), 6);
}

}  // namespace
}  // namespace redcell
