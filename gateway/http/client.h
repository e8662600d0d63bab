// A small synchronous HTTP/1.1 client over one keep-alive connection, plain or
// TLS (1.2+, peer verified against a CA file or the system store), for tests,
// tools and later webhook delivery. Errors never throw: a response with status 0
// and the reason in the body is returned instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/http/message.h"

namespace carebridge::gateway::http {

struct ClientOptions {
  std::string host;
  uint16_t port = 80;
  bool tls = false;
  std::string ca_file;       // trusted certificates (PEM); empty: the system's
  bool verify_peer = true;   // check the certificate chain and the host name
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  // A client certificate and its key (PEM) for servers that ask for one (mutual TLS).
  std::string certificate_file = {};
  std::string private_key_file = {};
};

class Client {
 public:
  explicit Client(ClientOptions options);
  Client(std::string host, uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request (Host and Content-Length are added) and reads the response.
  // Reconnects once when a kept-alive connection was closed by the server.
  Response send(const Request& request);
  Response get(const std::string& target, Headers headers = {});
  Response post(const std::string& target, std::string body, Headers headers = {});
  Response put(const std::string& target, std::string body, Headers headers = {});
  Response del(const std::string& target, Headers headers = {});
  // Closes the connection (the next request opens a new one).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace carebridge::gateway::http
