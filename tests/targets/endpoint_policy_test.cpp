#include "targets/endpoint_policy.hpp"

#include <gtest/gtest.h>

namespace redcell {
namespace {

TEST(EndpointPolicy, PublicOnlyByDefault) {
  auto p = *EndpointPolicy::parse("");
  EXPECT_TRUE(p.check_address("8.8.8.8"));
  EXPECT_TRUE(p.check_address("2606:4700::1111"));
  for (auto ip : {"127.0.0.1", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1",
                  "fd12::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"})
    EXPECT_FALSE(p.check_address(ip)) << ip;
}

TEST(EndpointPolicy, MetadataAndLinkLocalAreAlwaysRefused) {
  auto p = *EndpointPolicy::parse("loopback,private,0.0.0.0/0,::/0");
  for (auto ip : {"169.254.169.254", "169.254.0.1", "fe80::1", "fd00:ec2::254", "100.100.100.200",
                  "0.0.0.0", "::", "224.0.0.1", "::ffff:169.254.169.254"})
    EXPECT_FALSE(p.check_address(ip)) << ip;
  EXPECT_TRUE(p.check_address("127.0.0.1"));
  EXPECT_TRUE(p.check_address("10.9.9.9"));
}

TEST(EndpointPolicy, CidrsAllowOnlyTheirRange) {
  auto p = *EndpointPolicy::parse("10.1.0.0/16, fd00:1::/32");
  EXPECT_TRUE(p.check_address("10.1.200.3"));
  EXPECT_FALSE(p.check_address("10.2.0.1"));
  EXPECT_TRUE(p.check_address("fd00:1:2::3"));
  EXPECT_FALSE(p.check_address("fd00:2::3"));
  EXPECT_FALSE(p.check_address("127.0.0.1"));
}

TEST(EndpointPolicy, BadSpecNamesTheItem) {
  auto p = EndpointPolicy::parse("loopback,10.0.0.0/33", "--target-allow");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().details()->field, "--target-allow");
  EXPECT_EQ(p.error().details()->value, boost::json::value("10.0.0.0/33"));
  EXPECT_FALSE(EndpointPolicy::parse("lan"));
}

TEST(EndpointPolicy, UrlsAreCheckedWhereTheyCanBeBeforeLookup) {
  auto p = *EndpointPolicy::parse("");
  EXPECT_TRUE(p.check_url("https://api.openai.com/v1/chat/completions", "/endpoint"));
  EXPECT_FALSE(p.check_url("http://localhost:8000/v1", "/endpoint"));
  EXPECT_FALSE(p.check_url("http://[::1]:8000/v1", "/endpoint"));
  EXPECT_FALSE(p.check_url("http://169.254.169.254/", "/endpoint"));
  EXPECT_FALSE(p.check_url("file:///etc/passwd", "/endpoint"));
  auto e = p.check_url("http://a:b@example.com/", "/endpoint");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().details()->field, "/endpoint");
}

}  // namespace
}  // namespace redcell
