#include "http/client/proxy.hpp"

#include <gtest/gtest.h>

#include <map>

namespace redcell::http {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Proxy, NothingSetMeansEveryTargetGoesDirect) {
  auto s = ProxySettings::from_environment(env_of({}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->for_target(true, "api.openai.com", "443"), nullptr);
  EXPECT_EQ(s->describe(), "none");
}

TEST(Proxy, EachSchemeUsesItsOwnVariableAndUpperCaseWins) {
  auto s = ProxySettings::from_environment(env_of({{"HTTPS_PROXY", "http://corp:3128"},
                                                   {"https_proxy", "http://ignored:1"},
                                                   {"http_proxy", "plain.example:8080"}}));
  ASSERT_TRUE(s) << s.error().message();
  const Proxy* tls = s->for_target(true, "api.openai.com", "443");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->host, "corp");
  EXPECT_EQ(tls->port, "3128");
  const Proxy* plain = s->for_target(false, "llm.internal", "80");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->host, "plain.example");
  EXPECT_EQ(plain->port, "8080");
}

TEST(Proxy, CredentialsBecomeBasicAuthAndAreMaskedInDescriptions) {
  auto s = ProxySettings::from_environment(
      env_of({{"HTTPS_PROXY", "http://alice:s%40cret@proxy.example:3128"}}));
  ASSERT_TRUE(s);
  // base64("alice:s@cret")
  EXPECT_EQ(s->https->authorization, "Basic YWxpY2U6c0BjcmV0");
  EXPECT_EQ(s->https->password, "s@cret");
  EXPECT_EQ(s->describe().find("s@cret"), std::string::npos);
  EXPECT_NE(s->describe().find("alice:***@proxy.example:3128"), std::string::npos);
}

TEST(Proxy, BadProxyUrlsNameTheVariableAndWhatWasExpected) {
  auto tls = ProxySettings::from_environment(env_of({{"https_proxy", "https://proxy:443"}}));
  ASSERT_FALSE(tls);
  EXPECT_EQ(tls.error().details()->field, "https_proxy");
  EXPECT_NE(tls.error().message().find("http://"), std::string::npos);
  auto path = ProxySettings::from_environment(env_of({{"HTTP_PROXY", "http://proxy:3128/x"}}));
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().details()->field, "HTTP_PROXY");
}

TEST(Proxy, NoProxyMatchesDomainsAddressesRangesAndPorts) {
  auto s = ProxySettings::from_environment(
      env_of({{"HTTPS_PROXY", "http://proxy:3128"},
              {"NO_PROXY", " .internal.example, localhost,10.0.0.0/8, 192.168.1.5, vllm:8443,[::1]"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->for_target(true, "a.internal.example", "443"), nullptr);
  EXPECT_EQ(s->for_target(true, "internal.example", "443"), nullptr);
  EXPECT_NE(s->for_target(true, "notinternal.example", "443"), nullptr) << "a domain boundary";
  EXPECT_EQ(s->for_target(true, "LOCALHOST", "443"), nullptr);
  EXPECT_EQ(s->for_target(true, "10.20.30.40", "443"), nullptr);
  EXPECT_NE(s->for_target(true, "11.0.0.1", "443"), nullptr);
  EXPECT_EQ(s->for_target(true, "192.168.1.5", "443"), nullptr);
  EXPECT_NE(s->for_target(true, "192.168.1.6", "443"), nullptr);
  EXPECT_EQ(s->for_target(true, "vllm", "8443"), nullptr);
  EXPECT_NE(s->for_target(true, "vllm", "443"), nullptr) << "another port goes through";
  EXPECT_EQ(s->for_target(true, "::1", "443"), nullptr);
  EXPECT_NE(s->for_target(true, "api.openai.com", "443"), nullptr);
  auto all = ProxySettings::from_environment(
      env_of({{"HTTPS_PROXY", "http://proxy:3128"}, {"no_proxy", "*"}}));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->for_target(true, "api.openai.com", "443"), nullptr);
}

}  // namespace
}  // namespace redcell::http
