// JOSE (see jose.h): base64url, decoding a compact JWS into its header and claims, and
// checking the claims. Decoding trusts nothing: sizes are bounded, both parts must be JSON
// objects without repeated members, and the header must name a supported algorithm.
#include "gateway/security/jose.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "fhir/io/base64.h"
#include "fhir/time/fhir_time.h"
#include "gateway/security/jose_openssl.h"

namespace carebridge::gateway::security {
namespace {

using jose_detail::quoted;
using jose_detail::read_string;

constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr int64_t kLatestTime = 253402300799;  // 9999-12-31T23:59:59Z

// The value of a base64url character, or -1.
int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Issue invalid(std::string message) { return Issue{Severity::Error, "invalid", std::move(message), {}, {}}; }
Issue security(std::string message) { return Issue{Severity::Error, "security", std::move(message), {}, {}}; }

// An instant in seconds as "2026-11-28T10:00:00Z".
std::string instant(int64_t seconds) {
  std::string text = fhir::time::format_instant(seconds * 1000);
  if (auto dot = text.find(".000Z"); dot != std::string::npos) text.replace(dot, 5, "Z");
  return text;
}

bool has_repeated_member(const rapidjson::Value& object) {
  std::vector<std::string_view> names;
  names.reserve(object.MemberCount());
  for (const auto& m : object.GetObject()) names.emplace_back(m.name.GetString(), m.name.GetStringLength());
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) != names.end();
}

std::string_view text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

Result<void> read_header(const rapidjson::Value& header, Jwt& jwt) {
  auto alg = header.FindMember("alg");
  if (alg == header.MemberEnd() || !alg->value.IsString()) return invalid("the token's header has no algorithm (alg)");
  jwt.alg.assign(text_of(alg->value));
  if (jwt.alg == "none") return security("unsigned tokens (alg none) are not accepted");
  if (!jose_detail::find_algorithm(jwt.alg)) {
    return Issue{Severity::Error, "not-supported",
                 "the signing algorithm " + quoted(jwt.alg) + " is not supported (RS256, ES256 and ES384 are)", {}, {}};
  }
  if (!read_string(header, "kid", jwt.kid)) return invalid("the token's key id (kid) is not a string");
  if (!read_string(header, "typ", jwt.typ)) return invalid("the token's type (typ) is not a string");
  // Keys named inside the token (jwk, jku, x5u, x5c) are ignored: only registered keys verify.
  auto crit = header.FindMember("crit");
  if (crit != header.MemberEnd() && !(crit->value.IsArray() && crit->value.Empty())) {
    return security("the token requires header extensions (crit) that the gateway does not support");
  }
  return {};
}

// A NumericDate claim: a number of seconds (decimals truncated) between 1970 and 9999.
Result<int64_t> read_time(const rapidjson::Value& value, const char* name) {
  if (!value.IsNumber()) return invalid(std::string("the ") + name + " claim is not a number");
  double seconds = value.IsInt64() ? static_cast<double>(value.GetInt64()) : value.GetDouble();
  if (!(seconds >= 0 && seconds <= static_cast<double>(kLatestTime))) {
    return invalid(std::string("the ") + name + " claim is not a time between 1970 and 9999");
  }
  return static_cast<int64_t>(std::trunc(seconds));
}

Result<void> read_audience(const rapidjson::Value& value, std::vector<std::string>& aud) {
  if (value.IsString()) {
    aud.emplace_back(text_of(value));
    return {};
  }
  bool strings = value.IsArray();
  if (strings) {
    for (const auto& item : value.GetArray()) strings = strings && item.IsString();
  }
  if (!strings) return invalid("the aud claim is not a string or an array of strings");
  for (const auto& item : value.GetArray()) aud.emplace_back(text_of(item));
  return {};
}

Result<void> read_claims(const rapidjson::Value& payload, Jwt& jwt) {
  Claims& c = jwt.claims;
  for (auto [name, out] : {std::pair{"iss", &c.iss}, std::pair{"sub", &c.sub}, std::pair{"jti", &c.jti},
                           std::pair{"scope", &c.scope}}) {
    if (!read_string(payload, name, *out)) return invalid(std::string("the ") + name + " claim is not a string");
  }
  if (auto aud = payload.FindMember("aud"); aud != payload.MemberEnd()) {
    if (auto r = read_audience(aud->value, c.aud); !r) return r;
  }
  for (auto [name, out] : {std::pair{"exp", &c.exp}, std::pair{"nbf", &c.nbf}, std::pair{"iat", &c.iat}}) {
    auto it = payload.FindMember(name);
    if (it == payload.MemberEnd()) continue;
    auto time = read_time(it->value, name);
    if (!time) return time.issues();
    *out = *time;
  }
  for (const auto& m : payload.GetObject()) {
    if (m.value.IsString()) jwt.strings.emplace(text_of(m.name), text_of(m.value));
  }
  return {};
}

// Decodes one JSON object part of the token ("header" or "claims") into `doc`.
Result<void> decode_part(std::string_view part, const char* what, std::string& json, rapidjson::Document& doc) {
  auto bytes = base64url_decode(part);
  if (!bytes) return invalid(std::string("the token's ") + what + " is not base64url");
  json = std::move(*bytes);
  if (!jose_detail::parse_object(json, doc)) {
    return invalid(std::string("the token's ") + what + " is not a JSON object");
  }
  if (has_repeated_member(doc)) return invalid(std::string("the token's ") + what + " repeats a member");
  return {};
}

}  // namespace

