// Bearer tokens on requests: the gateway's own (signed with its key, about a
// registered client that is still active) and those of configured external issuers.
#include <functional>

#include "fhir/time/fhir_time.h"
#include "gateway/security/scopes.h"
#include "gateway/security/token_service.h"

namespace carebridge::gateway::security {
namespace {

constexpr int64_t kRememberMs = 5000;
constexpr size_t kRememberedPerShard = 4096;

using Answer = Result<std::shared_ptr<const Principal>>;

Answer refused(std::string message) { return Answer::failure("login", std::move(message)); }

ClaimRules rules_for(std::vector<std::string> audiences, const config::Auth& auth) {
  ClaimRules rules;
  rules.audiences = std::move(audiences);
  rules.now_s = fhir::time::now_ms() / 1000;
  rules.skew_s = auth.clock_skew_s;
  return rules;
}

}  // namespace

Answer TokenService::authenticate(const http::Request& request, std::string_view token) {
  std::string key = issuer_for(request);
  key += ' ';
  key += token;
  return remembered(key, [&] { return verify(request, token); });
}

Answer TokenService::authenticate_certificate(std::string_view sha256) {
  return remembered("certificate " + std::string(sha256), [&]() -> Answer {
    auto client = clients_.by_certificate(sha256);
    if (!client) return refused("the TLS client certificate is not a registered client's");
    auto scopes = parse_scopes(client->scopes);
    if (!scopes) return refused("the client's scopes cannot be read");
    return client_principal(*client, std::move(*scopes), fhir::time::now_ms() + kRememberMs);
  });
}

Answer TokenService::authenticate_client(std::string_view client_id) {
  return remembered("client " + std::string(client_id), [&]() -> Answer {
    auto client = clients_.active(client_id);
    if (!client) return refused("'" + std::string(client_id) + "' is not an active registered client");
    auto scopes = parse_scopes(client->scopes);
    if (!scopes) return refused("the client's scopes cannot be read");
    return client_principal(*client, std::move(*scopes), fhir::time::now_ms() + kRememberMs);
  });
}

std::shared_ptr<const Principal> TokenService::client_principal(const Client& client, std::vector<Scope> scopes,
                                                                int64_t expires_ms) const {
  auto principal = std::make_shared<Principal>();
  principal->client_id = client.id;
  principal->organization = client.organization;
  principal->scopes = std::move(scopes);
  principal->patient = client.patient;
  principal->admin = client.admin;
  principal->expires_ms = expires_ms;
  return principal;
}

Answer TokenService::remembered(const std::string& key, const std::function<Answer()>& verify) {
  auto& shard = remembered_[std::hash<std::string>{}(key) % remembered_.size()];
  int64_t now = fhir::time::now_ms();
  {
    std::shared_lock lock(shard.mutex);
    auto it = shard.tokens.find(key);
    if (it != shard.tokens.end() && it->second.until_ms > now) return it->second.principal;
  }
  auto principal = verify();
  if (!principal) return principal;
  std::unique_lock lock(shard.mutex);
  if (shard.tokens.size() >= kRememberedPerShard) shard.tokens.clear();
  shard.tokens[key] = Remembered{*principal, std::min((*principal)->expires_ms, now + kRememberMs)};
  return principal;
}

Answer TokenService::verify(const http::Request& request, std::string_view token) {
  auto jwt = decode_jwt(token);
  if (!jwt) return refused("the bearer token: " + jwt.issues().front().message);
  bool own = !key_.kid.empty() && jwt->kid == key_.kid;
  if (own) {
    if (auto ok = verify_signature(*jwt, {key_}); !ok) return refused("the bearer token: " + ok.issues().front().message);
    auto rules = rules_for({issuer_for(request) + options_.base_path}, options_.auth);
    if (auto ok = check_claims(*jwt, rules); !ok) return refused("the bearer token: " + ok.issues().front().message);
    return own_principal(*jwt);
  }
  for (const auto& issuer : external_) {
    if (issuer.config.issuer != jwt->claims.iss) continue;
    if (auto ok = verify_signature(*jwt, issuer.keys); !ok)
      return refused("the bearer token: " + ok.issues().front().message);
    auto audiences = issuer.config.audiences;
    if (audiences.empty()) audiences.push_back(issuer_for(request) + options_.base_path);
    auto rules = rules_for(std::move(audiences), options_.auth);
    rules.issuer = issuer.config.issuer;
    if (auto ok = check_claims(*jwt, rules); !ok) return refused("the bearer token: " + ok.issues().front().message);
    return external_principal(*jwt, issuer);
  }
  return refused("the bearer token was not issued by this gateway or an issuer it trusts");
}

Answer TokenService::own_principal(const Jwt& jwt) {
  auto client = clients_.active(jwt.claims.sub);
  if (!client) return refused("the bearer token's client is revoked or unknown");
  auto scopes = parse_scopes(jwt.claims.scope);
  auto allowed = parse_scopes(client->scopes);
  if (!scopes || !allowed) return refused("the bearer token's scopes cannot be read");
  return client_principal(*client, narrow_scopes(*scopes, *allowed), jwt.claims.exp.value_or(0) * 1000);
}

Answer TokenService::external_principal(const Jwt& jwt, const External& issuer) {
  auto scopes = parse_scopes(jwt.claims.scope);
  if (!scopes) return refused("the bearer token's scopes: " + scopes.issues().front().message);
  auto principal = std::make_shared<Principal>();
  principal->client_id = string_claim(jwt, "client_id").value_or(jwt.claims.sub);
  principal->organization = string_claim(jwt, issuer.config.organization_claim).value_or("");
  principal->scopes = std::move(*scopes);
  principal->patient = string_claim(jwt, "patient").value_or("");
  principal->expires_ms = jwt.claims.exp.value_or(0) * 1000;
  return std::shared_ptr<const Principal>(std::move(principal));
}

}  // namespace carebridge::gateway::security
