// Security headers on every response, the page policy on HTML (see security_headers.h).
#include "gateway/pipeline/security_headers.h"

namespace carebridge::gateway::pipeline {
namespace {

bool has_header(const http::Response& response, std::string_view name) {
  for (const auto& header : response.headers) {
    if (http::iequals(header.first, name)) return true;
  }
  return false;
}

void add_if_absent(http::Response& response, const char* name, const char* value) {
  if (!has_header(response, name)) response.headers.emplace_back(name, value);
}

bool is_html(const http::Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (http::iequals(name, "Content-Type")) return http::iequals(std::string_view(value).substr(0, 9), "text/html");
  }
  return false;
}

}  // namespace

void add_security_headers(http::Response& response, bool tls) {
  add_if_absent(response, "X-Content-Type-Options", "nosniff");
  add_if_absent(response, "Referrer-Policy", "no-referrer");
  if (is_html(response)) {
    add_if_absent(response, "Content-Security-Policy", kPageContentSecurityPolicy);
    add_if_absent(response, "X-Frame-Options", "DENY");
  }
  // One year; not includeSubDomains, which would decide for hosts the gateway does not serve.
  if (tls) add_if_absent(response, "Strict-Transport-Security", "max-age=31536000");
}

void SecurityHeaders::after(const Exchange& exchange, http::Response& response) {
  add_security_headers(response, exchange.request->tls);
}

}  // namespace carebridge::gateway::pipeline
