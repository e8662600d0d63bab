// Response headers that tell browsers to handle what the gateway sends safely:
// never guess a type other than the declared one (X-Content-Type-Options), send no
// Referer from its pages, and for HTML pages a Content-Security-Policy that loads
// nothing from elsewhere, runs no inline script or style and forbids framing
// (X-Frame-Options for older browsers). Over TLS, Strict-Transport-Security keeps
// browsers on HTTPS. Headers a handler already set are kept.
#pragma once

#include "gateway/pipeline/pipeline.h"

namespace carebridge::gateway::pipeline {

inline constexpr const char* kPageContentSecurityPolicy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

class SecurityHeaders final : public Stage {
 public:
  void after(const Exchange& exchange, http::Response& response) override;
};

// Adds the headers to a response (`tls`: it goes over TLS); also for the answers
// the HTTP server makes itself, outside the pipeline.
void add_security_headers(http::Response& response, bool tls);

}  // namespace carebridge::gateway::pipeline
