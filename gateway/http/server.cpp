// Boost.Beast server (see server.h). The flow of one connection:
//   accept on a fresh strand -> [TLS handshake] -> wait for the first byte of a
//   request (idle timeout) -> read the request with a fresh parser (header and body
//   limits, request deadline) -> run the handler (it hands blocking work to the
//   worker pool) -> write the response on the strand -> loop (keep-alive;
//   pipelined requests are already in the buffer) or close.
#include "gateway/http/server.h"
#include "gateway/http/tls.h"

#include "gateway/http/certificate.h"

#include <openssl/ssl.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "gateway/http/beast_request.h"

namespace carebridge::gateway::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection when it is between requests (graceful stop).
  virtual void stop_if_idle() = 0;
};

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  ServerOptions options;
  Handler handler;
  net::io_context ioc;
  std::optional<net::thread_pool> workers;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  std::vector<std::shared_ptr<ssl::context>> tls;  // per acceptor, null for plain HTTP
  std::atomic<bool> stopping{false};
  std::atomic<size_t> pending{0};  // requests read and not yet answered
  std::mutex sessions_mutex;
  std::set<std::shared_ptr<SessionBase>> sessions;  // live connections
  net::signal_set signals{ioc, SIGINT, SIGTERM};
  std::optional<net::steady_timer> stop_deadline;
  std::mutex connections_mutex;
  std::unordered_map<net::ip::address, uint32_t> connections;  // open connections by remote address

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}
  void accept(size_t index);
  void open_session(size_t index, tcp::socket socket);
  // Counts a new connection against its address; false when the address has its
  // limits.max_connections_per_address open already (or the peer is gone).
  bool admit(const tcp::socket& socket, net::ip::address& address);
  void release(const net::ip::address& address);
  void begin_stop();
  void add(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(sessions_mutex);
    sessions.insert(s);
  }
  void remove(SessionBase* s) {
    std::lock_guard lock(sessions_mutex);
    for (auto it = sessions.begin(); it != sessions.end(); ++it) {
      if (it->get() == s) {
        sessions.erase(it);
        break;
      }
    }
    // The last connection of a graceful stop is done: no need to wait for the deadline.
    if (stopping && sessions.empty() && stop_deadline) stop_deadline->cancel();
  }
  Response error(unsigned status, const std::string& message) const {
    if (options.error_response) return options.error_response(status, message);
    Response r;
    r.status = status;
    r.body = message;
    r.set_header("Content-Type", "text/plain");
    return r;
  }
};

namespace {

std::chrono::milliseconds ms(uint32_t value) { return std::chrono::milliseconds(value); }

// What plain and TLS connections share; Derived provides stream(), start(), close().
template <typename Derived>
class Session : public SessionBase {
 public:
  explicit Session(std::shared_ptr<Server::Impl> server) : server_(std::move(server)) {}
  // The connection is closed once the session is gone: its address may open another.
  ~Session() override {
    if (counted_) server_->release(*counted_);
  }
  void count_against(const net::ip::address& address) { counted_ = address; }

  void stop_if_idle() override {
    net::post(derived().stream().get_executor(), [self = derived().shared_from_this()] {
      // Bytes already waiting are a request the client sent before the stop: serve it.
      beast::error_code ec;
      auto& socket = beast::get_lowest_layer(self->stream()).socket();
      if (self->idle_ && socket.available(ec) == 0) beast::get_lowest_layer(self->stream()).close();
    });
  }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }

