// Known answers: tokens signed outside Carebridge verify with their published keys —
// RFC 7515 Appendix A.3's ES256 example, and RS256 and ES384 tokens made for this test
// with the openssl command line (genpkey, then dgst -sign over "<header>.<payload>",
// the ES384 DER signature rewritten as R||S), given both as JWK and as PEM.
#include <catch2/catch.hpp>

#include "gateway/security/jose.h"

using namespace carebridge::gateway::security;

namespace {

const char* kRfcJwk =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
const char* kRfcToken =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// Claims of both openssl tokens:
// {"iss":"openssl-cli","sub":"interop","aud":"https://carebridge.example/auth/token","exp":4102444800,"jti":"kat-1"}
const char* kOpensslRsaJwk =
    R"({"kty":"RSA","kid":"kat-rsa","e":"AQAB","n":")"
    "soTakHpF2e7Rg6388hzAo6nO1pxOyACUVDV664JuVv6D7HGPQwzZNqhSpER4re37Uel7kbns3hTxv0QNWrF1CEMUtEkYfnfsrGHCn_SRqZ6cO4e8G4faQ"
    "ugsXkw0_vMH22JwdFV5YCRkcNftuKy0wg9K5froJurGR67OiVQ9ztFfjBWILYR2otngeq-4CNgaVKlSwnkCelHSFRRexQy3kRrqrGbS56ly-SaTLquDBF"
    "64rjqwNYHdGfFgjsIt7-U4TALjVD443ZhCD2Sow8eX0nSsIzof7UBBmrcg4Rm8RbjL12u8mWeEKxkH70yJvHXMlr4XztAzEoGuDGZjVeVoJw\"}";
const char* kOpensslRsaPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsoTakHpF2e7Rg6388hzA\n"
    "o6nO1pxOyACUVDV664JuVv6D7HGPQwzZNqhSpER4re37Uel7kbns3hTxv0QNWrF1\n"
    "CEMUtEkYfnfsrGHCn/SRqZ6cO4e8G4faQugsXkw0/vMH22JwdFV5YCRkcNftuKy0\n"
    "wg9K5froJurGR67OiVQ9ztFfjBWILYR2otngeq+4CNgaVKlSwnkCelHSFRRexQy3\n"
    "kRrqrGbS56ly+SaTLquDBF64rjqwNYHdGfFgjsIt7+U4TALjVD443ZhCD2Sow8eX\n"
    "0nSsIzof7UBBmrcg4Rm8RbjL12u8mWeEKxkH70yJvHXMlr4XztAzEoGuDGZjVeVo\n"
    "JwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
const char* kOpensslRsaToken =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImthdC1yc2EifQ."
    "eyJpc3MiOiJvcGVuc3NsLWNsaSIsInN1YiI6ImludGVyb3AiLCJhdWQiOiJodHRwczovL2NhcmVicmlkZ2UuZXhhbXBsZS9hdXRoL3Rva2VuIiwiZXhwIjo0"
    "MTAyNDQ0ODAwLCJqdGkiOiJrYXQtMSJ9."
    "mKzMQSP57RkEpbIykfD01KvqFXh6F5ErzApbk2Hk7m2y0noF5YFm7RchIZEXah1bcWLL1bkh-F0AiyM0wRc6jFI82QhJ6rLWuOHEbfrH4KK3nVgvE2gWlSZMDg"
    "7rimvdjAz-peHS4B5kFJgcy7kII1M6n-Hms5XStukVTGUvTejo3JxofGtSZgoc_2f8JGOFXQmqX2VNm8oaLOYpsMzb72ZgeBOzd00Ywwl1XojjXk8T_F0i90-Q"
    "TbQ68wc0yIVq1n0jd8ghLTZC8tFg_oJO684SV_mGveZAQnmB3qb8tz_KRXALS-56Ke5mEdTCE6_90bZ-9oSeTcAieEA9Kku6lw";

const char* kOpensslEcJwk =
    R"({"kty":"EC","crv":"P-384","kid":"kat-ec384",)"
    R"("x":"ZlfZmvzQuWlX9kEXGixi62PwYdsfK7pHa_VWbp-NYrD4vRct18OGpZ9aLX8PiAal",)"
    R"("y":"vLczUg2vGlJdo7fmaVa9KrMs3yYzKGpuvUBwdR7S49YvzHJajXmC3KYyIsTTiERE"})";