namespace jose_detail {

bool parse_object(std::string_view text, rapidjson::Document& doc) {
  constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  doc.Parse<kFlags>(text.data(), text.size());
  return !doc.HasParseError() && doc.IsObject();
}

bool read_string(const rapidjson::Value& object, const char* name, std::string& out) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return true;
  if (!it->value.IsString()) return false;
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return true;
}

std::string quoted(std::string_view value) {
  bool plain = !value.empty() && value.size() <= 32 && std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '+';
  });
  return plain ? "'" + std::string(value) + "'" : "(unreadable)";
}

}  // namespace jose_detail

std::string base64url_encode(std::string_view bytes) {
  std::string text = fhir::io::base64_encode(std::string(bytes), true);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return base64url_value(c) >= 0; })) return std::nullopt;
  // The last character's unused low bits must be zero: one text per byte string.
  int last = text.empty() ? 0 : base64url_value(text.back());
  if ((text.size() % 4 == 2 && (last & 0x0F) != 0) || (text.size() % 4 == 3 && (last & 0x03) != 0)) return std::nullopt;
  return fhir::io::base64_decode(std::string(text));
}

Result<Jwt> decode_jwt(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return invalid("the token is longer than 16 KB");
  auto dots = std::count(token.begin(), token.end(), '.');
  if (dots == 4) return invalid("encrypted tokens (JWE) are not accepted; the token must be a signed JWT");
  if (dots != 2) return invalid("the token is not a compact JWS (three base64url parts separated by dots)");
  size_t first = token.find('.'), second = token.find('.', first + 1);
  Jwt jwt;
  rapidjson::Document header, payload;
  if (auto r = decode_part(token.substr(0, first), "header", jwt.header_json, header); !r) return r.issues();
  if (auto r = read_header(header, jwt); !r) return r.issues();
  if (auto r = decode_part(token.substr(first + 1, second - first - 1), "claims", jwt.payload_json, payload); !r) {
    return r.issues();
  }
  if (auto r = read_claims(payload, jwt); !r) return r.issues();
  auto signature = base64url_decode(token.substr(second + 1));
  if (!signature) return invalid("the token's signature is not base64url");
  if (signature->empty()) return security("the token has no signature");
  jwt.signature = std::move(*signature);
  jwt.signing_input.assign(token.substr(0, second));
  return jwt;
}

std::optional<std::string> string_claim(const Jwt& jwt, std::string_view name) {
  auto it = jwt.strings.find(name);
  if (it == jwt.strings.end()) return std::nullopt;
  return it->second;
}

namespace {

Result<void> check_times(const Claims& c, const ClaimRules& rules) {
  if (!c.exp && (rules.require_exp || rules.max_lifetime_s > 0)) return security("the token has no expiry time (exp)");
  if (c.exp && *c.exp < rules.now_s - rules.skew_s) {
    return Issue{Severity::Error, "expired", "the token expired at " + instant(*c.exp), {}, {}};
  }
  if (c.nbf && *c.nbf > rules.now_s + rules.skew_s) return security("the token is not valid before " + instant(*c.nbf));
  if (c.iat && *c.iat > rules.now_s + rules.skew_s) {
    return security("the token was issued in the future, at " + instant(*c.iat));
  }
  if (rules.max_lifetime_s > 0 && *c.exp - rules.now_s > rules.max_lifetime_s + rules.skew_s) {
    return security("the token is valid for more than " + std::to_string(rules.max_lifetime_s) + " seconds from now");
  }
  return {};
}

}  // namespace

Result<void> check_claims(const Jwt& jwt, const ClaimRules& rules) {
  const Claims& c = jwt.claims;
  if (auto r = check_times(c, rules); !r) return r;
  if (!rules.issuer.empty() && c.iss != rules.issuer) return security("the token was not issued by " + rules.issuer);
  if (!rules.audiences.empty()) {
    bool ours = std::any_of(c.aud.begin(), c.aud.end(), [&](const std::string& a) {
      return std::find(rules.audiences.begin(), rules.audiences.end(), a) != rules.audiences.end();
    });
    if (!ours) return security("the token is for another audience");
  }
  if (rules.require_jti && c.jti.empty()) return security("the token has no identifier (jti)");
  return {};
}

}  // namespace carebridge::gateway::security
