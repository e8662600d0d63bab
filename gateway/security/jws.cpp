// JWS signatures (see jose.h): RS256 is RSASSA-PKCS1-v1_5 over SHA-256; ES256 and ES384
// are ECDSA, whose JOSE form is the raw pair R||S of fixed width (RFC 7518 §3.4), not
// the DER ECDSA-Sig-Value OpenSSL reads and writes: both directions are converted here.
#include <openssl/ec.h>
#include <openssl/err.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>

#include "gateway/security/jose.h"
#include "gateway/security/jose_openssl.h"

namespace carebridge::gateway::security {
namespace {

using jose_detail::Algorithm;
using jose_detail::BnPtr;
using jose_detail::Free;
using jose_detail::MdCtxPtr;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG_free>>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// R||S, each `width` bytes, as DER; nullopt when the length is not 2 * width.
std::optional<std::string> der_from_raw(std::string_view raw, size_t width) {
  if (raw.size() != 2 * width) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(bytes(raw), static_cast<int>(width), nullptr));
  BnPtr s(BN_bin2bn(bytes(raw) + width, static_cast<int>(width), nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

// DER ECDSA-Sig-Value as R||S, each left-padded to `width` bytes.
std::optional<std::string> raw_from_der(std::string_view der, size_t width) {
  const unsigned char* in = bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * width, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  int w = static_cast<int>(width);
  if (BN_bn2binpad(r, out, w) != w || BN_bn2binpad(s, out + width, w) != w) return std::nullopt;
  return raw;
}

bool verify_with(EVP_PKEY* key, const Algorithm& alg, std::string_view input, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, alg.digest(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input), input.size()) == 1;
  ERR_clear_error();  // a failed check leaves nothing in OpenSSL's error queue
  return ok;
}

std::optional<std::string> sign_with(EVP_PKEY* key, const Algorithm& alg, std::string_view input) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t length = 0;
  std::string signature;
  bool ok = ctx && EVP_DigestSignInit(ctx.get(), nullptr, alg.digest(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input), input.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes(input),
                        input.size()) == 1;
    signature.resize(length);
  }
  ERR_clear_error();
  if (!ok) return std::nullopt;
  return alg.ec ? raw_from_der(signature, alg.width) : signature;
}

// The keys that may have signed `jwt`: those with its kid (or, when none has it, those
// without a kid), of its algorithm.
std::vector<const Jwk*> candidate_keys(const Jwt& jwt, const std::vector<Jwk>& keys) {
  bool named = !jwt.kid.empty() &&
               std::any_of(keys.begin(), keys.end(), [&](const Jwk& k) { return k.kid == jwt.kid; });
  std::vector<const Jwk*> out;
  for (const Jwk& key : keys) {
    bool kid_fits = named ? key.kid == jwt.kid : (jwt.kid.empty() || key.kid.empty());
    if (kid_fits && key.alg == jwt.alg && key.key) out.push_back(&key);
  }
  return out;
}

Result<void> no_key(const Jwt& jwt, const std::vector<Jwk>& keys) {
  for (const Jwk& key : keys) {
    if (!jwt.kid.empty() && key.kid == jwt.kid) {
      return Result<void>::failure("security", "the key the token names is for " + key.alg + ", not " + jwt.alg);
    }
  }
  if (!jwt.kid.empty()) return Result<void>::failure("security", "no registered key has the token's key id (kid)");
  return Result<void>::failure("security", "no registered key is for the token's algorithm " + jwt.alg);
}

std::string header_json(const Jwk& key, std::string_view typ) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("alg");
  w.String(key.alg.data(), static_cast<rapidjson::SizeType>(key.alg.size()));
  if (!typ.empty()) {
    w.Key("typ");
    w.String(typ.data(), static_cast<rapidjson::SizeType>(typ.size()));
  }
  if (!key.kid.empty()) {
    w.Key("kid");
    w.String(key.kid.data(), static_cast<rapidjson::SizeType>(key.kid.size()));
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

Result<void> verify_signature(const Jwt& jwt, const std::vector<Jwk>& keys) {
  const Algorithm* alg = jose_detail::find_algorithm(jwt.alg);
  if (!alg) return Result<void>::failure("not-supported", "the token's signing algorithm is not supported");
  std::string signature = jwt.signature;
  if (alg->ec) {
    auto der = der_from_raw(jwt.signature, alg->width);
    if (!der) {
      return Result<void>::failure(
          "security", "the " + jwt.alg + " signature is not " + std::to_string(2 * alg->width) + " bytes long");
    }
    signature = std::move(*der);
  }
  auto candidates = candidate_keys(jwt, keys);
  if (candidates.empty()) return no_key(jwt, keys);
  for (const Jwk* key : candidates) {
    auto key_alg = jose_detail::algorithm_for_key(key->key.get());  // the key itself, not only its label
    if (key_alg && *key_alg == alg && verify_with(key->key.get(), *alg, jwt.signing_input, signature)) return {};
  }
  return Result<void>::failure("security", "the token's signature does not verify");
}

Result<std::string> sign_jwt(const Jwk& private_key, std::string_view payload_json, std::string_view typ) {
  using R = Result<std::string>;
  if (!private_key.key || !private_key.has_private) {
    return R::failure("security", "the key has no private part to sign with");
  }
  auto alg = jose_detail::algorithm_for_key(private_key.key.get());
  if (!alg) return alg.issues();
  if ((*alg)->name != private_key.alg) {
    return R::failure("security", "the key is for " + std::string((*alg)->name) + ", not " + private_key.alg);
  }
  rapidjson::Document payload;
  if (!jose_detail::parse_object(payload_json, payload)) {
    return R::failure("invalid", "the claims to sign are not a JSON object");
  }
  std::string input = base64url_encode(header_json(private_key, typ)) + "." + base64url_encode(payload_json);
  auto signature = sign_with(private_key.key.get(), **alg, input);
  if (!signature) return R::failure("exception", "the token could not be signed");
  return input + "." + base64url_encode(*signature);
}

}  // namespace carebridge::gateway::security
