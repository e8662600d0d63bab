#include "gateway/routing/websocket.h"

#include <openssl/rand.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace carebridge::gateway::routing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

namespace {

class Session;

}  // namespace

struct WebsocketHub::Impl : std::enable_shared_from_this<WebsocketHub::Impl> {
  Impl(std::string h, uint16_t p) : host(std::move(h)), port(p) {}
  std::string host;
  uint16_t port;
  net::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::mutex mutex;
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> tokens;  // token → subscription
  std::multimap<std::string, std::weak_ptr<Session>> bound;                                      // subscription → sessions
  std::function<void()> on_bound;
  std::function<std::string(const std::string&)> handshake;

  void accept();
  // The subscription a token binds (once), or "".
  std::string redeem(const std::string& token) {
    std::lock_guard lock(mutex);
    auto it = tokens.find(token);
    if (it == tokens.end() || it->second.second < std::chrono::steady_clock::now()) return {};
    std::string subscription = it->second.first;
    tokens.erase(it);
    return subscription;
  }
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<WebsocketHub::Impl> hub) : ws_(std::move(socket)), hub_(std::move(hub)) {}

  void start() {
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

  // Queues a text message (from any thread).
  void send(std::string text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->queue_.push_back(std::move(text));
      if (self->queue_.size() == 1) self->write();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      constexpr std::string_view kBind = "bind-with-token: ";
      if (text.starts_with(kBind)) {
        std::string subscription = self->hub_->redeem(text.substr(kBind.size()));
        if (subscription.empty()) {
          self->send(R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"security","diagnostics":"the binding token is not valid"}]})");
        } else {
          std::function<void()> notify;
          std::function<std::string(const std::string&)> handshake;
          {
            std::lock_guard lock(self->hub_->mutex);
            notify = self->hub_->on_bound;
            handshake = self->hub_->handshake;
          }
          // Queued before the connection is listed as bound, so no event can overtake it.
          if (std::string greeting = handshake ? handshake(subscription) : std::string(); !greeting.empty())
            self->send(std::move(greeting));
          {
            std::lock_guard lock(self->hub_->mutex);
            self->hub_->bound.emplace(subscription, self->weak_from_this());
          }
          if (notify) notify();
        }
      }
      self->read();
    });
  }

  void write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<WebsocketHub::Impl> hub_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
};

}  // namespace

void WebsocketHub::Impl::accept() {
  acceptor->async_accept(net::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(socket), self)->start();
    self->accept();
  });
}

WebsocketHub::WebsocketHub(std::string host, uint16_t port) : impl_(std::make_shared<Impl>(std::move(host), port)) {}

WebsocketHub::~WebsocketHub() { stop(); }

uint16_t WebsocketHub::start() {
  tcp::endpoint endpoint(net::ip::make_address(impl_->host), impl_->port);
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->ioc, endpoint);
  impl_->port = impl_->acceptor->local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_] { impl->ioc.run(); });
  return impl_->port;
}

void WebsocketHub::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->ioc.stop();
  impl_->thread.join();
}

void WebsocketHub::on_bind(std::function<void()> bound) {
  std::lock_guard lock(impl_->mutex);
  impl_->on_bound = std::move(bound);
}

void WebsocketHub::set_handshake(std::function<std::string(const std::string& subscription)> handshake) {
  std::lock_guard lock(impl_->mutex);
  impl_->handshake = std::move(handshake);
}

std::string WebsocketHub::url() const { return "ws://" + impl_->host + ":" + std::to_string(impl_->port) + "/ws"; }

std::string WebsocketHub::issue_token(const std::string& subscription) {
  unsigned char bytes[24];
  RAND_bytes(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  std::lock_guard lock(impl_->mutex);
  auto now = std::chrono::steady_clock::now();
  std::erase_if(impl_->tokens, [&](const auto& t) { return t.second.second < now; });  // tokens never redeemed
  impl_->tokens[token] = {subscription, now + std::chrono::minutes(5)};
  return token;
}

bool WebsocketHub::send(const std::string& subscription, const std::string& text) {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(impl_->mutex);
    auto [first, last] = impl_->bound.equal_range(subscription);
    for (auto it = first; it != last;) {
      if (auto s = it->second.lock()) {
        sessions.push_back(std::move(s));
        ++it;
      } else {
        it = impl_->bound.erase(it);
      }
    }
  }
  for (auto& s : sessions) s->send(text);
  return !sessions.empty();
}

}  // namespace carebridge::gateway::routing
