#include "gateway/ingest/mllp_server.h"

#include <array>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <iostream>
#include <thread>
#include <variant>

#include "gateway/http/certificate.h"
#include "gateway/http/tls.h"
#include "gateway/ingest/mllp.h"
#include "gateway/security/token_service.h"

namespace carebridge::gateway::ingest {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

struct MllpServer::Impl : std::enable_shared_from_this<MllpServer::Impl> {
  Impl(std::vector<config::MllpListen> l, const V2Ingest& i, security::TokenService* t)
      : listeners(std::move(l)), ingest(i), tokens(t) {}

  std::vector<config::MllpListen> listeners;
  const V2Ingest& ingest;
  security::TokenService* tokens;
  net::io_context ioc;
  std::unique_ptr<net::thread_pool> work;  // mapping and commits: off the I/O threads
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  std::vector<std::shared_ptr<ssl::context>> tls;
  std::vector<std::thread> threads;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;

  void accept(size_t index);
};

namespace {

// One connection: reads frames, has each message ingested in order, writes the ACKs.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<MllpServer::Impl> server, const config::MllpListen& config, std::string remote)
      : stream_(std::move(stream)),
        server_(std::move(server)),
        config_(config),
        remote_(std::move(remote)),
        framer_(config.max_message_bytes),
        timer_(stream_.get_executor()) {}

  void start() {
    if constexpr (std::is_same_v<Stream, ssl::stream<tcp::socket>>) {
      arm(config_.frame_timeout_ms);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        if (ec) return self->close("the TLS handshake failed");
        SSL* native = self->stream_.native_handle();
        X509* peer = SSL_get1_peer_certificate(native);
        if (peer && SSL_get_verify_result(native) == X509_V_OK) self->certificate_ = http::certificate_sha256(peer);
        X509_free(peer);
        self->read();
      });
    } else {
      read();
    }
  }

 private:
  tcp::socket& socket() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) return stream_;
    else return stream_.next_layer();
  }

  void arm(uint32_t ms) {
    timer_.expires_after(std::chrono::milliseconds(ms));
    timer_.async_wait([weak = this->weak_from_this()](error_code ec) {
      if (ec) return;
      if (auto self = weak.lock())
        self->close(self->framer_.in_frame() ? "a frame was started and not ended in time" : "the connection was idle");
    });
  }

  void close(const char* why) {
    if (closed_) return;
    closed_ = true;
    std::cerr << "carebridge: MLLP " << remote_ << ": closed: " << why << std::endl;
    error_code ignored;
    timer_.cancel();
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  void read() {
    if (closed_) return;
    arm(framer_.in_frame() ? config_.frame_timeout_ms : config_.idle_timeout_ms);
    stream_.async_read_some(net::buffer(buffer_), [self = this->shared_from_this()](error_code ec, size_t n) {
      if (ec) {
        if (self->framer_.in_frame()) self->close("the sender closed the connection mid-frame");
        else self->close("the sender closed the connection");
        return;
      }
      std::vector<MllpFramer::Event> events;
      self->framer_.feed(std::string_view(self->buffer_.data(), n), events);
      for (auto& e : events) self->pending_.push_back(std::move(e));
      if (self->framer_.garbage() > (64u << 10)) return self->close("more than 64 KB arrived outside MLLP frames");
      self->next();
    });
  }

  // Takes the next received frame, or reads more.
  void next() {
    if (closed_) return;
    if (pending_.empty()) return read();
    MllpFramer::Event event = std::move(pending_.front());
    pending_.pop_front();
    timer_.cancel();
    net::post(*server_->work, [self = this->shared_from_this(), event = std::move(event)]() mutable {
      std::string acks = self->answer(event);
      net::post(self->stream_.get_executor(), [self, acks = std::move(acks)]() mutable { self->write(std::move(acks)); });
    });
  }

  // The framed acknowledgements for one event (the message is committed before this returns).
  std::string answer(const MllpFramer::Event& event) {
    using Kind = MllpFramer::Event::Kind;
    if (event.kind == Kind::Garbage) return {};  // reported in the log; nothing to acknowledge
    if (event.kind == Kind::Oversized) {
      std::string text = "the message is larger than " + std::to_string(config_.max_message_bytes) + " bytes";
      return MllpFramer::frame(mappings::hl7v2::make_ack(nullptr, {}, "AR", text, {{{}, text, 'E', "207"}}, "CBACK-LIMIT"));
    }
    rest::Caller who;
    std::string refusal;
    if (!caller(who, refusal)) {
      V2Outcome refused;
      refused.conversion = server_->ingest.converter().convert(event.message);
      refused.kind = V2Outcome::Kind::Refused;
      refused.text = refusal;
      refused.errors.push_back({{}, refusal, 'E', "207"});
      return frame_all(server_->ingest.acknowledgements(refused, event.message));
    }
    V2Outcome outcome = server_->ingest.ingest(event.message, who, remote_);
    return frame_all(server_->ingest.acknowledgements(outcome, event.message));
  }

  static std::string frame_all(const std::vector<std::string>& acks) {
    std::string out;
    for (const std::string& a : acks) out += MllpFramer::frame(a);
    return out;
  }

  // Who this connection writes as: the client of its TLS certificate, else the configured one.
  bool caller(rest::Caller& who, std::string& refusal) {
    security::TokenService* tokens = server_->tokens;
    if (!tokens) return true;
    auto principal = !certificate_.empty() ? tokens->authenticate_certificate(certificate_)
                                           : tokens->authenticate_client(config_.client);
    if (!principal) {
      refusal = "this connection is not a registered client's: " + principal.message();
      return false;
    }
    who = *principal;
    return true;
  }

  void write(std::string acks) {
    if (closed_) return;
    if (acks.empty()) return next();
    out_ = std::move(acks);
    net::async_write(stream_, net::buffer(out_), [self = this->shared_from_this()](error_code ec, size_t) {
      if (ec) return self->close("the acknowledgement could not be sent");
      self->next();
    });
  }

  Stream stream_;
  std::shared_ptr<MllpServer::Impl> server_;
  const config::MllpListen& config_;
  std::string remote_;
  MllpFramer framer_;
  net::steady_timer timer_;
  std::array<char, 64 * 1024> buffer_{};
  std::deque<MllpFramer::Event> pending_;
  std::string out_;
  std::string certificate_;
  bool closed_ = false;
};

}  // namespace

