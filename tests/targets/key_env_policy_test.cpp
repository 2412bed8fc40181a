#include "targets/key_env_policy.hpp"

#include <gtest/gtest.h>

#include <map>

namespace redcell {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(KeyEnvPolicy, AllowsListedNamesAndPrefixesOnly) {
  auto p = *KeyEnvPolicy::parse("OPENAI_API_KEY, REDCELL_TARGET_KEY_*", "--target-key-env");
  EXPECT_TRUE(p.allows("OPENAI_API_KEY"));
  EXPECT_TRUE(p.allows("REDCELL_TARGET_KEY_AZURE"));
  EXPECT_FALSE(p.allows("REDCELL_TARGET_KEY_"));  // the prefix alone names nothing
  EXPECT_FALSE(p.allows("ANTHROPIC_API_KEY"));
  EXPECT_FALSE(p.allows("OPENAI_API_KEY_2"));
  EXPECT_EQ(p.describe(), "OPENAI_API_KEY, REDCELL_TARGET_KEY_*");
}

TEST(KeyEnvPolicy, RedcellSettingsAndLibpqAreNeverReadable) {
  auto p = *KeyEnvPolicy::parse("REDCELL_*,P*", "--target-key-env");
  for (auto name : {"REDCELL_SECRET_KEY", "REDCELL_JWT_HS256_SECRET", "REDCELL_SECRET_KEY_FILE",
                    "REDCELL_TARGET_KEY_ENV", "PGPASSWORD", "PGPASSFILE", "PGHOST"})
    EXPECT_FALSE(p.allows(name)) << name;
  EXPECT_TRUE(p.allows("REDCELL_TARGET_KEY_X"));
  EXPECT_TRUE(p.allows("PATH_KEY"));
  for (auto spec :
       {"PGPASSWORD", "PG*", "REDCELL_SECRET_KEY", "REDCELL_S*", "REDCELL_TARGET_KEY_ENV"})
    EXPECT_FALSE(KeyEnvPolicy::parse(spec, "--target-key-env")) << spec;
  for (auto spec : {"*", "BAD-NAME", "1ABC"})
    EXPECT_FALSE(KeyEnvPolicy::parse(spec, "--target-key-env")) << spec;
}

TEST(KeyEnvPolicy, AnUnallowedNameIsRefusedWithoutLookingAtTheEnvironment) {
  auto p = *KeyEnvPolicy::parse("OPENAI_API_KEY", "--target-key-env");
  bool looked = false;
  EnvLookup spy = [&](std::string_view) -> std::optional<std::string> {
    looked = true;
    return "secret";
  };
  auto set = p.read("AWS_SECRET_ACCESS_KEY", spy);
  auto unset = p.read("NOT_SET_ANYWHERE", fake_env({}));
  ASSERT_FALSE(set);
  ASSERT_FALSE(unset);
  EXPECT_FALSE(looked);
  EXPECT_EQ(set.error().details()->expected, unset.error().details()->expected);
  EXPECT_EQ(set.error().details()->field, "/api_key_env");
  EXPECT_EQ(*p.read("OPENAI_API_KEY", fake_env({{"OPENAI_API_KEY", "sk-1"}})), "sk-1");
  auto missing = p.read("OPENAI_API_KEY", fake_env({}));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("not set"), std::string::npos);
}

}  // namespace
}  // namespace redcell
