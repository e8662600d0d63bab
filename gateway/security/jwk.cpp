// JWKs (see jose.h): RSA and EC keys read from their JWK members into OpenSSL keys
// (OSSL_PARAM_BLD + EVP_PKEY_fromdata, then OpenSSL's own public and pairwise checks),
// written back (EVP_PKEY_get_bn_param), generated, and read from PEM.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/security/jose.h"
#include "gateway/security/jose_openssl.h"

namespace carebridge::gateway::security {
namespace jose_detail {
namespace {

const Algorithm kAlgorithms[] = {
    {"RS256", false, "", "", 0, EVP_sha256},
    {"ES256", true, "prime256v1", "P-256", 32, EVP_sha256},
    {"ES384", true, "secp384r1", "P-384", 48, EVP_sha384},
};

}  // namespace

const Algorithm* find_algorithm(std::string_view name) {
  for (const Algorithm& alg : kAlgorithms) {
    if (alg.name == name) return &alg;
  }
  return nullptr;
}

Result<const Algorithm*> algorithm_for_key(EVP_PKEY* key) {
  using R = Result<const Algorithm*>;
  if (key && EVP_PKEY_is_a(key, "RSA")) {
    int bits = EVP_PKEY_get_bits(key);
    std::string size = "the RSA key has " + std::to_string(bits) + " bits; ";
    if (bits < 2048) return R::failure("security", size + "at least 2048 are required");
    if (bits > 8192) return R::failure("security", size + "at most 8192 are accepted");
    return &kAlgorithms[0];
  }
  if (key && EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) == 1) {
      for (const Algorithm& alg : kAlgorithms) {
        if (alg.ec && (alg.group == std::string_view(group) || alg.crv == group)) return &alg;
      }
    }
    ERR_clear_error();
    return R::failure("not-supported", "the EC key's curve is not supported (P-256 and P-384 are)");
  }
  return R::failure("not-supported", "the key type is not supported (RSA and EC are)");
}

}  // namespace jose_detail

namespace {

using namespace jose_detail;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free<OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Free<OSSL_PARAM_free>>;
using DecoderPtr = std::unique_ptr<OSSL_DECODER_CTX, Free<OSSL_DECODER_CTX_free>>;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t kMaxJwksBytes = 1024 * 1024;
constexpr size_t kMaxKeys = 100;
constexpr size_t kMaxPemBytes = 64 * 1024;

Issue unusable(std::string message) { return Issue{Severity::Error, "security", std::move(message), {}, {}}; }
Issue unsupported(std::string message) { return Issue{Severity::Error, "not-supported", std::move(message), {}, {}}; }

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::shared_ptr<evp_pkey_st> share(PkeyPtr key) { return {key.release(), EVP_PKEY_free}; }

// The base64url member `name` of `jwk`, decoded; a failure naming it when missing or malformed.
Result<std::string> member_bytes(const rapidjson::Value& jwk, const char* name) {
  auto it = jwk.FindMember(name);
  if (it == jwk.MemberEnd()) return unusable(std::string("the key has no member '") + name + "'");
  auto decoded = it->value.IsString() ? base64url_decode({it->value.GetString(), it->value.GetStringLength()})
                                      : std::nullopt;
  if (!decoded || decoded->empty()) return unusable(std::string("the key's member '") + name + "' is not base64url");
  return std::move(*decoded);
}

// OpenSSL's checks of a key: a supported type and size, a valid public key (an EC point on
// its curve), and for a key pair, private and public parts that belong together.
Result<const Algorithm*> check_key(EVP_PKEY* key, bool has_private) {
  auto alg = algorithm_for_key(key);
  if (!alg) return alg;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  bool valid_public = ctx && EVP_PKEY_public_check(ctx.get()) == 1;
  bool valid_pair = valid_public && (!has_private || EVP_PKEY_pairwise_check(ctx.get()) == 1);
  ERR_clear_error();
  if (!valid_public) {
    return unusable((*alg)->ec ? "the point (x, y) is not on the curve " + std::string((*alg)->crv)
                               : std::string("the RSA public key (n, e) is not valid"));
  }
  if (!valid_pair) return unusable("the key's private part does not belong to its public part");
  return alg;
}

// A key of `type` ("RSA", "EC") from the parameters in `bld`, checked.
Result<PkeyPtr> key_from_params(const char* type, OSSL_PARAM_BLD* bld, bool has_private, const std::string& invalid) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  int selection = has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  bool built = params && ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
               EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) == 1;
  PkeyPtr key(raw);
  ERR_clear_error();
  if (!built || !key) return unusable(invalid);
  if (auto checked = check_key(key.get(), has_private); !checked) return checked.issues();
  return key;
}

