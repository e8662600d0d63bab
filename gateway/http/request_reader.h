// Reading HTTP/1.1 requests from bytes exactly as the server reads them from a
// connection: the same parser and limits, one request after another (pipelining),
// the same answer to a request it cannot read. The server reads from sockets; this
// reads from memory, for the fuzz target (fuzz/fuzz_http_request.cpp) and tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/http/message.h"

namespace carebridge::gateway::http {

// A request the server cannot read: answered with this status (400, 413, 431), then closed.
struct ReadFailure {
  unsigned status = 400;
  std::string message;
};

struct ReadRequests {
  std::vector<Request> requests;       // the complete requests, in order
  std::optional<ReadFailure> failure;  // the bytes after the last request were not a request
  bool incomplete = false;             // they begin a request the server would wait to complete
};

// Reads the requests in `bytes`; stops after one that does not keep the connection alive.
ReadRequests read_requests(std::string_view bytes, const config::Limits& limits);

}  // namespace carebridge::gateway::http