void MllpServer::Impl::accept(size_t index) {
  acceptors[index]->async_accept(net::make_strand(ioc), [self = shared_from_this(), index](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      error_code ignored;
      auto endpoint = socket.remote_endpoint(ignored);
      std::string remote = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
      const config::MllpListen& config = self->listeners[index];
      if (self->tls[index]) {
        std::make_shared<Session<ssl::stream<tcp::socket>>>(ssl::stream<tcp::socket>(std::move(socket), *self->tls[index]), self,
                                                             config, remote)
            ->start();
      } else {
        std::make_shared<Session<tcp::socket>>(std::move(socket), self, config, remote)->start();
      }
    }
    self->accept(index);
  });
}

MllpServer::MllpServer(std::vector<config::MllpListen> listeners, const V2Ingest& ingest, security::TokenService* tokens)
    : impl_(std::make_shared<Impl>(std::move(listeners), ingest, tokens)) {}

MllpServer::~MllpServer() { stop(); }

std::vector<uint16_t> MllpServer::start(unsigned threads) {
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < impl_->listeners.size(); ++i) {
    const config::Listen& l = impl_->listeners[i].listen;
    auto acceptor = std::make_shared<tcp::acceptor>(impl_->ioc);
    tcp::endpoint endpoint(net::ip::make_address(l.host), l.port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(net::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen();
    ports.push_back(acceptor->local_endpoint().port());
    impl_->acceptors.push_back(acceptor);
    impl_->tls.push_back(l.tls_certificate.empty() ? nullptr : http::make_server_tls(l));
  }
  impl_->work = std::make_unique<net::thread_pool>(std::max(1u, threads));
  impl_->guard.emplace(impl_->ioc.get_executor());
  for (size_t i = 0; i < impl_->acceptors.size(); ++i) impl_->accept(i);
  impl_->threads.emplace_back([impl = impl_] { impl->ioc.run(); });
  return ports;
}

void MllpServer::stop() {
  if (!impl_ || impl_->threads.empty()) return;
  net::post(impl_->ioc, [impl = impl_] {
    for (auto& a : impl->acceptors) {
      error_code ignored;
      a->close(ignored);
    }
  });
  impl_->guard.reset();
  if (impl_->work) impl_->work->join();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace carebridge::gateway::ingest