struct RsaMember {
  const char* jwk;    // the JWK member
  const char* param;  // OpenSSL's parameter
};
constexpr RsaMember kRsaPublic[] = {{"n", OSSL_PKEY_PARAM_RSA_N}, {"e", OSSL_PKEY_PARAM_RSA_E}};
constexpr RsaMember kRsaPrivate[] = {
    {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
    {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
    {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};

// An RSA key from n and e, and for a private key d with all its CRT members (p, q, dp, dq, qi).
Result<PkeyPtr> rsa_key(const rapidjson::Value& jwk, bool has_private) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::vector<BnPtr> numbers;  // kept until the parameters are built
  auto push = [&](const RsaMember& m) -> Result<void> {
    auto value = member_bytes(jwk, m.jwk);
    if (!value) return value.issues();
    numbers.emplace_back(BN_bin2bn(bytes(*value), static_cast<int>(value->size()), nullptr));
    OPENSSL_cleanse(value->data(), value->size());
    if (!bld || !numbers.back() || OSSL_PARAM_BLD_push_BN(bld.get(), m.param, numbers.back().get()) != 1) {
      return unusable("the RSA key could not be built");
    }
    return {};
  };
  for (const RsaMember& m : kRsaPublic) {
    if (auto r = push(m); !r) return r.issues();
  }
  for (const RsaMember& m : kRsaPrivate) {
    if (!has_private) break;
    if (auto r = push(m); !r) return r.issues();
  }
  return key_from_params("RSA", bld.get(), has_private, "the RSA members do not make a valid RSA key");
}

// An EC key on `alg`'s curve from x and y (each exactly the curve's width), and d when private.
Result<PkeyPtr> ec_key(const rapidjson::Value& jwk, const Algorithm& alg, bool has_private) {
  auto x = member_bytes(jwk, "x");
  auto y = member_bytes(jwk, "y");
  if (!x || !y) return (!x ? x : y).issues();
  std::string width = std::to_string(alg.width) + " bytes for " + std::string(alg.crv);
  if (x->size() != alg.width || y->size() != alg.width) return unusable("the key's x and y must each be " + width);
  std::string point = "\x04" + *x + *y;  // uncompressed SEC 1 form
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  BnPtr d;
  bool pushed = bld && OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, alg.group, 0) == 1 &&
                OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1;
  if (has_private) {
    auto secret = member_bytes(jwk, "d");
    if (!secret) return secret.issues();
    if (secret->size() != alg.width) return unusable("the key's d must be " + width);
    d.reset(BN_bin2bn(bytes(*secret), static_cast<int>(secret->size()), nullptr));
    OPENSSL_cleanse(secret->data(), secret->size());
    pushed = pushed && d && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) == 1;
  }
  if (!pushed) return unusable("the EC key could not be built");
  return key_from_params("EC", bld.get(), has_private, "the point (x, y) is not on the curve " + std::string(alg.crv));
}

