// Identity without a server: JWT time checks under an injected clock, and API keys.
#include <cjose/cjose.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "../support/temp_store.hpp"
#include "identity/api_key_authenticator.hpp"
#include "identity/jwt.hpp"
#include "memory/sqlite/sqlite_store.hpp"

namespace redcell {
namespace {

using namespace std::chrono;
const std::string kSecret = "unit-test-secret-of-at-least-32-bytes";
const auto kNow = system_clock::time_point(seconds(1'800'000'000));

std::string sign_hs256(const boost::json::object& claims) {
  cjose_err err;
  cjose_jwk_t* jwk = cjose_jwk_create_oct_spec(reinterpret_cast<const uint8_t*>(kSecret.data()),
                                               kSecret.size(), &err);
  cjose_header_t* hdr = cjose_header_new(&err);
  cjose_header_set(hdr, CJOSE_HDR_ALG, CJOSE_HDR_ALG_HS256, &err);
  std::string payload = boost::json::serialize(claims);
  cjose_jws_t* jws = cjose_jws_sign(jwk, hdr, reinterpret_cast<const uint8_t*>(payload.data()),
                                    payload.size(), &err);
  const char* compact = nullptr;
  cjose_jws_export(jws, &compact, &err);
  std::string out = compact ? compact : "";
  cjose_jws_release(jws);
  cjose_header_release(hdr);
  cjose_jwk_release(jwk);
  return out;
}

boost::json::object claims_at(std::int64_t exp, std::optional<std::int64_t> nbf = std::nullopt) {
  boost::json::object c{{"iss", "iss"}, {"aud", "aud"}, {"sub", "s"}, {"exp", exp}};
  if (nbf) c["nbf"] = *nbf;
  return c;
}

class JwtClock : public ::testing::Test {
 protected:
  ManualClock clock{kNow};
  std::unique_ptr<JwtVerifier> verifier = [this] {
    JwtOptions o;
    o.issuer = "iss";
    o.audience = "aud";
    o.hs256_secret = kSecret;
    o.leeway = seconds(30);
    return std::move(*JwtVerifier::create(o, clock));
  }();
  std::int64_t now() const { return duration_cast<seconds>(kNow.time_since_epoch()).count(); }
};

TEST_F(JwtClock, ExpiryHonoursTheLeewayExactly) {
  auto token = sign_hs256(claims_at(now()));
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(verifier->verify(token));
  clock.advance(seconds(30));
  EXPECT_TRUE(verifier->verify(token)) << "within the 30 s leeway";
  clock.advance(seconds(1));
  auto late = verifier->verify(token);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), ErrorCode::unauthorized);
  EXPECT_NE(late.error().message().find("expired"), std::string::npos);
}

TEST_F(JwtClock, NotBeforeHonoursTheLeewayExactly) {
  auto token = sign_hs256(claims_at(now() + 3600, now() + 31));
  EXPECT_FALSE(verifier->verify(token));
  clock.advance(seconds(1));
  EXPECT_TRUE(verifier->verify(token));
}

TEST(JwtOptions, RefusesWeakOrIncompleteConfiguration) {
  ManualClock clock{kNow};
  JwtOptions o;
  o.issuer = "iss";
  o.audience = "aud";
  o.hs256_secret = "too-short";
  EXPECT_FALSE(JwtVerifier::create(o, clock));
  o.hs256_secret = kSecret;
  o.leeway = seconds(61);
  EXPECT_FALSE(JwtVerifier::create(o, clock));
  o.leeway = seconds(0);
  o.jwks_json = R"({"keys":[{"kty":"oct","k":"AAAA"}]})";
  auto sym = JwtVerifier::create(o, clock);
  ASSERT_FALSE(sym) << "symmetric keys are never read from a JWKS";
  EXPECT_EQ(sym.error().details()->field, "--jwt-jwks: /keys/0/kty");
}

class ApiKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    auto u = store_
                 ->upsert_user(memory::Scope::system(),
                               memory::User{"", "iss", "sub", "ann", "Ann", {"user"}, {}, {}, {}})
                 .get();
    owner_ = u->id;
  }
  Result<memory::ApiKey> add_key(const NewApiKeySecret& secret) {
    memory::ApiKey k;
    k.name = "ci";
    k.prefix = secret.prefix;
    k.secret_hash = secret.hash;
    return store_->add_api_key(memory::Scope::user(owner_), k).get();
  }
  testing_support::TempStore temp_;
  std::unique_ptr<memory::SqliteStore>& store_ = temp_.store;
  std::string owner_;
  ManualClock clock_{kNow};
  LocalAuthenticator local_{
      Identity{"local-id", "redcell:local", "local", "local", "Local", {"admin"}}};
};