  // Waits for the next request to begin: the idle timeout applies, not the request deadline.
  void wait_for_request() {
    if (server_->stopping) return finish();
    if (buffer_.size() > 0) return read_request();
    idle_ = true;
    beast::get_lowest_layer(derived().stream()).expires_after(ms(server_->options.limits.idle_timeout_ms));
    derived().stream().async_read_some(
        buffer_.prepare(4096), beast::bind_front_handler(&Session::on_first_bytes, derived().shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, size_t n) {
    idle_ = false;
    if (ec) return finish();
    buffer_.commit(n);
    read_request();
  }

  void read_request() {
    const auto& limits = server_->options.limits;
    parser_.emplace();
    apply_limits(*parser_, limits);
    started_ = Clock::now();
    beast::get_lowest_layer(derived().stream()).expires_after(ms(limits.request_timeout_ms));
    bhttp::async_read_header(derived().stream(), buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, derived().shared_from_this()));
  }

  // Clients that send "Expect: 100-continue" (curl does for larger bodies) wait for
  // the interim answer before sending the body.
  void on_header(beast::error_code ec, size_t n) {
    if (ec) return on_read(ec, n);
    auto expect = parser_->get()[bhttp::field::expect];
    if (!parser_->is_done() && http::iequals(expect, "100-continue")) {
      continue_ = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      return bhttp::async_write(derived().stream(), *continue_,
                                [self = derived().shared_from_this()](beast::error_code e, size_t) {
                                  self->continue_.reset();
                                  if (e) return self->finish();
                                  self->read_body();
                                });
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(derived().stream(), buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, derived().shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof) return finish();
    if (ec == beast::error::timeout) return finish();  // the stream is already closed
    if (ec) {
      Request partial;
      if (parser_ && parser_->is_header_done()) {
        partial.method = std::string(parser_->get().method_string());
        partial.target = std::string(parser_->get().target());
      }
      auto failure = read_failure(ec, server_->options.limits);
      return respond(partial, server_->error(failure.status, failure.message), false);
    }
    bool keep_alive = parser_->get().keep_alive();
    Request request = to_request(parser_->get());
    if (remote_.empty()) {
      boost::system::error_code ignored;
      auto peer = beast::get_lowest_layer(derived().stream()).socket().remote_endpoint(ignored);
      if (!ignored) remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
    }
    request.remote = remote_;
    request.tls = Derived::kTls;
    request.client_certificate = derived().client_certificate();
    // Requests in flight are bounded: beyond the limit the server answers 503 at once.
    if (++server_->pending > server_->options.limits.max_pending_requests) {
      --server_->pending;
      Response busy = server_->error(503, "the server is busy; try again shortly");
      busy.set_header("Retry-After", "1");
      return respond(request, std::move(busy), keep_alive);
    }
    // The handler answers through the responder, now or later from another thread:
    // the response is made and written on this connection's strand. The tracked
    // executor keeps run() alive until then.
    auto shared = std::make_shared<const Request>(std::move(request));
    auto strand = net::prefer(derived().stream().get_executor(), net::execution::outstanding_work.tracked);
    beast::get_lowest_layer(derived().stream()).expires_never();
    Responder responder;
    // Only the first reply counts: a handler that fails after replying cannot answer twice.
    auto replied = std::make_shared<std::atomic<bool>>(false);
    responder.reply = [self = derived().shared_from_this(), strand, shared, keep_alive,
                       replied](std::function<Response()> make) {
      if (replied->exchange(true)) return;
      net::dispatch(strand, [self, shared, keep_alive, make = std::move(make)] {
        Response response;
        try {
          response = make();
        } catch (const std::exception& e) {
          response = self->server_->error(500, std::string("internal error: ") + e.what());
        }
        --self->server_->pending;
        self->respond(*shared, std::move(response), keep_alive);
      });
    };
    // Deferred work that throws answers 500 (an exception escaping into the pool
    // would end the process); after a reply, the run-once flag ignores that one.
    responder.defer = [workers = &*server_->workers, server = server_, reply = responder.reply](std::function<void()> work) {
      net::post(*workers, [server, reply, work = std::move(work)] {
        try {
          work();
        } catch (const std::exception& e) {
          reply([server, message = std::string(e.what())] { return server->error(500, "internal error: " + message); });
        }
      });
    };
    // The handler runs here, on the I/O thread; what may block it hands to the
    // worker pool through responder.defer.
    run_handler(shared, responder);
  }

  void run_handler(const std::shared_ptr<const Request>& request, const Responder& responder) {
    try {
      server_->handler(request, responder);
    } catch (const std::exception& e) {
      auto server = server_;
      responder.reply([server, message = std::string(e.what())] { return server->error(500, "internal error: " + message); });
    }
  }

  void respond(const Request& request, Response response, bool keep_alive) {
    keep_alive = keep_alive && !server_->stopping;
    // One buffer, one write: Beast's serializer walks many small buffers per response.
    response_ = serialize(response, keep_alive, request.method == "HEAD");
    if (server_->options.observer) {
      response.body.clear();
      server_->options.observer(request, response, std::chrono::duration<double>(Clock::now() - started_).count());
    }
    beast::get_lowest_layer(derived().stream()).expires_after(ms(server_->options.limits.request_timeout_ms));
    net::async_write(derived().stream(), net::buffer(response_),
                     beast::bind_front_handler(&Session::on_write, derived().shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, size_t) {
    response_.clear();
    if (ec || !keep_alive) return finish();
    wait_for_request();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    derived().close();
    server_->remove(this);
  }

  std::shared_ptr<Server::Impl> server_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::string response_;  // the response being written
  std::string remote_;    // the peer's address, looked up once per connection
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<net::ip::address> counted_;  // the address this connection counts against
  Clock::time_point started_ = Clock::now();
  bool idle_ = false;
  bool finished_ = false;
};

class PlainSession : public Session<PlainSession>, public std::enable_shared_from_this<PlainSession> {
 public:
  static constexpr bool kTls = false;
  PlainSession(tcp::socket&& socket, std::shared_ptr<Server::Impl> server)
      : Session(std::move(server)), stream_(std::move(socket)) {}
  beast::tcp_stream& stream() { return stream_; }
  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
  }
  static const std::string& client_certificate() {
    static const std::string kNone;
    return kNone;
  }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return stream_.close();
    // Read what the client still sends (the rest of an oversized body) before closing,
    // so that the close does not reset the connection before the client read the answer.
    stream_.expires_after(std::chrono::seconds(2));
    drain();
  }

 private:
  void drain() {
    stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->stream_.close();
      self->drain();
    });
  }

