// gateway/security: JOSE — the JSON Web Tokens (RFC 7519) clients present and the
// gateway issues, their compact JWS signatures (RFC 7515) and the keys that make and
// check them (JWK, RFC 7517), for SMART Backend Services and the gateway's own tokens.
//
// Only asymmetric signatures: RS256, ES256 and ES384 (never "none", never HMAC). A token
// is decoded (decode_jwt), its signature checked against a key set (verify_signature),
// then its claims against the caller's rules (check_claims). Errors are plain words for
// OperationOutcomes and logs; they never contain the token, a signature or key material.
// jose.cpp: base64url, decoding, claims; jws.cpp: signatures; jwk.cpp: keys.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, so that this header needs no OpenSSL header

namespace carebridge::gateway::security {

// Base64url without padding (RFC 4648 §5), as JOSE writes every binary part.
std::string base64url_encode(std::string_view bytes);
// nullopt on padding, characters outside the URL alphabet or a non-canonical ending.
std::optional<std::string> base64url_decode(std::string_view text);

// A signing or verification key and the one algorithm it is used with.
struct Jwk {
  std::string kid;                        // key id; empty: none
  std::string alg;                        // "RS256", "ES256" or "ES384"
  std::shared_ptr<evp_pkey_st> key;       // the OpenSSL key (public, or the key pair)
  bool has_private = false;               // can sign
};

// The signature keys of a JWK Set ({"keys":[...]}) or of a single JWK. Keys for
// encryption, of other types or curves, or unusable (RSA under 2048 bits, EC points off
// their curve, wrong sizes) are skipped; a failure only when no key remains.
Result<std::vector<Jwk>> parse_jwks(std::string_view json);
// The JWK Set of the keys' public parts, for a jwks_uri.
std::string public_jwks_json(const std::vector<Jwk>& keys);
// One JWK with its private members, to persist a server signing key (keep it secret).
std::string private_jwk_json(const Jwk& key);
// A fresh key pair: "ES256" (P-256), "ES384" (P-384) or "RS256" (RSA 2048).
Result<Jwk> generate_key(std::string_view alg, std::string kid);
// A key from PEM text (a public key, or a private key without a passphrase).
Result<Jwk> jwk_from_pem(std::string_view pem, std::string kid);

// The registered claims the gateway reads; times are in seconds since the epoch.
struct Claims {
  std::string iss, sub, jti, scope;  // empty when absent
  std::vector<std::string> aud;      // "aud" as a string or an array
  std::optional<int64_t> exp, nbf, iat;
};

// A decoded compact JWS whose signature is not checked yet.
struct Jwt {
  std::string alg, kid, typ;       // from the protected header (kid, typ: empty when absent)
  std::string header_json, payload_json;
  std::string signing_input;       // "<header>.<payload>" as received: what the signature covers
  std::string signature;           // the decoded signature bytes
  Claims claims;
  std::map<std::string, std::string, std::less<>> strings;  // every top-level string claim
};

// Decodes a compact JWS (three parts, at most 16 KB) with a supported algorithm.
Result<Jwt> decode_jwt(std::string_view token);
// A top-level string claim ("patient", "organization", "client_id"); nullopt when absent.
std::optional<std::string> string_claim(const Jwt& jwt, std::string_view name);

// Checks the signature with the key named by the token's kid, or else with each key of the
// token's algorithm; the key's algorithm must be the token's.
Result<void> verify_signature(const Jwt& jwt, const std::vector<Jwk>& keys);
// A compact JWS of `payload_json` (a JSON object) with header {"alg","typ","kid"}.
Result<std::string> sign_jwt(const Jwk& private_key, std::string_view payload_json,
                             std::string_view typ = "JWT");

// What check_claims requires of a token.
struct ClaimRules {
  std::string issuer;                  // iss must be this when not empty
  std::vector<std::string> audiences;  // one must be in aud when not empty
  int64_t now_s = 0;                   // the current time
  int64_t skew_s = 60;                 // clock difference tolerated on exp, nbf and iat
  int64_t max_lifetime_s = 0;          // exp - now at most this when > 0 (client assertions: 300)
  bool require_exp = true;
  bool require_jti = false;
};

// The first rule the token breaks: expired, not yet valid, issued in the future, lives too
// long, another issuer or audience, no exp or jti.
Result<void> check_claims(const Jwt& jwt, const ClaimRules& rules);

}  // namespace carebridge::gateway::security
