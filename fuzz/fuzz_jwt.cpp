// Fuzzes JOSE: the input as a compact JWS (decoded, its signature checked against a fixed
// key set, its claims checked) and as a JWK Set (read; its keys written back must read
// again, and are used to check a fixed token). Seeds in fuzz/corpus/jwt are tokens signed
// by the fixed keys, so that mutations reach the signature check.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gateway/security/jose.h"

namespace {

using namespace carebridge::gateway::security;

// RFC 7515 A.3's P-256 key and the RS256 and ES384 keys of
// tests/gateway/security/jose_interop_test.cpp.
const char* kKeys =
    R"({"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},)"
    R"({"kty":"RSA","kid":"kat-rsa","e":"AQAB","n":")"
    "soTakHpF2e7Rg6388hzAo6nO1pxOyACUVDV664JuVv6D7HGPQwzZNqhSpER4re37Uel7kbns3hTxv0QN"
    "WrF1CEMUtEkYfnfsrGHCn_SRqZ6cO4e8G4faQugsXkw0_vMH22JwdFV5YCRkcNftuKy0wg9K5froJurG"
    "R67OiVQ9ztFfjBWILYR2otngeq-4CNgaVKlSwnkCelHSFRRexQy3kRrqrGbS56ly-SaTLquDBF"
    "64rjqwNYHdGfFgjsIt7-U4TALjVD443ZhCD2Sow8eX0nSsIzof7UBBmrcg4Rm8RbjL12u8mWeEKxkH70yJvHXMlr4XztAzEoGuDGZjVeVoJw\"},"
    R"({"kty":"EC","crv":"P-384","kid":"kat-ec384",)"
    R"("x":"ZlfZmvzQuWlX9kEXGixi62PwYdsfK7pHa_VWbp-NYrD4vRct18OGpZ9aLX8PiAal",)"
    R"("y":"vLczUg2vGlJdo7fmaVa9KrMs3yYzKGpuvUBwdR7S49YvzHJajXmC3KYyIsTTiERE"}]})";

// RFC 7515 A.3's token.
const char* kToken =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

const std::vector<Jwk>& fixed_keys() {
  static const std::vector<Jwk> keys = parse_jwks(kKeys).value();
  return keys;
}

const Jwt& fixed_token() {
  static const Jwt jwt = decode_jwt(kToken).value();
  return jwt;
}

void check_token(std::string_view input) {
  auto jwt = decode_jwt(input);
  if (!jwt) return;
  (void)verify_signature(*jwt, fixed_keys());
  ClaimRules rules;
  rules.now_s = 1795860000;
  rules.issuer = "openssl-cli";
  rules.audiences = {"https://carebridge.example/auth/token"};
  rules.max_lifetime_s = 300;
  rules.require_jti = true;
  (void)check_claims(*jwt, rules);
  (void)string_claim(*jwt, "patient");
}

void check_key_set(std::string_view input) {
  auto keys = parse_jwks(input);
  if (!keys) return;
  // What is written reads back. OpenSSL's check of an RSA modulus (not a prime, SP 800-56B)
  // is probabilistic, so a crafted modulus may pass once and fail the next time: only
  // RSA keys may be missing when the set is read again.
  auto again = parse_jwks(public_jwks_json(*keys));
  size_t rsa = 0;
  for (const Jwk& key : *keys) rsa += key.alg == "RS256";
  size_t read_back = again ? again->size() : 0;
  if (read_back > keys->size() || read_back + rsa < keys->size()) __builtin_trap();
  for (const Jwk& key : *keys) {
    if (key.has_private && !parse_jwks(private_jwk_json(key))) __builtin_trap();
  }
  (void)verify_signature(fixed_token(), *keys);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_token(input);
  check_key_set(input);
  return 0;
}