TEST_F(ApiKeys, KeysMayBlockOtherCredentialsFollowTheWrappedAuthenticator) {
  ApiKeyAuthenticator auth(*store_, local_, clock_);
  EXPECT_TRUE(auth.may_block(Credentials{std::nullopt, "rc_anything-at-all", {}, {}, false}));
  EXPECT_TRUE(
      auth.may_block(Credentials{"Bearer rc_0123456789abcdef", std::nullopt, {}, {}, false}));
  EXPECT_FALSE(auth.may_block(Credentials{"Bearer eyJhbGciOi.x.y", std::nullopt, {}, {}, false}));
  EXPECT_FALSE(auth.may_block(Credentials{}));
  EXPECT_EQ(auth.authenticate(Credentials{})->user_id, "local-id");
}

TEST_F(ApiKeys, AKeyIsItsOwnerUntilRevoked) {
  ApiKeyAuthenticator auth(*store_, local_, clock_);
  auto secret = generate_api_key_secret();
  EXPECT_EQ(secret.prefix, secret.secret.substr(0, 12));
  auto stored = add_key(secret);
  ASSERT_TRUE(stored);
  auto who = auth.authenticate(Credentials{std::nullopt, secret.secret, {}, {}, false});
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->user_id, owner_);
  EXPECT_EQ(who->username, "ann");
  std::string wrong = secret.secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(auth.authenticate(Credentials{std::nullopt, wrong, {}, {}, false}).error().code(),
            ErrorCode::unauthorized);
  ASSERT_TRUE(store_->revoke_api_key(memory::Scope::user(owner_), stored->id).get());
  EXPECT_EQ(auth.authenticate(Credentials{"Bearer " + secret.secret, std::nullopt, {}, {}, false})
                .error()
                .code(),
            ErrorCode::unauthorized);
}

TEST_F(ApiKeys, AVerifiedKeyIsAnsweredFromMemoryUntilItsOwnerOrTheKeyChanges) {
  ApiKeyAuthenticator auth(*store_, local_, clock_);
  auto secret = generate_api_key_secret();
  auto stored = add_key(secret);
  ASSERT_TRUE(stored);
  Credentials creds{std::nullopt, secret.secret, {}, {}, false};
  EXPECT_TRUE(auth.may_block(creds)) << "the first use reads the store";
  ASSERT_TRUE(auth.authenticate(creds));
  EXPECT_FALSE(auth.may_block(creds)) << "a verified key is kept";
  std::string wrong = secret.secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(auth.may_block(Credentials{std::nullopt, wrong, {}, {}, false}))
      << "another secret is not kept";

  // The owner's attributes change: the next request sees them.
  ASSERT_TRUE(
      store_
          ->upsert_user(memory::Scope::system(),
                        memory::User{"", "iss", "sub", "ann2", "Ann", {"admin"}, {}, {}, {}})
          .get());
  EXPECT_TRUE(auth.may_block(creds));
  auto who = auth.authenticate(creds);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->username, "ann2");
  EXPECT_TRUE(who->has_role("admin"));

  // The owner is merged into another user: the key now acts as that user.
  auto into =
      store_
          ->upsert_user(memory::Scope::system(),
                        memory::User{"", "iss", "sub-2", "bea", "Bea", {"user"}, {}, {}, {}})
          .get();
  ASSERT_TRUE(into);
  ASSERT_TRUE(auth.authenticate(creds));
  ASSERT_TRUE(store_->merge_users(memory::Scope::system(), owner_, into->id).get());
  who = auth.authenticate(creds);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->user_id, into->id);

  // Revoked (by its new owner): refused on the very next request.
  ASSERT_TRUE(auth.authenticate(creds));
  EXPECT_FALSE(auth.may_block(creds));
  ASSERT_TRUE(store_->revoke_api_key(memory::Scope::user(into->id), stored->id).get());
  EXPECT_EQ(auth.authenticate(creds).error().code(), ErrorCode::unauthorized);
}

}  // namespace
}  // namespace redcell
