#include "net/endpoint_policy.hpp"

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

TEST(EndpointPolicy, Ipv6FormsOfRefusedIpv4AddressesAreRefused) {
  // NAT64 (RFC 6052 well-known and RFC 8215 local-use prefixes), 6to4 (RFC 3056) and the
  // IPv4-compatible form (RFC 4291 2.5.5.1) all reach the IPv4 address they carry.
  auto open = *EndpointPolicy::parse("");
  for (auto ip : {"64:ff9b::a9fe:a9fe", "64:ff9b::169.254.169.254", "64:ff9b:1::a9fe:a9fe",
                  "2002:a9fe:a9fe::1", "::a9fe:a9fe", "::169.254.169.254"})
    EXPECT_FALSE(open.check_address(ip)) << ip;
  for (auto ip :
       {"64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1", "64:ff9b::a00:1", "2002:c0a8:101::1"})
    EXPECT_FALSE(open.check_address(ip)) << ip;         // loopback and private, not allowed here
  EXPECT_TRUE(open.check_address("64:ff9b::808:808"));  // 8.8.8.8 through NAT64
  EXPECT_TRUE(open.check_address("2002:808:808::1"));
  auto loopback = *EndpointPolicy::parse("loopback");
  EXPECT_TRUE(loopback.check_address("64:ff9b::7f00:1"));
  EXPECT_FALSE(loopback.check_address("64:ff9b::a9fe:a9fe"));
  EXPECT_TRUE(loopback.check_address("::1"));  // ::1 is loopback, not an IPv4-compatible form
}

}  // namespace
}  // namespace redcell
