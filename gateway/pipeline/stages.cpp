// The pipeline's stages (see stages.h).
#include "gateway/pipeline/stages.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace carebridge::gateway::pipeline {
namespace {

std::string_view header_of(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (http::iequals(k, name)) return v;
  }
  return {};
}

// Whether a comma-separated header value lists `token` (case-insensitively, q=0 excluded).
bool lists(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    bool refused = semi != std::string_view::npos && item.substr(semi).find("q=0") != std::string_view::npos &&
                   item.substr(semi).find("q=0.") == std::string_view::npos;
    if (http::iequals(name, token) && !refused) return true;
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
  }
  return false;
}

bool loopback_origin(std::string_view origin) {
  for (std::string_view host : {"http://localhost", "http://127.0.0.1", "http://[::1]", "https://localhost",
                                "https://127.0.0.1", "https://[::1]"}) {
    if (origin == host || (origin.starts_with(host) && origin[host.size()] == ':')) return true;
  }
  return false;
}

}  // namespace

std::optional<http::Response> RequestChecks::before(Exchange& exchange) {
  const auto& request = *exchange.request;
  if (request.version >= 11 && request.header("Host").empty()) {
    return outcome_response(400, "invalid", "an HTTP/1.1 request must have a Host header");
  }
  return std::nullopt;
}

std::optional<http::Response> Authorization::before(Exchange& exchange) {
  auto allowed = authorizer_->authorize(exchange);
  if (allowed) return std::nullopt;
  const auto& issue = allowed.issues().front();
  unsigned status = issue.code == "login" ? 401 : 403;
  auto response = outcome_response(status, issue.code, issue.message);
  if (status == 401) response.set_header("WWW-Authenticate", "Bearer");
  return response;
}

bool Cors::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  for (const auto& a : allowed_) {
    if (a == "*" || a == origin) return true;
  }
  return loopback_origin(origin);
}

std::optional<http::Response> Cors::before(Exchange& exchange) {
  const auto& request = *exchange.request;
  std::string_view method = request.header("Access-Control-Request-Method");
  if (request.method != "OPTIONS" || method.empty()) return std::nullopt;
  http::Response r;
  r.status = 204;
  if (!allows(request.header("Origin"))) return r;  // no CORS headers: the browser refuses
  r.set_header("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  std::string_view wanted = request.header("Access-Control-Request-Headers");
  r.set_header("Access-Control-Allow-Headers",
               wanted.empty() ? "Authorization, Content-Type, Accept, Prefer, If-Match, If-None-Match, If-None-Exist"
                              : std::string(wanted));
  r.set_header("Access-Control-Max-Age", "600");
  return r;
}

void Cors::after(const Exchange& exchange, http::Response& response) {
  std::string_view origin = exchange.request->header("Origin");
  if (!allows(origin)) return;
  response.set_header("Access-Control-Allow-Origin", std::string(origin));
  response.set_header("Access-Control-Expose-Headers", "Location, ETag, Last-Modified, Content-Location");
  response.headers.emplace_back("Vary", "Origin");
}

void Compression::after(const Exchange& exchange, http::Response& response) {
  constexpr size_t kWorthIt = 1024;
  if (response.body.size() < kWorthIt || !header_of(response, "Content-Encoding").empty()) return;
  std::string_view type = header_of(response, "Content-Type");
  bool textual = type.find("json") != std::string_view::npos || type.find("xml") != std::string_view::npos ||
                 type.starts_with("text/");
  if (!textual || !lists(exchange.request->header("Accept-Encoding"), "gzip")) return;
  auto compressed = gzip(response.body);
  if (!compressed) return;
  response.body = std::move(*compressed);
  response.set_header("Content-Encoding", "gzip");
  response.headers.emplace_back("Vary", "Accept-Encoding");
}

std::optional<http::Response> RequestDecompression::before(Exchange& exchange) {
  std::string_view coding = exchange.request->header("Content-Encoding");
  // No body (a GET from a client that names its coding on every request): nothing to inflate.
  if (coding.empty() || http::iequals(coding, "identity") || exchange.request->body.empty()) return std::nullopt;
  if (!http::iequals(coding, "gzip") && !http::iequals(coding, "x-gzip") && !http::iequals(coding, "deflate")) {
    auto refused = outcome_response(415, "not-supported",
                                    "Content-Encoding '" + std::string(coding) + "' is not supported: send gzip, deflate or identity");
    refused.set_header("Accept-Encoding", "gzip, deflate");
    return refused;
  }
  Inflated inflated = inflate_body(exchange.request->body, max_body_bytes_);
  if (inflated.outcome == Inflated::Outcome::kMalformed && http::iequals(coding, "deflate"))
    inflated = inflate_body(exchange.request->body, max_body_bytes_, true);
  if (inflated.outcome == Inflated::Outcome::kTooLarge) {
    return outcome_response(413, "too-long", "the request body inflates to more than the limit of " +
                                                 std::to_string(max_body_bytes_) + " bytes");
  }
  if (inflated.outcome == Inflated::Outcome::kMalformed) {
    return outcome_response(400, "invalid", "the request body is not the " + std::string(coding) + " data its Content-Encoding says");
  }
  // The handler gets the inflated request; the path is re-pointed into its target.
  auto plain = std::make_shared<http::Request>(*exchange.request);
  plain->body = std::move(inflated.data);
  std::erase_if(plain->headers, [](const auto& h) {
    return http::iequals(h.first, "Content-Encoding") || http::iequals(h.first, "Content-Length");
  });
  exchange.path = std::string_view(plain->target).substr(0, exchange.path.size());
  exchange.request = std::move(plain);
  return std::nullopt;
}

Inflated inflate_body(std::string_view data, size_t limit, bool raw) {
  Inflated result;
  z_stream z{};
  // windowBits 15 + 32: the gzip or zlib wrapper, whichever the data has; -15: no wrapper.
  if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK) return result;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  constexpr size_t kStep = 1 << 20;
  int rc = Z_OK;
  while (rc == Z_OK) {
    size_t had = result.data.size();
    if (had > limit) {
      result.outcome = Inflated::Outcome::kTooLarge;
      break;
    }
    size_t step = std::min(kStep, limit + 1 - had);  // room for one byte past the limit: that tells "too large"
    result.data.resize(had + step);
    z.next_out = reinterpret_cast<Bytef*>(result.data.data() + had);
    z.avail_out = static_cast<uInt>(step);
    rc = inflate(&z, Z_NO_FLUSH);
    result.data.resize(had + step - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // the stream ended early
  }
  bool whole = rc == Z_STREAM_END && z.avail_in == 0;  // nothing after the stream
  inflateEnd(&z);
  if (result.outcome == Inflated::Outcome::kTooLarge || (rc == Z_STREAM_END && result.data.size() > limit)) {
    result.outcome = Inflated::Outcome::kTooLarge;
    result.data.clear();
  } else if (whole) {
    result.outcome = Inflated::Outcome::kInflated;
  } else {
    result.data.clear();
  }
  return result;
}

std::optional<std::string> gzip(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper; level 1: fast, most of the gain on FHIR JSON.
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(written);
  return out;
}

}  // namespace carebridge::gateway::pipeline