const char* kOpensslEcPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEZlfZmvzQuWlX9kEXGixi62PwYdsfK7pH\n"
    "a/VWbp+NYrD4vRct18OGpZ9aLX8PiAalvLczUg2vGlJdo7fmaVa9KrMs3yYzKGpu\n"
    "vUBwdR7S49YvzHJajXmC3KYyIsTTiERE\n"
    "-----END PUBLIC KEY-----\n";
const char* kOpensslEcToken =
    "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCIsImtpZCI6ImthdC1lYzM4NCJ9."
    "eyJpc3MiOiJvcGVuc3NsLWNsaSIsInN1YiI6ImludGVyb3AiLCJhdWQiOiJodHRwczovL2NhcmVicmlkZ2UuZXhhbXBsZS9hdXRoL3Rva2VuIiwiZXhwIjo0"
    "MTAyNDQ0ODAwLCJqdGkiOiJrYXQtMSJ9."
    "f6Se6XhsKmZDfQh9Gcwod0gCSW-UjJKD5IZiVfmG7kY8p_U7a1anxZtbSxBYjxWFxKaeDmaRGlcpxAL0ppVvgcmigNNiwxyJt0bQmMm6QUUtUFXGMcpO3xb1"
    "ikDcSkM5";

std::vector<Jwk> keys_of(std::string_view jwks) {
  auto keys = parse_jwks(jwks);
  INFO(keys.message());
  REQUIRE(keys.ok());
  return std::move(keys).value();
}

Jwk pem_key(std::string_view pem, std::string kid) {
  auto key = jwk_from_pem(pem, std::move(kid));
  INFO(key.message());
  REQUIRE(key.ok());
  return std::move(key).value();
}

}  // namespace

TEST_CASE("RFC 7515's ES256 example verifies, and not once altered", "[gateway][jose]") {
  auto jwt = decode_jwt(kRfcToken);
  REQUIRE(jwt.ok());
  CHECK(jwt->claims.iss == "joe");
  CHECK(jwt->claims.exp == 1300819380);
  auto keys = keys_of(kRfcJwk);
  CHECK(verify_signature(*jwt, keys).ok());
  ClaimRules rules;
  rules.now_s = 1300819380 + 3600;
  CHECK(check_claims(*jwt, rules).message() == "the token expired at 2011-03-22T18:43:00Z");

  std::string tampered = kRfcToken;
  tampered.back() = 'A';  // the signature's last character: another S
  auto altered = decode_jwt(tampered);
  REQUIRE(altered.ok());
  CHECK(verify_signature(*altered, keys).message() == "the token's signature does not verify");
}

TEST_CASE("tokens signed with the openssl command line verify with their JWK and their PEM", "[gateway][jose]") {
  ClaimRules rules;
  rules.now_s = 1795860000;
  rules.issuer = "openssl-cli";
  rules.audiences = {"https://carebridge.example/auth/token"};
  rules.require_jti = true;
  for (auto [token, jwk, pem, alg] : {std::tuple{kOpensslRsaToken, kOpensslRsaJwk, kOpensslRsaPem, "RS256"},
                                      std::tuple{kOpensslEcToken, kOpensslEcJwk, kOpensslEcPem, "ES384"}}) {
    auto jwt = decode_jwt(token);
    REQUIRE(jwt.ok());
    CHECK(jwt->alg == alg);
    auto from_jwk = keys_of(jwk);
    REQUIRE(from_jwk.size() == 1);
    CHECK(from_jwk[0].alg == alg);
    CHECK(verify_signature(*jwt, from_jwk).ok());
    Jwk from_pem = pem_key(pem, jwt->kid);
    CHECK(from_pem.alg == alg);
    CHECK_FALSE(from_pem.has_private);
    CHECK(verify_signature(*jwt, {from_pem}).ok());
    CHECK(check_claims(*jwt, rules).ok());
    // The PEM key written as a JWK is the JWK openssl's key was given as.
    auto republished = keys_of(public_jwks_json({from_pem}));
    CHECK(verify_signature(*jwt, republished).ok());
    CHECK(public_jwks_json({from_pem}) == public_jwks_json(from_jwk));
  }
}
