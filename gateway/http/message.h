// The HTTP request and response as the REST layer sees them: plain values with no
// Boost.Beast types, so handlers compile fast and can be tested without sockets.
#pragma once

#include <cstdint>
#include <functional>
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

  // The first header with this name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  Headers headers;
  std::string body;

  void set_header(std::string name, std::string value);
};

// Answers one request. Runs on a worker thread (never on the I/O threads) and may
// block on the store; it must not throw for anything a client sends.
using Handler = std::function<Response(const Request&)>;

// The response as HTTP/1.1 bytes: status line, the response's headers (CR and LF
// in values dropped), Date, Server, Content-Length (not for 1xx, 204 and 304),
// "Connection: close" when the connection ends after it, then the body unless the
// request was HEAD.
std::string serialize(const Response& response, bool keep_alive, bool head);

// Case-insensitive ASCII comparison of header names and tokens.
bool iequals(std::string_view a, std::string_view b);

}  // namespace carebridge::gateway::http
