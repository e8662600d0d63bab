// Synchronous Beast client (see client.h).
#include "gateway/http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace carebridge::gateway::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Client::Impl {
  std::string host;
  uint16_t port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  bool connect(std::string& error) {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
      error = "cannot resolve " + host + ": " + ec.message();
      return false;
    }
    stream.emplace(ioc);
    stream->expires_after(timeout);
    stream->connect(endpoints, ec);
    if (ec) {
      error = "cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message();
      stream.reset();
      return false;
    }
    buffer.clear();
    return true;
  }

  // One exchange; false when the connection failed (the caller may retry once).
  bool exchange(const Request& request, Response& response, std::string& error) {
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    req.method_string(request.method);
    req.target(request.target);
    req.set(bhttp::field::host, host + ":" + std::to_string(port));
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.body() = request.body;
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") req.prepare_payload();
    beast::error_code ec;
    stream->expires_after(timeout);
    bhttp::write(*stream, req, ec);
    if (ec) {
      error = "write failed: " + ec.message();
      return false;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1u << 30);
    parser.skip(request.method == "HEAD");
    bhttp::read(*stream, buffer, parser, ec);
    if (ec) {
      error = "read failed: " + ec.message();
      return false;
    }
    auto& res = parser.get();
    response.status = res.result_int();
    response.headers.clear();
    for (const auto& f : res) response.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    response.body = std::move(res.body());
    if (!res.keep_alive()) close();
    return true;
  }

  void close() {
    if (!stream) return;
    beast::error_code ec;
    stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.reset();
  }
};

Client::Client(std::string host, uint16_t port, std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

Client::~Client() { impl_->close(); }

void Client::close() { impl_->close(); }

Response Client::send(const Request& request) {
  Response response;
  std::string error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = !impl_->stream;
    if (fresh && !impl_->connect(error)) break;
    if (impl_->exchange(request, response, error)) return response;
    impl_->close();
    if (fresh) break;  // a new connection failed: do not repeat the request
  }
  response.status = 0;
  response.body = error;
  return response;
}

Response Client::get(const std::string& target, Headers headers) { return send({"GET", target, std::move(headers), {}, {}, false}); }
Response Client::post(const std::string& target, std::string body, Headers headers) {
  return send({"POST", target, std::move(headers), std::move(body), {}, false});
}
Response Client::put(const std::string& target, std::string body, Headers headers) {
  return send({"PUT", target, std::move(headers), std::move(body), {}, false});
}
Response Client::del(const std::string& target, Headers headers) { return send({"DELETE", target, std::move(headers), {}, {}, false}); }

}  // namespace carebridge::gateway::http