// The algorithm a JWK's kty, crv and alg members name.
Result<const Algorithm*> jwk_algorithm(const rapidjson::Value& jwk, const std::string& kty, const std::string& alg) {
  const Algorithm* found = nullptr;
  if (kty == "RSA") {
    found = find_algorithm("RS256");
  } else if (kty == "EC") {
    std::string crv;
    (void)read_string(jwk, "crv", crv);
    for (const Algorithm& a : kAlgorithms) {
      if (a.ec && a.crv == crv) found = &a;
    }
    if (!found) return unsupported("the curve " + quoted(crv) + " is not supported (P-256 and P-384 are)");
  } else {
    if (kty.empty()) return unsupported("the key has no type (kty)");
    return unsupported("the key type " + quoted(kty) + " is not supported (RSA and EC are)");
  }
  if (!alg.empty() && alg != found->name) {
    return unsupported("the algorithm " + quoted(alg) + " is not supported for this key (" + std::string(found->name) +
                       " is)");
  }
  return found;
}

// One JWK as a signature key.
Result<Jwk> parse_jwk(const rapidjson::Value& jwk) {
  if (!jwk.IsObject()) return unusable("the key is not a JSON object");
  std::string kty, use, alg, kid;
  if (!read_string(jwk, "kty", kty) || !read_string(jwk, "use", use) || !read_string(jwk, "alg", alg) ||
      !read_string(jwk, "kid", kid)) {
    return unusable("the key's kty, use, alg and kid must be strings");
  }
  if (use == "enc") return unsupported("the key is for encryption (use enc), not signatures");
  if (!use.empty() && use != "sig") return unsupported("the key's use " + quoted(use) + " is not signatures (sig)");
  auto algorithm = jwk_algorithm(jwk, kty, alg);
  if (!algorithm) return algorithm.issues();
  bool has_private = jwk.HasMember("d");
  auto key = (*algorithm)->ec ? ec_key(jwk, **algorithm, has_private) : rsa_key(jwk, has_private);
  if (!key) return key.issues();
  return Jwk{std::move(kid), std::string((*algorithm)->name), share(std::move(*key)), has_private};
}

}  // namespace

Result<std::vector<Jwk>> parse_jwks(std::string_view json) {
  using R = Result<std::vector<Jwk>>;
  if (json.size() > kMaxJwksBytes) return R::failure("invalid", "the key set is larger than 1 MB");
  rapidjson::Document doc;
  if (!parse_object(json, doc)) return R::failure("invalid", "the key set is not a JSON object");
  auto keys = doc.FindMember("keys");
  if (keys == doc.MemberEnd()) {
    auto one = parse_jwk(doc);
    if (!one) return one.issues();
    return std::vector<Jwk>{std::move(*one)};
  }
  if (!keys->value.IsArray()) return R::failure("invalid", "the key set's 'keys' is not an array");
  if (keys->value.Size() > kMaxKeys) return R::failure("invalid", "the key set has more than 100 keys");
  std::vector<Jwk> usable;
  std::vector<Issue> skipped;
  for (rapidjson::SizeType i = 0; i < keys->value.Size(); ++i) {
    auto key = parse_jwk(keys->value[i]);
    if (key) usable.push_back(std::move(*key));
    for (Issue issue : key.issues()) {
      issue.message = "key " + std::to_string(i + 1) + ": " + issue.message;
      skipped.push_back(std::move(issue));
    }
  }
  if (!usable.empty()) return usable;
  if (skipped.empty()) return R::failure("invalid", "the key set has no keys");
  return skipped;
}

namespace {

void write_member(Writer& w, const char* name, std::string_view value) {
  w.Key(name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// The number parameter `param` of `key` in base64url, left-padded to `width` bytes (0: its
// own length); empty when the key has no such parameter.
std::string number_param(EVP_PKEY* key, const char* param, size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &raw) != 1) {
    ERR_clear_error();
    return {};
  }
  BnPtr number(raw);
  size_t size = width ? width : static_cast<size_t>(BN_num_bytes(number.get()));
  std::string bytes(size, '\0');
  bool fits = BN_bn2binpad(number.get(), reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)) >= 0;
  std::string text = fits ? base64url_encode(bytes) : std::string();
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return text;
}

