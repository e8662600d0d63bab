// Handlers of the routes beside the FHIR API (see system_routes.h).
#include "gateway/pipeline/system_routes.h"

#include "gateway/pipeline/pipeline.h"

namespace carebridge::gateway::pipeline {
namespace {

http::Response text(unsigned status, std::string body, const char* type = "text/plain; charset=utf-8") {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.set_header("Content-Type", type);
  return r;
}

// A handler for GET and HEAD only (405 with Allow for anything else), answered at once.
http::Handler get_only(std::function<http::Response()> answer) {
  return http::answer_at_once([answer = std::move(answer)](const http::Request& request) {
    if (request.method == "GET" || request.method == "HEAD") return answer();
    auto r = outcome_response(405, "not-supported", request.method + " is not allowed here");
    r.set_header("Allow", "GET, HEAD");
    return r;
  });
}

std::string page(const std::string& fhir_base) {
  return R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Carebridge</title>
<link rel="stylesheet" href="/carebridge.css"></head>
<body><h1>Carebridge</h1>
<p>A gateway that connects the organizations caring for the same people: hospitals send FHIR
and HL7 v2, community agencies send what they have, and each provider receives what the
patient's consent allows.</p>
<ul>
<li><a href=")" + fhir_base + R"(/metadata">The FHIR API</a> (FHIR R4, <code>)" + fhir_base + R"(</code>): what this server supports</li>
<li><a href="/healthz">Health</a> and <a href="/readyz">readiness</a></li>
<li><a href="/metrics">Metrics</a> (Prometheus)</li>
</ul>
<p>Pages for uploads, forms and referrals come in later versions.</p>
</body></html>
)";
}

constexpr const char* kStylesheet =
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
    "color:#1f2933}\n"
    "h1{font-size:1.6rem}a{color:#0b5cad}li{margin:.3rem 0}\n";

}  // namespace

Route stylesheet_route() {
  return {"stylesheet", "/carebridge.css", false, get_only([] {
            auto r = text(200, kStylesheet, "text/css; charset=utf-8");
            r.set_header("Cache-Control", "public, max-age=3600");
            return r;
          }),
          nullptr};
}

Route home_route(const std::string& fhir_base) {
  std::string body = page(fhir_base);
  return {"home", "/", false, get_only([body] { return text(200, body, "text/html; charset=utf-8"); }), nullptr};
}

Route healthz_route() {
  return {"healthz", "/healthz", false, get_only([] { return text(200, "ok\n"); }), nullptr};
}

Route readyz_route(store::Store& store) {
  return {"readyz", "/readyz", false,
          get_only([&store] { return store.ready() ? text(200, "ok\n") : text(503, "the store does not answer\n"); }),
          nullptr};
}

Route metrics_route(const http::Metrics& metrics) {
  return {"metrics", "/metrics", false,
          get_only([&metrics] { return text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8"); }),
          nullptr};
}

std::vector<Route> routes_to_come() {
  return {{"ingest", "/ingest/{mapping}", false, nullptr, nullptr}};
}

}  // namespace carebridge::gateway::pipeline
