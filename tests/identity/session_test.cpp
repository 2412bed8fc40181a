#include "identity/session.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace redcell {
namespace {

class FixedAuthenticator final : public Authenticator {
 public:
  Result<Identity> authenticate(const Credentials& c) const override {
    if (!c.authorization) return fail(Error(ErrorCode::unauthorized, "no token"));
    return Identity{"bearer-user", "iss", "sub", "bearer", "Bearer", {}, false};
  }
  std::string_view mode() const override { return "jwt"; }
};

Identity ana() {
  return Identity{"u-ana", "iss", "ana-1", "ana", "Ana", {"user"}, false};
}

TEST(SessionStore, ALoginIsTakenOnceAndOnlyWithinItsWindow) {
  ManualClock clock(std::chrono::system_clock::time_point{} + std::chrono::hours(1000));
  SessionStore store(clock, std::chrono::hours(8));
  auto p = store.begin_login("/datasets").value();
  EXPECT_EQ(p.state.size(), 43u);
  EXPECT_NE(p.state, p.nonce);
  EXPECT_NE(p.nonce, p.verifier);
  ASSERT_TRUE(store.take_login(p.state));
  EXPECT_FALSE(store.take_login(p.state)) << "a state is good once";
  auto late = store.begin_login("/").value();
  clock.advance(std::chrono::minutes(11));
  EXPECT_FALSE(store.take_login(late.state)) << "ten minutes to come back from the provider";
}

TEST(SessionStore, AFullTableRefusesNewcomersAndKeepsEveryoneAlreadyIn) {
  ManualClock clock(std::chrono::system_clock::time_point{} + std::chrono::hours(1000));
  SessionStore store(clock, std::chrono::hours(8), SessionLimits{3, 2});
  std::vector<PendingLogin> first;
  for (int i = 0; i < 3; ++i) first.push_back(store.begin_login("/").value());
  auto flood = store.begin_login("/");
  ASSERT_FALSE(flood);
  EXPECT_EQ(flood.error().code(), ErrorCode::too_many_requests);
  for (const auto& p : first)
    EXPECT_TRUE(store.take_login(p.state)) << "a flood never ends someone's sign-in";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store.begin_login("/"));
  clock.advance(std::chrono::minutes(11));
  EXPECT_TRUE(store.begin_login("/")) << "expired sign-ins make room";

  auto a = store.create(ana()).value();
  auto b = store.create(ana()).value();
  auto c = store.create(ana());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::unavailable);
  EXPECT_TRUE(store.find(a.id));
  EXPECT_TRUE(store.find(b.id));
  store.remove(a.id);
  EXPECT_TRUE(store.create(ana()));
}

TEST(SessionStore, SessionsEndAtTheirLifetimeOrWhenRemoved) {
  ManualClock clock(std::chrono::system_clock::time_point{} + std::chrono::hours(1000));
  SessionStore store(clock, std::chrono::seconds(60));
  auto s = store.create(ana()).value();
  ASSERT_TRUE(store.find(s.id));
  EXPECT_EQ(store.find(s.id)->identity.user_id, "u-ana");
  clock.advance(std::chrono::seconds(59));
  EXPECT_TRUE(store.find(s.id));
  clock.advance(std::chrono::seconds(1));
  EXPECT_FALSE(store.find(s.id));
  auto t = store.create(ana()).value();
  store.remove(t.id);
  EXPECT_FALSE(store.find(t.id));
}

TEST(SessionAuthenticator, ACookieSignsInAndUnsafeMethodsNeedItsCsrfToken) {
  ManualClock clock(std::chrono::system_clock::time_point{} + std::chrono::hours(1000));
  SessionStore store(clock, std::chrono::hours(1));
  FixedAuthenticator next;
  SessionAuthenticator auth(store, next);
  auto s = store.create(ana()).value();
  Credentials read;
  read.session = s.id;
  EXPECT_EQ(auth.authenticate(read)->user_id, "u-ana");
  Credentials write = read;
  write.unsafe_method = true;
  EXPECT_EQ(auth.authenticate(write).error().code(), ErrorCode::forbidden);
  write.csrf_token = "x" + s.csrf_token.substr(1);
  EXPECT_EQ(auth.authenticate(write).error().code(), ErrorCode::forbidden);
  write.csrf_token = s.csrf_token;
  EXPECT_EQ(auth.authenticate(write)->user_id, "u-ana");
  // A bearer token goes to the next authenticator, even beside a cookie.
  Credentials bearer = write;
  bearer.authorization = "Bearer t";
  EXPECT_EQ(auth.authenticate(bearer)->user_id, "bearer-user");
  Credentials unknown;
  unknown.session = "nope";
  EXPECT_EQ(auth.authenticate(unknown).error().code(), ErrorCode::unauthorized);
}

TEST(SessionCookies, TheSessionIsReadFromEitherNameAndPkceIsS256) {
  EXPECT_EQ(session_from_cookie_header("a=1; redcell_session=abc; b=2"), "abc");
  EXPECT_EQ(session_from_cookie_header("__Host-redcell_session=xyz"), "xyz");
  EXPECT_FALSE(session_from_cookie_header("redcell_sessionx=abc; other=1"));
  EXPECT_FALSE(session_from_cookie_header("redcell_session="));
  EXPECT_EQ(session_cookie_name(true), "__Host-redcell_session");
  EXPECT_EQ(session_cookie_name(false), "redcell_session");
  // RFC 7636, appendix B.
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace redcell