// Writes `key` as a JWK object: its public members, the private ones when asked.
void write_jwk(Writer& w, const Jwk& key, bool with_private) {
  const Algorithm* alg = find_algorithm(key.alg);
  EVP_PKEY* k = key.key.get();
  w.StartObject();
  if (alg && alg->ec) {
    write_member(w, "kty", "EC");
    write_member(w, "crv", alg->crv);
    write_member(w, "x", number_param(k, OSSL_PKEY_PARAM_EC_PUB_X, alg->width));
    write_member(w, "y", number_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, alg->width));
    if (with_private) write_member(w, "d", number_param(k, OSSL_PKEY_PARAM_PRIV_KEY, alg->width));
  } else {
    write_member(w, "kty", "RSA");
    for (const RsaMember& m : kRsaPublic) write_member(w, m.jwk, number_param(k, m.param, 0));
    for (const RsaMember& m : kRsaPrivate) {
      if (with_private) write_member(w, m.jwk, number_param(k, m.param, 0));
    }
  }
  if (!key.kid.empty()) write_member(w, "kid", key.kid);
  write_member(w, "alg", key.alg);
  write_member(w, "use", "sig");
  w.EndObject();
}

bool has_private_part(EVP_PKEY* key) {
  BIGNUM* raw = nullptr;
  const char* secret = EVP_PKEY_is_a(key, "RSA") ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY;
  bool found = EVP_PKEY_get_bn_param(key, secret, &raw) == 1;
  BnPtr number(raw);
  ERR_clear_error();
  return found;
}

// Never asked for a passphrase: encrypted PEM keys are refused rather than prompted for.
int no_passphrase(char*, size_t, size_t*, const OSSL_PARAM[], void*) { return 0; }

}  // namespace

std::string public_jwks_json(const std::vector<Jwk>& keys) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("keys");
  w.StartArray();
  for (const Jwk& key : keys) {
    if (key.key) write_jwk(w, key, false);
  }
  w.EndArray();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string private_jwk_json(const Jwk& key) {
  if (!key.key) return "{}";
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  write_jwk(w, key, key.has_private);
  return {buffer.GetString(), buffer.GetSize()};
}

Result<Jwk> generate_key(std::string_view alg, std::string kid) {
  const Algorithm* algorithm = find_algorithm(alg);
  if (!algorithm) return unsupported("keys are generated for RS256, ES256 and ES384 only");
  PkeyPtr key(algorithm->ec ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", algorithm->group)
                            : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  ERR_clear_error();
  if (!key) return Result<Jwk>::failure("exception", "the key could not be generated");
  return Jwk{std::move(kid), std::string(algorithm->name), share(std::move(key)), true};
}

Result<Jwk> jwk_from_pem(std::string_view pem, std::string kid) {
  using R = Result<Jwk>;
  if (pem.size() > kMaxPemBytes) return R::failure("invalid", "the PEM text is larger than 64 KB");
  EVP_PKEY* raw = nullptr;
  DecoderPtr decoder(OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, 0, nullptr, nullptr));
  const unsigned char* data = bytes(pem);
  size_t length = pem.size();
  bool decoded = decoder && OSSL_DECODER_CTX_set_passphrase_cb(decoder.get(), no_passphrase, nullptr) == 1 &&
                 OSSL_DECODER_from_data(decoder.get(), &data, &length) == 1;
  PkeyPtr key(raw);
  ERR_clear_error();
  if (!decoded || !key) return R::failure("invalid", "the text is not a PEM public key or unencrypted private key");
  bool has_private = has_private_part(key.get());
  auto alg = check_key(key.get(), has_private);
  if (!alg) return alg.issues();
  return Jwk{std::move(kid), std::string((*alg)->name), share(std::move(key)), has_private};
}

}  // namespace carebridge::gateway::security
