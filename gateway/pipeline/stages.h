// The stages every request passes, in the order the server wires them: request
// checks (what HTTP/1.1 requires), CORS (browser apps: preflight and headers),
// authorization (who may do what: today everyone everything; the security issue
// brings tokens, scopes and consent to this seat), request bodies inflated, and
// compression on the way back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fhir/model/result.h"
#include "gateway/pipeline/pipeline.h"

namespace carebridge::gateway::pipeline {

// HTTP/1.1 requests must name their Host (RFC 9112 3.2): 400 otherwise.
class RequestChecks final : public Stage {
 public:
  std::optional<http::Response> before(Exchange& exchange) override;
};

// Decides whether the caller may make a request: a failure with a 401 or 403 code
// ("login", "forbidden") refuses it with that OperationOutcome.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Result<void> authorize(Exchange& exchange) = 0;
};

// Lets every request through: the open development server of today.
class AllowAll final : public Authorizer {
 public:
  Result<void> authorize(Exchange&) override { return {}; }
};

class Authorization final : public Stage {
 public:
  explicit Authorization(std::shared_ptr<Authorizer> authorizer) : authorizer_(std::move(authorizer)) {}
  std::optional<http::Response> before(Exchange& exchange) override;

 private:
  std::shared_ptr<Authorizer> authorizer_;
};

// Cross-origin requests from browser apps (the Fetch standard's CORS protocol):
// preflight OPTIONS answered, the allowed origin echoed on responses. Origins on
// loopback (http://localhost, http://127.0.0.1, http://[::1], any port) and the
// configured ones are allowed; "*" allows any.
class Cors final : public Stage {
 public:
  explicit Cors(std::vector<std::string> allowed_origins) : allowed_(std::move(allowed_origins)) {}
  std::optional<http::Response> before(Exchange& exchange) override;
  void after(const Exchange& exchange, http::Response& response) override;
  bool allows(std::string_view origin) const;

 private:
  std::vector<std::string> allowed_;
};

// gzip for clients that accept it, on textual responses worth compressing.
class Compression final : public Stage {
 public:
  void after(const Exchange& exchange, http::Response& response) override;
};

// Request bodies sent compressed (Content-Encoding: gzip, x-gzip or deflate), as HAPI's
// client and interface engines send large Bundles, are inflated before the handler sees
// them, up to `max_body_bytes` inflated (413 beyond: a small body may inflate a
// thousandfold); a body that does not inflate is 400, another coding 415 (RFC 9110 8.4.1).
class RequestDecompression final : public Stage {
 public:
  explicit RequestDecompression(size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}
  std::optional<http::Response> before(Exchange& exchange) override;

 private:
  size_t max_body_bytes_;
};

// The response body compressed with gzip (RFC 1952), or nullopt on failure.
std::optional<std::string> gzip(std::string_view data);

// What inflating a gzip or zlib stream gave: the data, or that it was too large or malformed.
struct Inflated {
  enum class Outcome { kInflated, kTooLarge, kMalformed } outcome = Outcome::kMalformed;
  std::string data;
};
// Inflates gzip (RFC 1952) or zlib (RFC 1950, HTTP's "deflate") data, at most `limit` bytes.
// `raw`: DEFLATE with no wrapper, as some clients send "deflate" (RFC 9110 names the zlib
// format; browsers and most servers take both).
Inflated inflate_body(std::string_view data, size_t limit, bool raw = false);

}  // namespace carebridge::gateway::pipeline
