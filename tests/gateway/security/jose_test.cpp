// JOSE tokens: base64url, decoding a compact JWS, signing and verifying with each
// algorithm, the attacks a verifier must refuse (tampering, alg none/HS256, RS/ES
// confusion, the wrong key), and each claim rule.
#include <catch2/catch.hpp>

#include "gateway/security/jose.h"

using namespace carebridge::gateway::security;

namespace {

Jwk key_for(std::string_view alg, std::string kid) {
  auto key = generate_key(alg, std::move(kid));
  REQUIRE(key.ok());
  return std::move(key).value();
}

std::string signed_token(const Jwk& key, std::string_view payload) {
  auto token = sign_jwt(key, payload);
  INFO(token.message());
  REQUIRE(token.ok());
  return std::move(token).value();
}

// A compact JWS from its parts as given (header and payload JSON, signature bytes).
std::string compact(std::string_view header, std::string_view payload, std::string_view signature) {
  return base64url_encode(header) + "." + base64url_encode(payload) + "." + base64url_encode(signature);
}

std::string verify_error(const std::string& token, const std::vector<Jwk>& keys) {
  auto jwt = decode_jwt(token);
  if (!jwt) return "decode: " + jwt.message();
  auto verified = verify_signature(*jwt, keys);
  return verified ? "" : verified.message();
}

std::string part(const std::string& token, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  return token.substr(start, token.find('.', start) - start);
}

}  // namespace

TEST_CASE("base64url round-trips bytes and refuses padding and other alphabets", "[gateway][jose]") {
  for (std::string bytes : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                            std::string("\xfb\xff\x00\x3e", 4), std::string(257, '\xa5')}) {
    std::string text = base64url_encode(bytes);
    CHECK(text.find_first_of("=+/") == std::string::npos);
    CHECK(base64url_decode(text) == bytes);
  }
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  CHECK(base64url_decode("Zm9v") == "foo");
  CHECK(base64url_decode("Zg") == "f");
  CHECK_FALSE(base64url_decode("Zg=="));   // padding
  CHECK_FALSE(base64url_decode("+/8"));    // the standard alphabet
  CHECK_FALSE(base64url_decode("Zm9v\n"));
  CHECK_FALSE(base64url_decode("Z"));      // a lone character is no byte
  CHECK_FALSE(base64url_decode("Zh"));     // unused bits set: not the canonical text of "f"
  CHECK_FALSE(base64url_decode("Zm9v="));
}

