// The authorization stage's decision with tokens (the security issue): a bearer
// token, when presented, must be valid, and establishes the caller (a Principal);
// without one, only the anonymous routes answer when tokens are required (the FHIR
// CapabilityStatement, /healthz, /readyz, the SMART configuration and token
// endpoint, /metrics when the config says so, and the config's open paths). A
// server that does not require tokens lets tokenless requests through as the open
// development server's. /metrics, unless public, is the operator's (an administrator's
// client): it counts every organization's subscriptions and what was withheld from them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/pipeline/stages.h"
#include "gateway/security/token_service.h"

namespace carebridge::gateway::pipeline {

struct TokenRules {
  bool required = true;
  bool metrics_public = false;
  std::vector<std::string> open_paths;  // exact paths, or prefixes ending in '*'
  std::string base_path = "/fhir";
};

class TokenAuthorizer final : public Authorizer {
 public:
  // `refusal` is told of every refused request (for the audit trail); may be null.
  using Refusal = std::function<void(const Exchange& exchange, const std::string& reason)>;
  TokenAuthorizer(security::TokenService& tokens, TokenRules rules, Refusal refusal = nullptr);
  Result<void> authorize(Exchange& exchange) override;
  bool anonymous_allowed(const Exchange& exchange) const;

 private:
  Result<void> operators_only(const Exchange& exchange) const;

  security::TokenService& tokens_;
  TokenRules rules_;
  Refusal refusal_;
  std::shared_ptr<const security::Principal> anonymous_;
};

}  // namespace carebridge::gateway::pipeline
