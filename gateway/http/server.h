// The HTTP(S) server: Boost.Beast on an io_context run by one thread per core,
// one strand per connection, keep-alive and pipelining, TLS 1.2+ on addresses
// with a certificate (ECDHE and AEAD ciphers only), limits on header and body size
// and on open connections per remote address, a deadline for reading each
// request, an idle timeout between requests, and a graceful stop (SIGTERM/SIGINT
// or stop()) that finishes the requests in flight. Handlers run on the I/O
// threads and hand what may block to a separate worker pool (Responder::defer), so
// that blocking work never stalls them. Beast stays in server.cpp; this header
// only shows plain types.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/http/message.h"

namespace carebridge::gateway::http {

// The threads a server runs for the configured counts (0: the defaults): one I/O
// thread per core, and a worker pool larger than the cores, since deferred work
// (transactions, conditional writes) blocks while its group commits and a group
// only holds as many writes as there are workers waiting on it.
struct ThreadCounts {
  unsigned io = 0;
  unsigned workers = 0;
};
ThreadCounts thread_counts(unsigned io_threads, unsigned worker_threads);

struct ServerOptions {
  std::vector<config::Listen> listen;
  config::Limits limits;
  unsigned io_threads = 0;      // 0: one per core
  unsigned worker_threads = 0;  // 0: see thread_counts()
  // Answers errors the server finds itself (400, 413, 431, 503) with a body.
  std::function<Response(unsigned status, const std::string& message)> error_response;
  // Told about every response written (route metrics, request log).
  std::function<void(const Request&, const Response&, double seconds)> observer;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listen address; throws std::runtime_error when one cannot be bound.
  // Returns the bound ports in the order of the addresses (useful with port 0).
  std::vector<uint16_t> bind();
  // Serves until stop() or SIGTERM/SIGINT, then lets requests in flight finish
  // (up to limits.shutdown_timeout_ms) and returns.
  void run();
  // Begins the graceful stop. Thread-safe.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace carebridge::gateway::http
