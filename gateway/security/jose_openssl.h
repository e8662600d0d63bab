// Internal to gateway/security's JOSE files (jose.cpp, jws.cpp, jwk.cpp): OpenSSL
// handles that free themselves, the facts of each supported algorithm, and the JSON
// reading they share. Nothing outside those files includes it.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>

#include "fhir/model/result.h"

namespace carebridge::gateway::security::jose_detail {

// A unique_ptr deleter calling OpenSSL's free function `F`.
template <auto F>
struct Free {
  template <typename T>
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Free<BN_clear_free>>;  // cleared: may hold a private value

// A supported signature algorithm.
struct Algorithm {
  std::string_view name;       // "RS256", "ES256", "ES384"
  bool ec;                     // ECDSA (else RSASSA-PKCS1-v1_5)
  const char* group;           // OpenSSL's name of the curve ("" for RSA)
  std::string_view crv;        // the JWK's name of the curve ("" for RSA)
  size_t width;                // bytes of one coordinate, of R and of S (0 for RSA)
  const EVP_MD* (*digest)();   // the hash signed
};

// The algorithm called `name`; nullptr when it is not supported.
const Algorithm* find_algorithm(std::string_view name);
// The algorithm a key is used with; a failure when its type, size or curve is not supported.
Result<const Algorithm*> algorithm_for_key(EVP_PKEY* key);

// Parses `text` as one JSON object (UTF-8 checked, no recursion); false when it is not one.
bool parse_object(std::string_view text, rapidjson::Document& doc);
// Reads the optional string member `name` of `object` into `out`; false when it is there
// but not a string.
bool read_string(const rapidjson::Value& object, const char* name, std::string& out);
// `value` in single quotes when it is a short name ("HS256", "P-521"), else "(unreadable)":
// names taken from untrusted input, safe to put in a message.
std::string quoted(std::string_view value);

}  // namespace carebridge::gateway::security::jose_detail
