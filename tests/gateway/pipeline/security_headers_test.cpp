// Security headers: nosniff and no-referrer on every response, the page policy and
// framing refusal on HTML, HSTS over TLS only, and a handler's own choice kept.
#include <catch2/catch.hpp>

#include "gateway/pipeline/security_headers.h"

using namespace carebridge::gateway;
using namespace carebridge::gateway::pipeline;

namespace {

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (http::iequals(k, name)) return v;
  }
  return {};
}

http::Response after(const std::string& type, bool tls, http::Headers extra = {}) {
  auto request = std::make_shared<http::Request>();
  request->tls = tls;
  Exchange exchange;
  exchange.request = request;
  http::Response response;
  response.headers = std::move(extra);
  if (!type.empty()) response.set_header("Content-Type", type);
  SecurityHeaders().after(exchange, response);
  return response;
}

}  // namespace

TEST_CASE("every response says nosniff and no-referrer, HTML pages get the policy", "[gateway][pipeline][security]") {
  auto json = after("application/fhir+json", false);
  CHECK(header(json, "X-Content-Type-Options") == "nosniff");
  CHECK(header(json, "Referrer-Policy") == "no-referrer");
  CHECK(header(json, "Content-Security-Policy").empty());
  CHECK(header(json, "Strict-Transport-Security").empty());

  auto page = after("Text/HTML; charset=utf-8", false);
  CHECK(header(page, "Content-Security-Policy") ==
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  CHECK(header(page, "X-Frame-Options") == "DENY");
  CHECK(header(page, "X-Content-Type-Options") == "nosniff");

  auto no_type = after("", false);
  CHECK(header(no_type, "X-Content-Type-Options") == "nosniff");
}

TEST_CASE("HSTS over TLS only, a handler's own header is kept", "[gateway][pipeline][security]") {
  CHECK(header(after("application/fhir+json", true), "Strict-Transport-Security") == "max-age=31536000");
  auto own = after("text/html", true, {{"Content-Security-Policy", "default-src 'none'"}});
  CHECK(header(own, "Content-Security-Policy") == "default-src 'none'");
  size_t policies = 0;
  for (const auto& h : own.headers) policies += http::iequals(h.first, "Content-Security-Policy");
  CHECK(policies == 1);
}
