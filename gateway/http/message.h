// The HTTP request and response as the REST layer sees them: plain values with no
// Boost.Beast types, so handlers compile fast and can be tested without sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carebridge::gateway::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as received: "/fhir/Patient?name=x"
  Headers headers;     // names as received
  std::string body;
  std::string remote;  // peer address, for the request log
  bool tls = false;    // arrived over TLS (links use https)
  unsigned version = 11;  // HTTP version, 10 or 11
  // The SHA-256 (lowercase hex) of the client certificate the TLS handshake verified; empty: none.
  std::string client_certificate = {};

  // The first header with this name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

// The address of a request's remote "host:port" ("::1" of "::1:5000"), without allocating.
std::string_view remote_host(std::string_view remote);

struct Response {
  unsigned status = 200;
  Headers headers;
  std::string body;

  void set_header(std::string name, std::string value);
};

// How a handler answers. `reply` is called exactly once, from any thread, maybe
// after the handler returned; the function it is given runs on the connection's
// I/O thread and makes the response (it should be quick: rendering, not waiting).
// `defer` runs work on the worker pool, where it may block.
struct Responder {
  std::function<void(std::function<Response()> make)> reply;
  std::function<void(std::function<void()> work)> defer;
};

// Answers one request. Runs on the connection's I/O thread, so it must not block:
// work that may (the store's commits, searches, large validations) goes to the
// worker pool through responder.defer. It must not throw for anything a client sends.
using Handler = std::function<void(std::shared_ptr<const Request> request, Responder responder)>;

// A Handler from a function that answers at once, on the I/O thread.
Handler answer_at_once(std::function<Response(const Request&)> answer);

// The reason phrase of a status code ("Not Found"; RFC 9110's names), empty when unknown.
const char* reason_phrase(unsigned status);

// The response as HTTP/1.1 bytes: status line, the response's headers (CR and LF
// in values dropped), Date, Server, Content-Length (not for 1xx, 204 and 304),
// "Connection: close" when the connection ends after it, then the body unless the
// request was HEAD.
std::string serialize(const Response& response, bool keep_alive, bool head);

// An HTTP date (RFC 9110 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime
// forms) in milliseconds since the epoch; nullopt when it is none of them.
std::optional<int64_t> parse_http_date(std::string_view text);

// Case-insensitive ASCII comparison of header names and tokens.
bool iequals(std::string_view a, std::string_view b);

}  // namespace carebridge::gateway::http
