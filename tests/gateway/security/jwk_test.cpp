// JWKs: reading key sets (skipping keys that are not for signatures or not supported),
// refusing weak or malformed keys, writing keys back, and PEM keys.
#include <catch2/catch.hpp>

#include "gateway/security/jose.h"

using namespace carebridge::gateway::security;

namespace {

// RFC 7515 Appendix A.3's P-256 public key.
const std::string kX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const std::string kY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

std::string ec_jwk(const std::string& x, const std::string& y, const std::string& extra = "") {
  return R"({"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + y + "\"" + extra + "}";
}

// A 1024-bit RSA modulus made with `openssl genpkey` for this test.
const std::string kRsa1024 =
    "wJkkcJKApzC19QjqPatEKdg8Z_HX9LGMsKzdZ303kEcOcBHfZp5XiW9oCy4km7MR0GAxxB26xe9dwUviWa0hXtfrdKeInVrqhquDhNb0Q8Yfc2kWs9vAyKKqEbug-"
    "NiAr_Y7s9m97xHEdNi5cI9kAHHj21DZDTQa-fgb1u-APFc";

std::string error_of(std::string_view json) {
  auto keys = parse_jwks(json);
  return keys ? std::string() : keys.message();
}

Jwk key_for(std::string_view alg, std::string kid) {
  auto key = generate_key(alg, std::move(kid));
  REQUIRE(key.ok());
  return std::move(key).value();
}

}  // namespace

TEST_CASE("a JWK or a JWK Set gives its signature keys with their algorithms", "[gateway][jose]") {
  auto one = parse_jwks(ec_jwk(kX, kY, R"(,"kid":"rfc")"));
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].kid == "rfc");
  CHECK((*one)[0].alg == "ES256");
  CHECK_FALSE((*one)[0].has_private);

  std::string set = R"({"keys":[)"
                    R"({"kty":"oct","k":"c2VjcmV0","kid":"hmac"},)"
                    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},)" +
                    ec_jwk(kX, kY, R"(,"use":"enc","kid":"enc")") + "," +
                    R"({"kty":"EC","crv":"P-384","x":")" + kX + R"(","y":")" + kY + "\"}," +  // P-256 sizes
                    ec_jwk(kX, kY, R"(,"use":"sig","alg":"ES256","kid":"sig")") + "]}";
  auto keys = parse_jwks(set);
  INFO(keys.message());
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 1);
  CHECK((*keys)[0].kid == "sig");
}

TEST_CASE("a key set without a usable key says why for each key", "[gateway][jose]") {
  auto keys = parse_jwks(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"},)" + ec_jwk(kX, kY, R"(,"use":"enc")") + "," +
                         R"({"kty":"EC","crv":"P-521","x":"AA","y":"AA"},)" + ec_jwk(kX, kY, R"(,"alg":"ES384")") + "]}");
  REQUIRE_FALSE(keys.ok());
  REQUIRE(keys.issues().size() == 4);
  CHECK(keys.issues()[0].message == "key 1: the key type 'oct' is not supported (RSA and EC are)");
  CHECK(keys.issues()[1].message == "key 2: the key is for encryption (use enc), not signatures");
  CHECK(keys.issues()[2].message == "key 3: the curve 'P-521' is not supported (P-256 and P-384 are)");
  CHECK(keys.issues()[3].message == "key 4: the algorithm 'ES384' is not supported for this key (ES256 is)");
  CHECK(error_of(R"({"keys":[]})") == "the key set has no keys");
  CHECK(error_of("[]") == "the key set is not a JSON object");
  CHECK(error_of(R"({"keys":{}})") == "the key set's 'keys' is not an array");
  CHECK(error_of(R"({"kid":"x"})") == "the key has no type (kty)");
  CHECK(error_of(R"({"kty":"RSA","n":"AQAB"})") == "the key has no member 'e'");
  CHECK(error_of(R"({"kty":"RSA","n":"AQAB","e":"AQ=="})") == "the key's member 'e' is not base64url");
  CHECK(error_of(R"({"kty":"RSA","n":"AQAB","e":"AQAB","use":7})") == "the key's kty, use, alg and kid must be strings");
}

TEST_CASE("weak and malformed keys are refused", "[gateway][jose]") {
  CHECK(error_of(R"({"kty":"RSA","e":"AQAB","n":")" + kRsa1024 + "\"}") ==
        "the RSA key has 1024 bits; at least 2048 are required");
  // RFC 7515's point with y changed: no longer on P-256.
  std::string off_curve_y = kY.substr(0, kY.size() - 1) + "4";
  CHECK(error_of(ec_jwk(kX, off_curve_y)) == "the point (x, y) is not on the curve P-256");
  CHECK(error_of(ec_jwk(kX, kY.substr(0, 40))) == "the key's x and y must each be 32 bytes for P-256");
  CHECK(error_of(ec_jwk(kX, kY, R"(,"d":"AQAB")")) == "the key's d must be 32 bytes for P-256");
  // A private d that is not the public point's.
  Jwk other = key_for("ES256", "other");
  std::string other_json = private_jwk_json(other);
  std::string d = other_json.substr(other_json.find("\"d\":\"") + 5, 43);
  CHECK(error_of(ec_jwk(kX, kY, R"(,"d":")" + d + "\"")) == "the key's private part does not belong to its public part");
  CHECK(error_of(std::string(1024 * 1024 + 1, ' ')) == "the key set is larger than 1 MB");
}

