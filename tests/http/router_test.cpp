#include "http/server/router.hpp"

#include <gtest/gtest.h>

namespace redcell::http {
namespace {

Handler named(std::string name) {
  return [name](Request&) { return Response::text(200, name); };
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router r;
  r.add("GET", "/api/v1/orchestrators", named("list"));
  r.add("GET", "/api/v1/orchestrators/{id}", named("get"));
  r.add("POST", "/api/v1/orchestrators/{id}/executions", named("run"));
  auto m = r.match("GET", "/api/v1/orchestrators/abc");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/api/v1/orchestrators/{id}");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"id", "abc"}));
  EXPECT_EQ(r.match("POST", "/api/v1/orchestrators/x/executions").route->pattern,
            "/api/v1/orchestrators/{id}/executions");
}

TEST(Router, DecodesParametersAndRejectsBadEscapes) {
  Router r;
  r.add("GET", "/items/{name}", named("x"));
  auto m = r.match("GET", "/items/a%20b%2Fc");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params[0].second, "a b/c");
  auto bad = r.match("GET", "/items/a%zz");
  EXPECT_FALSE(bad.route);
  EXPECT_TRUE(bad.bad_path);
}

TEST(Router, UnknownPathHasNoAllowedMethods) {
  Router r;
  r.add("GET", "/a", named("a"));
  auto m = r.match("GET", "/b");
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.allowed_methods.empty());
  EXPECT_FALSE(r.match("GET", "/a/").route);
  EXPECT_FALSE(r.match("GET", "").route);
  EXPECT_FALSE(r.match("GET", "/items//").route);
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
  Router r;
  r.add("GET", "/things/{id}", named("get"));
  r.add("DELETE", "/things/{id}", named("del"));
  auto m = r.match("PUT", "/things/1");
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "DELETE"}));
}

TEST(Router, EmptyParameterSegmentDoesNotMatch) {
  Router r;
  r.add("GET", "/things/{id}", named("get"));
  EXPECT_FALSE(r.match("GET", "/things/").route);
}

TEST(Router, DuplicateRoutesAreAProgrammingError) {
  Router r;
  r.add("GET", "/a/{x}", named("1"));
  EXPECT_THROW(r.add("GET", "/a/{x}", named("2")), std::invalid_argument);
  EXPECT_NO_THROW(r.add("POST", "/a/{x}", named("3")));
}

TEST(Router, ExposesItsTableInRegistrationOrder) {
  Router r;
  RouteOptions open;
  open.authenticated = false;
  r.add("GET", "/healthz", named("h"), open);
  r.add("GET", "/api/v1/me", named("me"));
  ASSERT_EQ(r.routes().size(), 2u);
  EXPECT_FALSE(r.routes()[0].options.authenticated);
  EXPECT_TRUE(r.routes()[1].options.authenticated);
  EXPECT_EQ(r.routes()[1].index, 1u);
}

TEST(Router, TheFallbackAnswersOnlyGetsNoRouteTakesOutsideTheApi) {
  Router r;
  r.add("GET", "/api/v1/targets", named("list"));
  r.add("POST", "/jobs", named("post"));
  r.set_fallback(named("page"), {});
  EXPECT_EQ(r.match("GET", "/").route->pattern, "/*");
  EXPECT_EQ(r.match("GET", "/executions/abc").route->pattern, "/*");
  EXPECT_EQ(r.match("GET", "/api/v1/targets").route->pattern, "/api/v1/targets");
  EXPECT_FALSE(r.match("GET", "/api/v1/nope").route);  // the API's 404 stays
  EXPECT_FALSE(r.match("GET", "/api").route);
  EXPECT_FALSE(r.match("POST", "/targets").route);  // only GET
  auto other = r.match("GET", "/jobs");             // the path exists for POST: 405, not the page
  EXPECT_FALSE(other.route);
  EXPECT_EQ(other.allowed_methods, std::vector<std::string>{"POST"});
  EXPECT_THROW(r.set_fallback(named("again"), {}), std::invalid_argument);
  EXPECT_EQ(r.routes().back().pattern, "/*");  // listed, for per-route metrics
}

}  // namespace
}  // namespace redcell::http
