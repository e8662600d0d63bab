#include "gateway/pipeline/token_authorization.h"

#include <strings.h>

namespace carebridge::gateway::pipeline {

TokenAuthorizer::TokenAuthorizer(security::TokenService& tokens, TokenRules rules, Refusal refusal)
    : tokens_(tokens), rules_(std::move(rules)), refusal_(std::move(refusal)) {
  auto anonymous = std::make_shared<security::Principal>();
  // No client, organization or scopes: sees nothing (and is rate-limited by its address).
  anonymous_ = std::move(anonymous);
}

bool TokenAuthorizer::anonymous_allowed(const Exchange& exchange) const {
  std::string_view path = exchange.path;
  std::string_view route = exchange.route ? std::string_view(exchange.route->name) : std::string_view();
  // The pages sign people in themselves (a session cookie), and the home page and stylesheets are for anyone.
  if (route == "healthz" || route == "readyz" || route == "smart-configuration" || route == "token" ||
      route == "jwks" || route == "web" || route == "stylesheet")
    return true;
  if (route == "metrics") return rules_.metrics_public;
  if (path == rules_.base_path + "/metadata" || path == rules_.base_path + "/.well-known/smart-configuration")
    return true;
  for (const auto& open : rules_.open_paths) {
    if (!open.empty() && open.back() == '*') {
      if (path.substr(0, open.size() - 1) == std::string_view(open).substr(0, open.size() - 1)) return true;
    } else if (path == open) {
      return true;
    }
  }
  return false;
}

// /metrics counts each subscription's events, of every organization, and those withheld
// from it (records its client may not read: a subscription to one patient's HIV results
// counted them) — the operator's, not every client's, unless the config makes it public.
Result<void> TokenAuthorizer::operators_only(const Exchange& exchange) const {
  bool metrics = exchange.route && exchange.route->name == "metrics";
  // The open development server answers anyone: a token does not make it stricter.
  if (!metrics || !rules_.required || rules_.metrics_public || (exchange.principal && exchange.principal->admin)) return {};
  std::string reason = "the metrics are the operator's: an administrator's client reads them";
  if (refusal_) refusal_(exchange, reason);
  return Result<void>::failure("forbidden", reason);
}

Result<void> TokenAuthorizer::authorize(Exchange& exchange) {
  std::string_view header = exchange.request->header("Authorization");
  if (header.size() > 7 && strncasecmp(header.data(), "Bearer ", 7) == 0) {
    auto who = tokens_.authenticate(*exchange.request, header.substr(7));
    if (!who) {
      if (refusal_) refusal_(exchange, who.issues().front().message);
      return Result<void>(who.issues());
    }
    exchange.principal = *who;
    return operators_only(exchange);
  }
  if (!exchange.request->client_certificate.empty()) {  // mutual TLS: a registered client's certificate
    if (auto who = tokens_.authenticate_certificate(exchange.request->client_certificate)) {
      exchange.principal = *who;
      return operators_only(exchange);
    }
  }
  if (!rules_.required) return {};  // the open development server: no caller, everything allowed
  if (anonymous_allowed(exchange)) {
    exchange.principal = anonymous_;  // the FHIR route answers it its CapabilityStatement, nothing else
    return {};
  }  // the open development server: no caller, everything allowed
  std::string reason = header.empty() ? "a bearer token is required (get one at /auth/token)"
                                      : "only bearer tokens are accepted";
  if (refusal_) refusal_(exchange, reason);
  exchange.principal = anonymous_;
  return Result<void>::failure("login", reason);
}

}  // namespace carebridge::gateway::pipeline
