#include "gateway/security/token_service.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "fhir/time/fhir_time.h"
#include "gateway/rest/negotiation.h"
#include "gateway/security/scopes.h"

namespace carebridge::gateway::security {
namespace {

constexpr const char* kAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr int64_t kRememberMs = 5000;  // a verified token is trusted this long before it is checked again

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string json_object(const std::function<void(JsonWriter&)>& members) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  members(w);
  w.EndObject();
  return buffer.GetString();
}

void member(JsonWriter& w, const char* name, std::string_view value) {
  w.Key(name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

http::Response json_response(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.set_header("Content-Type", "application/json");
  r.set_header("Cache-Control", "no-store");
  r.set_header("Pragma", "no-cache");
  return r;
}

// An RFC 6749 5.2 error; invalid_client is 401.
http::Response oauth_error(std::string_view error, std::string_view description) {
  auto body = json_object([&](JsonWriter& w) {
    member(w, "error", error);
    member(w, "error_description", description);
  });
  return json_response(error == "invalid_client" ? 401 : 400, std::move(body));
}

std::string random_id() {
  std::random_device device;
  std::array<unsigned char, 16> bytes;
  for (auto& b : bytes) b = static_cast<unsigned char>(device());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

Result<Jwk> load_or_create_signing_key(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    auto keys = parse_jwks(text.str());
    if (!keys || !keys->front().has_private)
      return Result<Jwk>::failure("exception", file.string() + " does not hold the gateway's private signing key");
    return keys->front();
  }
  auto key = generate_key("ES256", random_id().substr(0, 12));
  if (!key) return key;
  std::filesystem::create_directories(file.parent_path());
  std::string temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    ::chmod(temporary.c_str(), 0600);
    out << private_jwk_json(*key);
    if (!out) return Result<Jwk>::failure("exception", "cannot write " + temporary);
  }
  std::filesystem::rename(temporary, file);
  return key;
}

TokenService::TokenService(ClientRegistry& clients, Jwk signing_key, TokenServiceOptions options)
    : clients_(clients), key_(std::move(signing_key)), options_(std::move(options)) {
  for (const auto& issuer : options_.auth.issuers) {
    std::ifstream in(issuer.jwks_file);
    std::stringstream text;
    text << in.rdbuf();
    auto keys = parse_jwks(text.str());
    if (!keys) throw std::runtime_error("the keys of issuer " + issuer.issuer + " (" + issuer.jwks_file + "): " +
                                        keys.issues().front().message);
    external_.push_back(External{issuer, std::move(*keys)});
  }
}

std::string TokenService::issuer_for(const http::Request& request) const {
  if (!options_.auth.issuer.empty()) return options_.auth.issuer;
  std::string host(request.header("Host"));
  return std::string(request.tls ? "https://" : "http://") + (host.empty() ? "localhost" : host);
}

http::Response TokenService::smart_configuration(const http::Request& request) const {
  std::string issuer = issuer_for(request);
  auto body = json_object([&](JsonWriter& w) {
    member(w, "issuer", issuer);
    member(w, "jwks_uri", issuer + "/auth/jwks");
    member(w, "token_endpoint", issuer + "/auth/token");
    auto list = [&](const char* name, std::initializer_list<const char*> values) {
      w.Key(name);
      w.StartArray();
      for (const char* v : values) w.String(v);
      w.EndArray();
    };
    list("token_endpoint_auth_methods_supported", {"private_key_jwt"});
    list("token_endpoint_auth_signing_alg_values_supported", {"RS256", "ES256", "ES384"});
    list("grant_types_supported", {"client_credentials"});
    list("scopes_supported", {"system/*.rs", "system/*.cruds", "patient/*.rs", "system/*.read", "system/*.*"});
    list("capabilities", {"client-confidential-asymmetric", "permission-v1", "permission-v2"});
  });
  auto response = json_response(200, std::move(body));
  response.set_header("Cache-Control", "max-age=300");
  return response;
}

http::Response TokenService::jwks() const { return json_response(200, public_jwks_json({key_})); }

Result<Client> TokenService::check_assertion(const http::Request& request, std::string_view assertion) {
  auto jwt = decode_jwt(assertion);
  if (!jwt) return Result<Client>::failure("invalid_client", "the client assertion: " + jwt.issues().front().message);
  const auto& c = jwt->claims;
  if (c.iss.empty() || c.iss != c.sub)
    return Result<Client>::failure("invalid_client", "the client assertion's iss and sub must both be the client id");
  auto client = clients_.active(c.iss);
  if (!client) return Result<Client>::failure("invalid_client", "no active client is registered with that id");
  if (auto signed_ok = verify_signature(*jwt, clients_.keys(*client)); !signed_ok)
    return Result<Client>::failure("invalid_client", "the client assertion: " + signed_ok.issues().front().message);
  ClaimRules rules;
  rules.audiences = {issuer_for(request) + "/auth/token"};
  rules.now_s = fhir::time::now_ms() / 1000;
  rules.skew_s = options_.auth.clock_skew_s;
  rules.max_lifetime_s = 300;
  rules.require_jti = true;
  if (auto valid = check_claims(*jwt, rules); !valid)
    return Result<Client>::failure("invalid_client", "the client assertion: " + valid.issues().front().message);
  int64_t expires_ms = (*c.exp + options_.auth.clock_skew_s) * 1000;
  if (auto fresh = clients_.remember_assertion(client->id, c.jti, expires_ms, fhir::time::now_ms()); !fresh)
    return Result<Client>::failure("invalid_client", fresh.issues().front().message);
  return *client;
}

http::Response TokenService::token(const http::Request& request) {
  if (request.method != "POST") return oauth_error("invalid_request", "the token endpoint takes POST");
  auto form = rest::parse_query(request.body);
  if (rest::param(form, "grant_type") != "client_credentials")
    return oauth_error("unsupported_grant_type", "only the client_credentials grant is supported");
  if (rest::param(form, "client_assertion_type") != kAssertionType)
    return oauth_error("invalid_request", std::string("client_assertion_type must be ") + kAssertionType);
  auto client = check_assertion(request, rest::param(form, "client_assertion"));
  if (!client) return oauth_error(client.issues().front().code, client.issues().front().message);
  auto requested = parse_scopes(rest::param(form, "scope"));
  if (!requested) return oauth_error("invalid_scope", requested.issues().front().message);
  auto allowed = parse_scopes(client->scopes);
  auto granted = narrow_scopes(*requested, allowed ? *allowed : std::vector<Scope>{});
  if (granted.empty()) return oauth_error("invalid_scope", "none of the requested scopes is granted to this client");
  auto token = issue(*client, granted, issuer_for(request) + options_.base_path);
  if (!token) return oauth_error("server_error", token.issues().front().message);
  auto body = json_object([&](JsonWriter& w) {
    member(w, "access_token", *token);
    member(w, "token_type", "bearer");
    w.Key("expires_in");
    w.Uint(options_.auth.token_lifetime_s);
    member(w, "scope", to_string(granted));
  });
  return json_response(200, std::move(body));
}

Result<std::string> TokenService::issue(const Client& client, const std::vector<Scope>& scopes,
                                        std::string_view audience) {
  int64_t now = fhir::time::now_ms() / 1000;
  std::string issuer(audience.substr(0, audience.size() - std::min(audience.size(), options_.base_path.size())));
  auto payload = json_object([&](JsonWriter& w) {
    member(w, "iss", issuer);
    member(w, "sub", client.id);
    member(w, "aud", audience);
    w.Key("iat");
    w.Int64(now);
    w.Key("exp");
    w.Int64(now + options_.auth.token_lifetime_s);
    member(w, "jti", random_id());
    member(w, "scope", to_string(scopes));
    member(w, "client_id", client.id);
  });
  return sign_jwt(key_, payload, "at+jwt");
}

}  // namespace carebridge::gateway::security
