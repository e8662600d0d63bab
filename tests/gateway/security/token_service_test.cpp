// The token endpoint as a SMART Backend Services client meets it: a client_credentials
// grant with a signed client assertion gets an access token, which then authenticates
// its requests; every way an assertion can be wrong is an RFC 6749 error. Also the
// gateway's signing key on disk and tokens of configured external issuers.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>

#include "fhir/time/fhir_time.h"
#include "gateway/security/scopes.h"
#include "gateway/security/token_service.h"
#include "support/test_support.h"

namespace sec = carebridge::gateway::security;
namespace http = carebridge::gateway::http;
namespace config = carebridge::gateway::config;

namespace {

constexpr const char* kHost = "gw.example:8443";
constexpr const char* kTokenUrl = "http://gw.example:8443/auth/token";
constexpr const char* kAssertionType = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";

int64_t now_s() { return carebridge::fhir::time::now_ms() / 1000; }

std::string fresh_jti() {
  static std::atomic<int> counter{0};
  return "jti-" + std::to_string(now_s()) + "-" + std::to_string(++counter);
}

sec::Jwk key(const std::string& kid) {
  auto k = sec::generate_key("ES256", kid);
  REQUIRE(k);
  return *k;
}

// A client assertion's claims; `extra` is appended inside the object.
struct Assertion {
  std::string iss = "intake", sub = "intake", aud = kTokenUrl, jti = fresh_jti();
  int64_t exp = now_s() + 60;
  bool with_jti = true;

  std::string json() const {
    std::string out = R"({"iss":")" + iss + R"(","sub":")" + sub + R"(","aud":")" + aud +
                      R"(","exp":)" + std::to_string(exp) + R"(,"iat":)" + std::to_string(now_s());
    if (with_jti) out += R"(,"jti":")" + jti + R"(")";
    return out + "}";
  }
};

std::string signed_by(const sec::Jwk& k, const std::string& payload) {
  auto jwt = sec::sign_jwt(k, payload);
  REQUIRE(jwt);
  return *jwt;
}

http::Request token_request(const std::string& assertion, const std::string& scope = "system%2F*.rs",
                            const std::string& grant = "client_credentials") {
  http::Request r;
  r.method = "POST";
  r.target = "/auth/token";
  r.headers = {{"Host", kHost}, {"Content-Type", "application/x-www-form-urlencoded"}};
  r.body = "grant_type=" + grant + "&client_assertion_type=" + kAssertionType + "&client_assertion=" + assertion +
           "&scope=" + scope;
  return r;
}

http::Request fhir_request() {
  http::Request r;
  r.method = "GET";
  r.target = "/fhir/Patient";
  r.headers = {{"Host", kHost}};
  return r;
}

std::string header(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

rapidjson::Document json(const http::Response& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  INFO(r.body);
  REQUIRE(!d.HasParseError());
  REQUIRE(d.IsObject());
  return d;
}

// The OAuth error of a response that must be one, checked to be sent uncached.
std::string oauth_error(const http::Response& r, unsigned status) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(header(r, "Cache-Control") == "no-store");
  auto d = json(r);
  REQUIRE(d.HasMember("error"));
  CHECK(d.HasMember("error_description"));
  return d["error"].GetString();
}

// A registered client "intake" of organization "eastside" with key `client_key`.
struct Gateway {
  std::filesystem::path dir;
  sec::Jwk client_key = key("client-k1");
  sec::Jwk signing_key = key("gateway-k1");
  std::unique_ptr<sec::ClientRegistry> clients;
  std::unique_ptr<sec::TokenService> service;

  explicit Gateway(const std::string& name, const std::string& scopes = "system/*.rs",
                   config::Auth auth = {}) : dir(carebridge::testing::temp_dir(name)) {
    clients = std::make_unique<sec::ClientRegistry>((dir / "carebridge.db").string());
    sec::Client c;
    c.id = "intake";
    c.name = "Eastside intake";
    c.organization = "eastside";
    c.jwks = sec::public_jwks_json({client_key});
    c.scopes = scopes;
    REQUIRE(clients->add(c));
    service = std::make_unique<sec::TokenService>(*clients, signing_key, sec::TokenServiceOptions{auth, "/fhir"});
  }

  std::string assertion(const Assertion& a = {}) { return signed_by(client_key, a.json()); }
};

}  // namespace

TEST_CASE("the gateway's signing key is made once and kept private", "[gateway][security][token]") {
  auto file = carebridge::testing::temp_dir("signing-key") / "keys" / "signing-key.json";
  auto first = sec::load_or_create_signing_key(file);
  REQUIRE(first);
  CHECK(first->has_private);
  CHECK(first->alg == "ES256");
  CHECK_FALSE(first->kid.empty());
  REQUIRE(std::filesystem::exists(file));
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK_FALSE(std::filesystem::exists(file.string() + ".tmp"));

  auto second = sec::load_or_create_signing_key(file);
  REQUIRE(second);
  CHECK(second->kid == first->kid);
  // The same key: what one signs, the other's public part verifies.
  auto jwt = sec::decode_jwt(signed_by(*first, R"({"sub":"x"})"));
  REQUIRE(jwt);
  CHECK(sec::verify_signature(*jwt, {*second}));

  // A file with only a public key is not a signing key.
  auto public_only = file.parent_path() / "public.json";
  std::ofstream(public_only) << sec::public_jwks_json({*first});
  CHECK_FALSE(sec::load_or_create_signing_key(public_only));
}

