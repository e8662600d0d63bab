// A blocking client (see client.h) made of Beast's asynchronous operations, each run to its
// end on the client's own io_context: a tcp_stream's timeout applies to asynchronous
// operations only, so a receiver that accepted and never answered held a synchronous read
// (and a delivery thread, and shutdown) for ever.
#include "gateway/http/client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace carebridge::gateway::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

struct Client::Impl {
  ClientOptions options;
  net::io_context ioc;
  ssl::context tls_context{ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  explicit Impl(ClientOptions o) : options(std::move(o)) {
    if (!options.tls) return;
    SSL_CTX_set_min_proto_version(tls_context.native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    if (!options.ca_file.empty()) {
      tls_context.load_verify_file(options.ca_file, ec);
    } else {
      tls_context.set_default_verify_paths(ec);
    }
    tls_context.set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none);
    if (!options.certificate_file.empty()) {
      tls_context.use_certificate_chain_file(options.certificate_file, ec);
      tls_context.use_private_key_file(options.private_key_file, ssl::context::pem, ec);
    }
  }

  bool connected() const { return plain || secure; }
  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs the operations started until they end (done, failed or timed out).
  void run() {
    ioc.restart();
    ioc.run();
  }

  bool connect(std::string& error) {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec) {
      error = "cannot resolve " + options.host + ": " + ec.message();
      return false;
    }
    beast::tcp_stream stream(ioc);
    stream.expires_after(options.timeout);
    stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) {
      error = "cannot connect to " + options.host + ":" + std::to_string(options.port) + ": " + ec.message();
      return false;
    }
    buffer.clear();
    if (!options.tls) {
      plain.emplace(std::move(stream));
      return true;
    }
    secure.emplace(std::move(stream), tls_context);
    SSL_set_tlsext_host_name(secure->native_handle(), options.host.c_str());
    if (options.verify_peer) secure->set_verify_callback(ssl::host_name_verification(options.host));
    beast::get_lowest_layer(*secure).expires_after(options.timeout);
    secure->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run();
    if (ec) {
      error = "TLS handshake with " + options.host + " failed: " + ec.message();
      secure.reset();
      return false;
    }
    return true;
  }

  template <typename Stream>
  bool exchange(Stream& stream, const Request& request, Response& response, std::string& error) {
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    req.method_string(request.method);
    req.target(request.target);
    req.set(bhttp::field::host, options.host + ":" + std::to_string(options.port));
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.body() = request.body;
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") req.prepare_payload();
    beast::error_code ec;
    lowest().expires_after(options.timeout);  // for the request and its response together
    bhttp::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
      error = "write failed: " + ec.message();
      return false;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1u << 30);
    parser.skip(request.method == "HEAD");
    bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
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

  bool exchange(const Request& request, Response& response, std::string& error) {
    return secure ? exchange(*secure, request, response, error) : exchange(*plain, request, response, error);
  }

  void close() {
    beast::error_code ec;
    if (secure) {
      beast::get_lowest_layer(*secure).expires_after(std::chrono::seconds(2));
      secure->async_shutdown([&](beast::error_code e) { ec = e; });
      run();
      beast::get_lowest_layer(*secure).socket().close(ec);
      secure.reset();
    }
    if (plain) {
      plain->socket().shutdown(tcp::socket::shutdown_both, ec);
      plain.reset();
    }
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Client::Client(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : Client(ClientOptions{std::move(host), port, false, {}, true, timeout}) {}

Client::~Client() { impl_->close(); }

void Client::close() { impl_->close(); }

Response Client::send(const Request& request) {
  Response response;
  std::string error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = !impl_->connected();
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
