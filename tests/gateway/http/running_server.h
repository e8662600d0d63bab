// An http::Server run in the test process on a free loopback port (port 0), on a
// thread of its own, stopped and joined when the test ends; and raw sockets to it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

#include "gateway/http/server.h"
#include "support/test_support.h"

namespace carebridge::testing {

class RunningServer {
 public:
  RunningServer(gateway::http::ServerOptions options, gateway::http::Handler handler)
      : server_(std::move(options), std::move(handler)) {
    port_ = server_.bind().front();
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  gateway::http::Server server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

// Options for one plain or TLS listener on 127.0.0.1:0 with quick timeouts.
inline gateway::http::ServerOptions loopback_options(const std::string& certificate = "", const std::string& key = "") {
  gateway::http::ServerOptions options;
  gateway::config::Listen listen;
  listen.port = 0;
  listen.tls_certificate = certificate;
  listen.tls_private_key = key;
  options.listen = {listen};
  options.io_threads = 1;
  options.worker_threads = 1;
  options.limits.shutdown_timeout_ms = 2000;
  return options;
}


// Sends `request` and reads until the end of the response's header; empty when the
// server closed the connection without answering.
inline std::string exchange_raw(int fd, const std::string& request) {
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return {};
  std::string got;
  char chunk[4096];
  while (got.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return got;
    got.append(chunk, static_cast<size_t>(n));
  }
  return got;
}

}  // namespace carebridge::testing