TEST_CASE("a client's assertion gets an access token that authenticates it", "[gateway][security][token]") {
  Gateway gw("token-ok", "system/*.rs system/Observation.cruds");
  auto response = gw.service->token(token_request(gw.assertion(), "system%2F*.rs+system%2FObservation.c+openid"));
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(header(response, "Cache-Control") == "no-store");
  CHECK(header(response, "Content-Type") == "application/json");
  auto body = json(response);
  REQUIRE(body.HasMember("access_token"));
  CHECK(std::string(body["token_type"].GetString()) == "bearer");
  CHECK(body["expires_in"].GetInt() == 300);
  CHECK(std::string(body["scope"].GetString()) == "system/*.rs system/Observation.c");
  std::string token = body["access_token"].GetString();

  auto who = gw.service->authenticate(fhir_request(), token);
  INFO((who ? std::string() : who.issues().front().message));
  REQUIRE(who);
  CHECK((*who)->client_id == "intake");
  CHECK((*who)->organization == "eastside");
  CHECK(sec::to_string((*who)->scopes) == "system/*.rs system/Observation.c");
  CHECK_FALSE((*who)->admin);
  CHECK((*who)->expires_ms > carebridge::fhir::time::now_ms());
  CHECK((*who)->expires_ms <= carebridge::fhir::time::now_ms() + 301'000);

  // The token is for this gateway's FHIR base: another host's gateway refuses it.
  auto elsewhere = fhir_request();
  elsewhere.headers = {{"Host", "other.example"}};
  auto refused = gw.service->authenticate(elsewhere, token);
  REQUIRE_FALSE(refused);
  CHECK(refused.issues().front().code == "login");
  // A token altered after signing is refused.
  std::string altered = token;
  altered[altered.size() - 5] = altered[altered.size() - 5] == 'A' ? 'B' : 'A';
  CHECK_FALSE(gw.service->authenticate(fhir_request(), altered));
  CHECK_FALSE(gw.service->authenticate(fhir_request(), "not.a.token"));
}

TEST_CASE("a token request asks only for what the client is registered for", "[gateway][security][token]") {
  Gateway gw("token-narrow", "system/Observation.rs");
  auto response = gw.service->token(token_request(gw.assertion(), "system%2F*.cruds"));
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(std::string(json(response)["scope"].GetString()) == "system/Observation.rs");

  auto none = gw.service->token(token_request(gw.assertion(), "system%2FPatient.rs"));
  CHECK(oauth_error(none, 400) == "invalid_scope");
  auto missing = gw.service->token(token_request(gw.assertion(), ""));
  CHECK(oauth_error(missing, 400) == "invalid_scope");
  auto malformed = gw.service->token(token_request(gw.assertion(), "system%2FObservation.bad"));
  CHECK(oauth_error(malformed, 400) == "invalid_scope");
}

TEST_CASE("token requests that break the rules get their OAuth error", "[gateway][security][token]") {
  Gateway gw("token-errors");

  CHECK(oauth_error(gw.service->token(token_request(gw.assertion(), "system%2F*.rs", "password")), 400) ==
        "unsupported_grant_type");
  CHECK(oauth_error(gw.service->token(token_request(gw.assertion(), "system%2F*.rs", "authorization_code")), 400) ==
        "unsupported_grant_type");

  auto wrong_type = token_request(gw.assertion());
  wrong_type.body = "grant_type=client_credentials&client_assertion_type=basic&client_assertion=" + gw.assertion() +
                    "&scope=system%2F*.rs";
  CHECK(oauth_error(gw.service->token(wrong_type), 400) == "invalid_request");

  auto get = token_request(gw.assertion());
  get.method = "GET";
  CHECK(oauth_error(gw.service->token(get), 400) == "invalid_request");

  SECTION("an assertion for another audience") {
    Assertion a;
    a.aud = "http://gw.example:8443/fhir";
    CHECK(oauth_error(gw.service->token(token_request(gw.assertion(a))), 401) == "invalid_client");
    a.aud = "https://gw.example:8443/auth/token";  // the request came over plain HTTP
    CHECK(oauth_error(gw.service->token(token_request(gw.assertion(a))), 401) == "invalid_client");
  }
  SECTION("an assertion valid for more than five minutes") {
    Assertion a;
    a.exp = now_s() + 600;
    CHECK(oauth_error(gw.service->token(token_request(gw.assertion(a))), 401) == "invalid_client");
  }
  SECTION("an expired assertion") {
    Assertion a;
    a.exp = now_s() - 600;
    CHECK(oauth_error(gw.service->token(token_request(gw.assertion(a))), 401) == "invalid_client");
  }
  SECTION("an assertion without a jti") {
    Assertion a;
    a.with_jti = false;
    auto r = gw.service->token(token_request(gw.assertion(a)));
    CHECK(oauth_error(r, 401) == "invalid_client");
    CHECK(r.body.find("jti") != std::string::npos);
  }
  SECTION("an assertion used twice") {
    std::string once = gw.assertion();
    REQUIRE(gw.service->token(token_request(once)).status == 200);
    auto replay = gw.service->token(token_request(once));
    CHECK(oauth_error(replay, 401) == "invalid_client");
    CHECK(replay.body.find("used before") != std::string::npos);
  }
  SECTION("an assertion signed with a key the client did not register") {
    CHECK(oauth_error(gw.service->token(token_request(signed_by(key("client-k1"), Assertion{}.json()))), 401) ==
          "invalid_client");
  }
  SECTION("an assertion whose iss is not its sub, or an unknown client") {
    Assertion a;
    a.sub = "someone-else";
    CHECK(oauth_error(gw.service->token(token_request(gw.assertion(a))), 401) == "invalid_client");
    Assertion unknown;
    unknown.iss = unknown.sub = "nobody";
    CHECK(oauth_error(gw.service->token(token_request(gw.assertion(unknown))), 401) == "invalid_client");
  }
  SECTION("no assertion, or not a JWT") {
    CHECK(oauth_error(gw.service->token(token_request("")), 401) == "invalid_client");
    CHECK(oauth_error(gw.service->token(token_request("abc.def")), 401) == "invalid_client");
  }
}

TEST_CASE("a revoked client's tokens stop working", "[gateway][security][token]") {
  Gateway gw("token-revoked");
  auto response = gw.service->token(token_request(gw.assertion()));
  REQUIRE(response.status == 200);
  std::string token = json(response)["access_token"].GetString();
  REQUIRE(gw.service->authenticate(fhir_request(), token));

  REQUIRE(gw.clients->revoke("intake"));
  // A server started afresh (caches cold) on the same database and key.
  sec::ClientRegistry clients((gw.dir / "carebridge.db").string());
  sec::TokenService service(clients, gw.signing_key, sec::TokenServiceOptions{});
  auto refused = service.authenticate(fhir_request(), token);
  REQUIRE_FALSE(refused);
  CHECK(refused.issues().front().code == "login");
  CHECK(refused.issues().front().message.find("revoked") != std::string::npos);
  // Nor does it get new ones.
  CHECK(oauth_error(service.token(token_request(gw.assertion())), 401) == "invalid_client");
}

TEST_CASE("tokens of a configured external issuer are accepted for their audience", "[gateway][security][token]") {
  auto dir = carebridge::testing::temp_dir("token-external");
  sec::Jwk idp_key = key("idp-1");
  auto jwks_file = dir / "idp-jwks.json";
  std::ofstream(jwks_file) << sec::public_jwks_json({idp_key});
  config::Auth auth;
  config::ExternalIssuer idp;
  idp.issuer = "https://idp.example/realms/care";
  idp.jwks_file = jwks_file.string();
  idp.audiences = {"https://gw.example/fhir"};
  auth.issuers.push_back(idp);
  Gateway gw("token-external-gw", "system/*.rs", auth);

  auto token = [&](const std::string& iss, const std::string& aud, const sec::Jwk& k = {}) {
    std::string payload = R"({"iss":")" + iss + R"(","sub":"svc-account-7","aud":")" + aud + R"(","exp":)" +
                          std::to_string(now_s() + 120) +
                          R"(,"scope":"system/Patient.rs","client_id":"westside-app","organization":"westside"})";
    return signed_by(k.key ? k : idp_key, payload);
  };

  auto who = gw.service->authenticate(fhir_request(), token(idp.issuer, "https://gw.example/fhir"));
  INFO((who ? std::string() : who.issues().front().message));
  REQUIRE(who);
  CHECK((*who)->client_id == "westside-app");
  CHECK((*who)->organization == "westside");
  CHECK(sec::to_string((*who)->scopes) == "system/Patient.rs");

  auto other_aud = gw.service->authenticate(fhir_request(), token(idp.issuer, "https://elsewhere.example/fhir"));
  REQUIRE_FALSE(other_aud);
  CHECK(other_aud.issues().front().code == "login");
  CHECK(other_aud.issues().front().message.find("audience") != std::string::npos);
  // Another issuer, or the right issuer's name on a token signed by someone else.
  CHECK_FALSE(gw.service->authenticate(fhir_request(), token("https://evil.example", "https://gw.example/fhir")));
  CHECK_FALSE(gw.service->authenticate(fhir_request(), token(idp.issuer, "https://gw.example/fhir", key("idp-1"))));
}