TEST_CASE("generated keys are written as JWKs and read back", "[gateway][jose]") {
  std::vector<Jwk> keys = {key_for("ES256", "a"), key_for("ES384", "b"), key_for("RS256", "c")};
  std::string published = public_jwks_json(keys);
  CHECK(published.find("\"d\"") == std::string::npos);
  CHECK(published.find(R"("kty":"EC","crv":"P-384")") != std::string::npos);
  auto read = parse_jwks(published);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 3);
  for (size_t i = 0; i < keys.size(); ++i) {
    const Jwk& key = keys[i];
    CHECK((*read)[i].kid == key.kid);
    CHECK((*read)[i].alg == key.alg);
    CHECK_FALSE((*read)[i].has_private);
    // The private JWK signs what the published public key verifies.
    auto restored = parse_jwks(private_jwk_json(key));
    REQUIRE(restored.ok());
    REQUIRE((*restored)[0].has_private);
    auto token = sign_jwt((*restored)[0], R"({"sub":"s"})");
    REQUIRE(token.ok());
    auto jwt = decode_jwt(*token);
    REQUIRE(jwt.ok());
    CHECK(verify_signature(*jwt, *read).ok());
  }
}

TEST_CASE("keys are read from PEM, and encrypted or weak PEM keys are refused", "[gateway][jose]") {
  // Made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` for this test.
  const std::string p256_private =
      "-----BEGIN PRIVATE KEY-----\n"
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwzPwv+xpttT9uzXA\n"
      "5upRLwf/oG7LCqL5V0lmuzWnzI+hRANCAATDXz0np9tHH+4/0D0V23HuQvjjaDfQ\n"
      "epEM6XmMQJY0YG/Rq5rOIj3dsPGAkv7Ilh+d931P0fKRC264V2GUsGwM\n"
      "-----END PRIVATE KEY-----\n";
  auto key = jwk_from_pem(p256_private, "pem");
  INFO(key.message());
  REQUIRE(key.ok());
  CHECK(key->alg == "ES256");
  CHECK(key->has_private);
  auto token = sign_jwt(*key, R"({"sub":"s"})");
  REQUIRE(token.ok());
  auto published = parse_jwks(public_jwks_json({*key}));
  REQUIRE(published.ok());
  CHECK(verify_signature(*decode_jwt(*token), *published).ok());

  const std::string encrypted =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
      "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjCr/wEAfP5uwICCAAw\n"
      "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEELMum08zH4BqZGydVvGs1wsEgZCh\n"
      "tHff2j90H9ral/2rn8I1RfQ681nK9rijArGhJgWOvu9bF6IsrSJgbwu6vc80B5la\n"
      "MutIyyLfBhEUm0ONl05ib/GJHiWq1T7tfji1gtc3cfeHsOZtAxELt/7yRGyLciNS\n"
      "WL5S8jznnXlOsGyY6rvNr9gYXvmnxwvxGyX3bL03jDPpbqQbm07nJSoI8v3MOss=\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";
  CHECK(jwk_from_pem(encrypted, "k").message() == "the text is not a PEM public key or unencrypted private key");
  CHECK(jwk_from_pem("not a key", "k").message() == "the text is not a PEM public key or unencrypted private key");
  const std::string p521_public =
      "-----BEGIN PUBLIC KEY-----\n"
      "MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQA6JRz7Aaiy80I39plVlITozmSAz7d\n"
      "RUgbX8yAGsLe8I8hKCcK0i4eCG/EwX4JaK+ICUwbVFiY5U1o07pRrteC+F8AHFEf\n"
      "CFaK9BLPFPchJLZHTnFq/7hIdKVcfYaIQ9GgCDalmjYqZ03HllLVveV3QSHoFLos\n"
      "YAgTIwkr3qXZ5ueJflw=\n"
      "-----END PUBLIC KEY-----\n";
  CHECK(jwk_from_pem(p521_public, "k").message() == "the EC key's curve is not supported (P-256 and P-384 are)");
  const std::string ed25519_public =
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEA/q78+HBExfu1DFjPUM+GCYG721M/KwAkAhhM3SjQ2dQ=\n"
      "-----END PUBLIC KEY-----\n";
  CHECK(jwk_from_pem(ed25519_public, "k").message() == "the key type is not supported (RSA and EC are)");
}