TEST_CASE("tokens signed with each algorithm verify and decode their claims", "[gateway][jose]") {
  for (std::string alg : {"ES256", "ES384", "RS256"}) {
    Jwk key = key_for(alg, "k-" + alg);
    std::string token = signed_token(key, R"({"iss":"client-1","sub":"client-1","aud":"https://cb.example/auth/token",)"
                                          R"("exp":1795860000,"jti":"a1","patient":"p-7","scope":"system/*.rs"})");
    auto jwt = decode_jwt(token);
    REQUIRE(jwt.ok());
    CHECK(jwt->alg == alg);
    CHECK(jwt->kid == "k-" + alg);
    CHECK(jwt->typ == "JWT");
    CHECK(jwt->claims.iss == "client-1");
    CHECK(jwt->claims.aud == std::vector<std::string>{"https://cb.example/auth/token"});
    CHECK(jwt->claims.exp == 1795860000);
    CHECK(jwt->claims.scope == "system/*.rs");
    CHECK(string_claim(*jwt, "patient") == "p-7");
    CHECK_FALSE(string_claim(*jwt, "organization"));
    CHECK(jwt->signature.size() == (alg == "ES256" ? 64u : alg == "ES384" ? 96u : 256u));
    CHECK(verify_error(token, {key}) == "");
  }
}

TEST_CASE("a tampered payload header or signature does not verify", "[gateway][jose]") {
  for (std::string alg : {"ES256", "RS256"}) {
    Jwk key = key_for(alg, "k");
    std::string token = signed_token(key, R"({"sub":"a","exp":1795860000})");
    std::string forged_claims = part(token, 0) + "." + base64url_encode(R"({"sub":"admin","exp":1795860000})") + "." +
                                part(token, 2);
    CHECK(verify_error(forged_claims, {key}) == "the token's signature does not verify");
    std::string signature = *base64url_decode(part(token, 2));
    signature[signature.size() / 2] ^= 0x01;
    std::string forged_signature = part(token, 0) + "." + part(token, 1) + "." + base64url_encode(signature);
    CHECK(verify_error(forged_signature, {key}) == "the token's signature does not verify");
    CHECK(verify_error(token, {key_for(alg, "k")}) == "the token's signature does not verify");  // another key
  }
  // ECDSA's JOSE form has a fixed length.
  Jwk es = key_for("ES256", "k");
  std::string token = signed_token(es, R"({"sub":"a"})");
  std::string longer = *base64url_decode(part(token, 2)) + '\0';
  CHECK(verify_error(part(token, 0) + "." + part(token, 1) + "." + base64url_encode(longer), {es}) ==
        "the ES256 signature is not 64 bytes long");
}

TEST_CASE("unsigned, HMAC and algorithm-swapped tokens are refused", "[gateway][jose]") {
  Jwk es = key_for("ES256", "es");
  Jwk rsa = key_for("RS256", "rsa");
  std::string payload = R"({"sub":"a"})";
  CHECK(verify_error(compact(R"({"alg":"none"})", payload, ""), {es}) ==
        "decode: unsigned tokens (alg none) are not accepted");
  CHECK(verify_error(compact(R"({"alg":"none"})", payload, "x"), {es}) ==
        "decode: unsigned tokens (alg none) are not accepted");
  // HS256 keyed with the RSA public key's bytes: the classic confusion.
  CHECK(verify_error(compact(R"({"alg":"HS256","kid":"rsa"})", payload, std::string(32, 'x')), {rsa}) ==
        "decode: the signing algorithm 'HS256' is not supported (RS256, ES256 and ES384 are)");
  CHECK(verify_error(compact(R"({"alg":"PS256"})", payload, "x"), {rsa}).find("'PS256' is not supported") != std::string::npos);
  CHECK(verify_error(compact(R"({"kid":"es"})", payload, "x"), {es}) == "decode: the token's header has no algorithm (alg)");

  // An ES256 signature presented as RS256 with the EC key's kid.
  std::string token = signed_token(es, payload);
  std::string as_rs256 = base64url_encode(R"({"alg":"RS256","typ":"JWT","kid":"es"})") + "." + part(token, 1) + "." +
                         part(token, 2);
  CHECK(verify_error(as_rs256, {es}) == "the key the token names is for ES256, not RS256");
  std::string no_kid = base64url_encode(R"({"alg":"RS256"})") + "." + part(token, 1) + "." + part(token, 2);
  CHECK(verify_error(no_kid, {es}) == "no registered key is for the token's algorithm RS256");
  // A key whose label says RS256 but which is an EC key is never used for RS256.
  Jwk mislabelled{"es", "RS256", es.key, false};
  CHECK(verify_error(as_rs256, {mislabelled}) == "the token's signature does not verify");
  CHECK_FALSE(sign_jwt(mislabelled, payload).ok());
}

TEST_CASE("the key is chosen by the token's kid, else by its algorithm", "[gateway][jose]") {
  Jwk a = key_for("ES256", "a");
  Jwk b = key_for("ES256", "b");
  Jwk r = key_for("RS256", "r");
  std::string by_b = signed_token(b, R"({"sub":"x"})");
  CHECK(verify_error(by_b, {a, r, b}) == "");
  CHECK(verify_error(by_b, {a, r}) == "no registered key has the token's key id (kid)");
  // The token names a, but b signed it.
  std::string names_a = signed_token(Jwk{"a", "ES256", b.key, true}, R"({"sub":"x"})");
  CHECK(verify_error(names_a, {a, b}) == "the token's signature does not verify");
  // Without a kid, every key of the algorithm is tried.
  std::string no_kid = signed_token(Jwk{"", "ES256", b.key, true}, R"({"sub":"x"})");
  CHECK(decode_jwt(no_kid)->kid.empty());
  CHECK(verify_error(no_kid, {r, a, b}) == "");
  CHECK(verify_error(no_kid, {r, a}) == "the token's signature does not verify");
  CHECK(verify_error(no_kid, {r}) == "no registered key is for the token's algorithm ES256");
  // A token naming a kid the registered keys do not have is tried with the keys without one.
  Jwk unnamed = b;
  unnamed.kid.clear();
  CHECK(verify_error(by_b, {a, unnamed}) == "");
  CHECK(verify_error(by_b, {}) == "no registered key has the token's key id (kid)");
}

TEST_CASE("signing needs a private key and a JSON object of claims", "[gateway][jose]") {
  Jwk key = key_for("ES384", "k");
  Jwk public_only = key;
  public_only.has_private = false;
  CHECK(sign_jwt(public_only, "{}").message() == "the key has no private part to sign with");
  CHECK(sign_jwt(key, "[1]").message() == "the claims to sign are not a JSON object");
  auto at = sign_jwt(key, R"({"sub":"x"})", "at+jwt");
  REQUIRE(at.ok());
  CHECK(decode_jwt(*at)->typ == "at+jwt");
  CHECK_FALSE(generate_key("HS256", "k").ok());
}

TEST_CASE("decoding refuses what is not one signed JWT", "[gateway][jose]") {
  auto error = [](std::string_view token) {
    auto jwt = decode_jwt(token);
    return jwt ? std::string() : jwt.message();
  };
  std::string sig = "sig";
  CHECK(error("a.b") == "the token is not a compact JWS (three base64url parts separated by dots)");
  CHECK(error("a.b.c.d.e") == "encrypted tokens (JWE) are not accepted; the token must be a signed JWT");
  CHECK(error(std::string(16 * 1024 + 1, 'a')) == "the token is longer than 16 KB");
  CHECK(error("e30=.e30.c2ln") == "the token's header is not base64url");
  CHECK(error(compact("[]", "{}", sig)) == "the token's header is not a JSON object");
  CHECK(error(compact(R"({"alg":"ES256","alg":"none"})", "{}", sig)) == "the token's header repeats a member");
  CHECK(error(compact(R"({"alg":"ES256"})", R"({"sub":"a","sub":"b"})", sig)) == "the token's claims repeats a member");
  CHECK(error(compact(R"({"alg":"ES256"})", "\"x\"", sig)) == "the token's claims is not a JSON object");
  CHECK(error(compact(R"({"alg":"ES256"})", "{\"sub\":\"\xff\"}", sig)) == "the token's claims is not a JSON object");
  CHECK(error(compact(R"({"alg":"ES256"})", "{}", "")) == "the token has no signature");
  CHECK(error(compact(R"({"alg":"ES256","crit":["exp"],"exp":1})", "{}", sig)) ==
        "the token requires header extensions (crit) that the gateway does not support");
  CHECK(error(compact(R"({"alg":"ES256","crit":[]})", "{}", sig)).empty());
  CHECK(error(compact(R"({"alg":"ES256","kid":7})", "{}", sig)) == "the token's key id (kid) is not a string");
  CHECK(error(compact(R"({"alg":"ES256"})", R"({"exp":"tomorrow"})", sig)) == "the exp claim is not a number");
  CHECK(error(compact(R"({"alg":"ES256"})", R"({"nbf":-1})", sig)) == "the nbf claim is not a time between 1970 and 9999");
  CHECK(error(compact(R"({"alg":"ES256"})", R"({"iat":1e300})", sig)) == "the iat claim is not a time between 1970 and 9999");
  CHECK(error(compact(R"({"alg":"ES256"})", R"({"aud":["a",1]})", sig)) == "the aud claim is not a string or an array of strings");
  CHECK(error(compact(R"({"alg":"ES256"})", R"({"iss":{}})", sig)) == "the iss claim is not a string");

  auto jwt = decode_jwt(compact(R"({"alg":"ES256"})", R"({"exp":1795860000.9,"aud":["a","b"],"n":1})", sig));
  REQUIRE(jwt.ok());
  CHECK(jwt->claims.exp == 1795860000);  // decimals truncated
  CHECK(jwt->claims.aud == std::vector<std::string>{"a", "b"});
  CHECK(jwt->kid.empty());
  CHECK_FALSE(string_claim(*jwt, "n"));
}

TEST_CASE("error messages never quote the token or its signature", "[gateway][jose]") {
  Jwk key = key_for("ES256", "k");
  std::string token = signed_token(key, R"({"sub":"secret-subject","exp":1})");
  std::string signature = part(token, 2);
  std::vector<std::string> tokens = {token, token + "x", token.substr(0, token.size() - 2),
                                     compact(R"({"alg":"HS256\"secret"})", "{}", "s")};
  for (const std::string& t : tokens) {
    std::string message = verify_error(t, {key_for("ES256", "k")});
    CHECK(message.find(signature.substr(0, 20)) == std::string::npos);
    CHECK(message.find("secret") == std::string::npos);
  }
  auto jwt = decode_jwt(token);
  REQUIRE(jwt.ok());
  ClaimRules rules;
  rules.now_s = 1795860000;
  CHECK(check_claims(*jwt, rules).message().find("secret") == std::string::npos);
}

TEST_CASE("each claim rule refuses with its own message", "[gateway][jose]") {
  Jwk key = key_for("ES256", "k");
  auto check = [&](std::string_view payload, ClaimRules rules) {
    auto jwt = decode_jwt(signed_token(key, payload));
    REQUIRE(jwt.ok());
    auto checked = check_claims(*jwt, rules);
    return checked ? std::string() : checked.message();
  };
  ClaimRules rules;
  rules.now_s = 1795860000;  // 2026-11-28T10:00:00Z
  rules.issuer = "client-1";
  rules.audiences = {"https://cb.example/auth/token", "https://cb.example/fhir"};
  const std::string good = R"("iss":"client-1","aud":["x","https://cb.example/fhir"],"jti":"j1")";
  CHECK(check("{" + good + R"(,"exp":1795860100})", rules) == "");
  CHECK(check("{" + good + R"(,"exp":1795859000})", rules) == "the token expired at 2026-11-28T09:43:20Z");
  CHECK(check("{" + good + R"(,"exp":1795859950})", rules) == "");  // within the clock skew
  CHECK(check("{" + good + "}", rules) == "the token has no expiry time (exp)");
  CHECK(check("{" + good + R"(,"exp":1795860100,"nbf":1795863600})", rules) ==
        "the token is not valid before 2026-11-28T11:00:00Z");
  CHECK(check("{" + good + R"(,"exp":1795860100,"iat":1795863600})", rules) ==
        "the token was issued in the future, at 2026-11-28T11:00:00Z");
  CHECK(check(R"({"iss":"client-2","aud":"https://cb.example/fhir","exp":1795860100})", rules) ==
        "the token was not issued by client-1");
  CHECK(check(R"({"iss":"client-1","aud":"https://elsewhere.example","exp":1795860100})", rules) ==
        "the token is for another audience");
  CHECK(check(R"({"iss":"client-1","exp":1795860100})", rules) == "the token is for another audience");

  ClaimRules assertion = rules;  // SMART client assertions: short-lived, with a jti
  assertion.max_lifetime_s = 300;
  assertion.require_jti = true;
  CHECK(check("{" + good + R"(,"exp":1795860300})", assertion) == "");
  CHECK(check("{" + good + R"(,"exp":1795863600})", assertion) == "the token is valid for more than 300 seconds from now");
  CHECK(check(R"({"iss":"client-1","aud":"https://cb.example/fhir","exp":1795860100})", assertion) ==
        "the token has no identifier (jti)");
  assertion.require_exp = false;
  CHECK(check("{" + good + "}", assertion) == "the token has no expiry time (exp)");  // a lifetime needs an exp

  ClaimRules lenient;
  lenient.now_s = 1795860000;
  lenient.require_exp = false;
  CHECK(check("{}", lenient) == "");
}
