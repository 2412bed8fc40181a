#include "common/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

namespace redcell {
namespace {

namespace fs = std::filesystem;

const std::vector<OptionSpec> kSpecs = {
    {"listen", "", "127.0.0.1:8080", false},
    {"db", "", std::nullopt, false},
    {"secret-key", "", std::nullopt, true},
};

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/redcell-config-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& content) {
    std::ofstream(path / name) << content;
    return path / name;
  }
};

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Config::Inputs inputs(std::map<std::string, std::string> flags,
                      std::map<std::string, std::string> env) {
  Config::Inputs in;
  in.flags = std::move(flags);
  in.env = env_of(std::move(env));
  return in;
}

TEST(Config, DefaultsWhenNothingIsGiven) {
  auto c = Config::resolve(kSpecs, inputs({}, {}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->get("listen"), "127.0.0.1:8080");
  EXPECT_EQ(c->setting("listen").source, Source::default_value);
  EXPECT_FALSE(c->value("db"));
  EXPECT_EQ(c->setting("db").source, Source::unset);
}

TEST(Config, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  TempDir dir;
  auto file = dir.write("c.yaml", "listen: 127.0.0.1:3\ndb: sqlite:///file.db\nsecret_key: fromfile\n");
  auto in = inputs({{"listen", "127.0.0.1:1"}}, {{"REDCELL_LISTEN", "127.0.0.1:2"},
                                                 {"REDCELL_DB", "sqlite:///env.db"}});
  in.config_file = file;
  auto c = Config::resolve(kSpecs, in);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->get("listen"), "127.0.0.1:1");
  EXPECT_EQ(c->setting("listen").source, Source::flag);
  EXPECT_EQ(c->setting("listen").origin, "--listen");
  EXPECT_EQ(c->get("db"), "sqlite:///env.db");
  EXPECT_EQ(c->setting("db").source, Source::environment);
  EXPECT_EQ(c->setting("db").origin, "REDCELL_DB");
  EXPECT_EQ(c->get("secret-key"), "fromfile");
  EXPECT_EQ(c->setting("secret-key").source, Source::config_file);
}

TEST(Config, ConfigFileComesFromFlagOrEnvironment) {
  TempDir dir;
  auto file = dir.write("c.yaml", "db: sqlite:///file.db\n");
  auto c = Config::resolve(kSpecs, inputs({}, {{"REDCELL_CONFIG", file.string()}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->get("db"), "sqlite:///file.db");
  EXPECT_EQ(c->setting("db").origin, file.string() + ":db");
}

TEST(Config, SecretFileFormsReadTheFileAndTrimTheNewline) {
  TempDir dir;
  auto secret = dir.write("key", "s3cr3t-value\n");
  auto c = Config::resolve(kSpecs, inputs({}, {{"REDCELL_SECRET_KEY_FILE", secret.string()}}));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->get("secret-key"), "s3cr3t-value");
  EXPECT_EQ(c->setting("secret-key").source, Source::environment_file);
  auto f = Config::resolve(kSpecs, inputs({{"secret-key-file", secret.string()}}, {}));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->setting("secret-key").source, Source::flag_file);
}

TEST(Config, BothPlainAndFileFormsAreAnError) {
  TempDir dir;
  auto secret = dir.write("key", "x");
  auto c = Config::resolve(kSpecs, inputs({}, {{"REDCELL_SECRET_KEY", "a"},
                                               {"REDCELL_SECRET_KEY_FILE", secret.string()}}));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("REDCELL_SECRET_KEY_FILE"), std::string::npos);
}

TEST(Config, MissingSecretFileIsNamed) {
  auto c = Config::resolve(kSpecs, inputs({{"secret-key-file", "/nonexistent/key"}}, {}));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().details()->field, "--secret-key-file");
  EXPECT_NE(c.error().message().find("/nonexistent/key"), std::string::npos);
}

TEST(Config, UnknownOrNestedFileKeysAreErrorsNamingTheKey) {
  TempDir dir;
  auto in = inputs({}, {});
  in.config_file = dir.write("c.yaml", "listne: 127.0.0.1:1\n");
  auto c = Config::resolve(kSpecs, in);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("listne"), std::string::npos);
  in.config_file = dir.write("d.yaml", "db:\n  nested: 1\n");
  EXPECT_FALSE(Config::resolve(kSpecs, in));
  in.config_file = dir.write("e.yaml", "- a\n- b\n");
  EXPECT_FALSE(Config::resolve(kSpecs, in));
  in.config_file = dir.path / "missing.yaml";
  EXPECT_FALSE(Config::resolve(kSpecs, in));
}

TEST(Config, DescribeMasksSecretsAndSecretValuesListsThem) {
  auto c = Config::resolve(kSpecs, inputs({{"secret-key", "planted-secret-123"}}, {}));
  ASSERT_TRUE(c);
  auto text = boost::json::serialize(c->describe());
  EXPECT_EQ(text.find("planted-secret-123"), std::string::npos);
  EXPECT_NE(text.find("***"), std::string::npos);
  EXPECT_EQ(c->secret_values(), std::vector<std::string>{"planted-secret-123"});
}

TEST(Config, EnvNameFollowsTheFlag) {
  EXPECT_EQ(env_name("REDCELL_", "secret-key"), "REDCELL_SECRET_KEY");
  EXPECT_EQ(env_name("REDCELL_MOCK_", "latency-ms"), "REDCELL_MOCK_LATENCY_MS");
}

}  // namespace
}  // namespace redcell
