// Fuzzes what the server does with the bytes a client sends before any FHIR
// handler runs: the HTTP/1.1 parser with the server's limits (pipelined requests
// one after another, gateway/http/request_reader.h), then for each request the
// route table, the REST layer's target and query parsing, content negotiation,
// the body format, Prefer, HTTP dates, and the request log's masked target.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/http/request_reader.h"
#include "gateway/pipeline/observers.h"
#include "gateway/pipeline/routes.h"
#include "gateway/rest/negotiation.h"

namespace {

using namespace carebridge::gateway;

// The routes `carebridge serve` answers (app/serve_command.cpp), without handlers.
pipeline::RouteTable serve_routes() {
  pipeline::RouteTable table;
  table.add({"fhir", "/fhir", true, nullptr, nullptr});
  for (const char* path : {"/", "/healthz", "/readyz", "/metrics", "/upload", "/subscriptions", "/auth/token"})
    table.add({path, path, false, nullptr, nullptr});
  table.add({"ingest", "/ingest/{mapping}", false, nullptr, nullptr});
  return table;
}

void exercise(const http::Request& request, const pipeline::RouteTable& routes) {
  auto target = rest::parse_target(request.target);
  pipeline::RouteParams route_params;
  (void)routes.match(std::string_view(request.target).substr(0, request.target.find('?')), route_params);
  // A POST search carries its parameters as a form body (gateway/rest/service.cpp).
  if (request.header("Content-Type").starts_with("application/x-www-form-urlencoded")) {
    auto form = rest::parse_query(request.body);
    target.params.insert(target.params.end(), form.begin(), form.end());
  }
  (void)rest::negotiate(request, target.params);
  (void)rest::body_format(request);
  (void)rest::parse_prefer(request.header("Prefer"));
  (void)http::parse_http_date(request.header("If-Modified-Since"));
  (void)rest::url_encode(target.path);
  (void)pipeline::redacted_target(request.target);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const pipeline::RouteTable routes = serve_routes();
  static const config::Limits limits;  // the server's defaults
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto read = http::read_requests(bytes, limits);
  for (const auto& request : read.requests) exercise(request, routes);
  return 0;
}