  beast::tcp_stream stream_;
  std::array<char, 8192> discard_;
};

class TlsSession : public Session<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  static constexpr bool kTls = true;
  TlsSession(tcp::socket&& socket, ssl::context& context, std::shared_ptr<Server::Impl> server)
      : Session(std::move(server)), stream_(std::move(socket), context) {}
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(ms(self->server_->options.limits.request_timeout_ms));
      self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
        if (ec) return self->finish();
        self->certificate_ = verified_peer_fingerprint(self->stream_.native_handle());
        self->wait_for_request();
      });
    });
  }
  const std::string& client_certificate() const { return certificate_; }
  void close() {
    // The TLS close_notify gets a deadline of its own (a peer may never answer it).
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { beast::get_lowest_layer(self->stream_).close(); });
  }

  // The SHA-256 of the client certificate the handshake verified (lowercase hex), or empty.
  static std::string verified_peer_fingerprint(SSL* ssl) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    return peer && SSL_get_verify_result(ssl) == X509_V_OK ? certificate_sha256(peer) : std::string();
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::string certificate_;
};

// TLS 1.2 and 1.3 only. For 1.2, forward-secret key exchange and AEAD ciphers only

}  // namespace

void Server::Impl::accept(size_t index) {
  auto acceptor = acceptors[index];
  acceptor->async_accept(net::make_strand(ioc), [self = shared_from_this(), index](beast::error_code ec, tcp::socket socket) {
    if (self->stopping) return;
    if (ec) {
      // Out of file descriptors and the like: try again shortly instead of spinning.
      auto timer = std::make_shared<net::steady_timer>(self->ioc, std::chrono::milliseconds(50));
      return timer->async_wait([self, index, timer](beast::error_code) {
        if (!self->stopping) self->accept(index);
      });
    }
    self->open_session(index, std::move(socket));
    self->accept(index);
  });
}

void Server::Impl::open_session(size_t index, tcp::socket socket) {
  net::ip::address address;
  if (!admit(socket, address)) {
    // Refused: closed before a byte is read (for TLS, before the handshake costs anything).
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  auto start = [&](auto session) {
    if (options.limits.max_connections_per_address) session->count_against(address);
    add(session);
    session->start();
  };
  if (auto& context = tls[index]) {
    start(std::make_shared<TlsSession>(std::move(socket), *context, shared_from_this()));
  } else {
    start(std::make_shared<PlainSession>(std::move(socket), shared_from_this()));
  }
}

bool Server::Impl::admit(const tcp::socket& socket, net::ip::address& address) {
  beast::error_code ec;
  address = socket.remote_endpoint(ec).address();
  if (ec) return false;
  uint32_t limit = options.limits.max_connections_per_address;
  if (limit == 0) return true;
  std::lock_guard lock(connections_mutex);
  uint32_t& open = connections[address];
  if (open >= limit) return false;
  ++open;
  return true;
}

void Server::Impl::release(const net::ip::address& address) {
  std::lock_guard lock(connections_mutex);
  auto it = connections.find(address);
  if (it != connections.end() && --it->second == 0) connections.erase(it);
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  net::post(ioc, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->signals.cancel(ec);
    for (auto& a : self->acceptors) a->close(ec);
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard lock(self->sessions_mutex);
      live.assign(self->sessions.begin(), self->sessions.end());
    }
    for (auto& s : live) s->stop_if_idle();
    // Requests in flight get until the deadline; then everything stops.
    std::lock_guard lock(self->sessions_mutex);
    if (self->sessions.empty()) return;
    self->stop_deadline.emplace(self->ioc, ms(self->options.limits.shutdown_timeout_ms));
    self->stop_deadline->async_wait([self](beast::error_code e) {
      if (!e) self->ioc.stop();
    });
  });
}

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_shared<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  impl_->ioc.stop();
  if (impl_->workers) impl_->workers->join();
}

std::vector<uint16_t> Server::bind() {
  std::vector<uint16_t> ports;
  for (const auto& listen : impl_->options.listen) {
    beast::error_code ec;
    auto address = net::ip::make_address(listen.host, ec);
    if (ec) throw std::runtime_error("cannot listen on '" + listen.host + "': not an IP address");
    tcp::endpoint endpoint(address, listen.port);
    auto acceptor = std::make_shared<tcp::acceptor>(net::make_strand(impl_->ioc));
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + listen.host + ":" + std::to_string(listen.port) + ": " + ec.message());
    std::shared_ptr<ssl::context> context;
    if (!listen.tls_certificate.empty() || !listen.tls_private_key.empty()) {
      try {
        context = make_server_tls(listen);
      } catch (const std::exception& e) {
        throw std::runtime_error("cannot load the TLS certificate or key for " + listen.host + ": " + e.what());
      }
    }
    ports.push_back(acceptor->local_endpoint().port());
    impl_->acceptors.push_back(std::move(acceptor));
    impl_->tls.push_back(std::move(context));
  }
  return ports;
}

void Server::run() {
  auto [io_threads, worker_threads] = thread_counts(impl_->options.io_threads, impl_->options.worker_threads);
  impl_->workers.emplace(worker_threads);
  for (size_t i = 0; i < impl_->acceptors.size(); ++i) impl_->accept(i);
  impl_->signals.async_wait([impl = impl_](beast::error_code ec, int) {
    if (!ec) impl->begin_stop();
  });
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < io_threads; ++i) {
    threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "cb-http-io");
      impl_->ioc.run();
    });
  }
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  impl_->workers->join();
}

void Server::stop() { impl_->begin_stop(); }

ThreadCounts thread_counts(unsigned io_threads, unsigned worker_threads) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return {io_threads ? io_threads : cores, worker_threads ? worker_threads : std::max(64u, 16 * cores)};
}

// (Mozilla's "intermediate" list); 1.3's suites are all of that kind. The server's
// order of preference wins; no compression (CRIME), no renegotiation.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::shared_ptr<ssl::context> make_server_tls(const config::Listen& listen) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
    throw std::runtime_error("the TLS library refuses the protocol versions or ciphers");
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::single_dh_use);
  context->use_certificate_chain_file(listen.tls_certificate);
  context->use_private_key_file(listen.tls_private_key, ssl::context::pem);
  if (!listen.tls_client_ca.empty()) {  // mutual TLS: hospitals' systems present certificates from these CAs
    context->load_verify_file(listen.tls_client_ca);
    auto mode = ssl::verify_peer | (listen.tls_client_certificate_required ? ssl::verify_fail_if_no_peer_cert : 0);
    context->set_verify_mode(mode);
    SSL_CTX_set_session_id_context(native, reinterpret_cast<const unsigned char*>("carebridge"), 10);
  }
  return context;
}

}  // namespace carebridge::gateway::http
