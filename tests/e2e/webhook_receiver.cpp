#include "webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace carebridge::testing {

WebhookReceiver::WebhookReceiver(OnBody on_body) : on_body_(std::move(on_body)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 256) != 0)
    throw std::runtime_error("the webhook receiver cannot listen");
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] {
    while (!stopping_) {
      int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) break;
      std::lock_guard lock(mutex_);
      fds_.push_back(connection);
      connections_.emplace_back([this, connection] { serve(connection); });
    }
  });
}

WebhookReceiver::~WebhookReceiver() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // each connection's thread ends
  }
  for (auto& t : connections) t.join();
}

void WebhookReceiver::serve(int connection) {
  timeval timeout{1, 0};
  ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string buffer;
  char chunk[65536];
  while (!stopping_) {
    size_t header_end = buffer.find("\r\n\r\n");
    if (header_end == std::string::npos) {
      ssize_t n = ::recv(connection, chunk, sizeof chunk, 0);
      if (n == 0) break;
      if (n < 0) continue;  // timeout: look at stopping_ again
      buffer.append(chunk, static_cast<size_t>(n));
      continue;
    }
    std::string head = buffer.substr(0, header_end);
    std::vector<std::pair<std::string, std::string>> headers;
    size_t length = 0;
    for (size_t at = head.find("\r\n"); at != std::string::npos;) {
      size_t end = head.find("\r\n", at + 2);
      std::string line = head.substr(at + 2, end == std::string::npos ? std::string::npos : end - at - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon), value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        if (name == "content-length") length = std::stoul(value);
        headers.emplace_back(name, value);
      }
      at = end;
    }
    while (buffer.size() < header_end + 4 + length) {
      ssize_t n = ::recv(connection, chunk, sizeof chunk, 0);
      if (n == 0 || stopping_) return forget(connection);
      if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
    }
    std::string body = buffer.substr(header_end + 4, length);
    buffer.erase(0, header_end + 4 + length);
    if (silent_) continue;  // read, never answered
    bool down = down_;
    if (!down && on_body_) {
      on_body_(body);
    } else if (!down) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(std::move(body));
      last_headers_ = std::move(headers);
    } else if (!on_body_) {
      std::lock_guard lock(mutex_);
      refused_.push_back(std::move(body));
    }
    received_.notify_all();
    std::string answer = down ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    ::send(connection, answer.data(), answer.size(), MSG_NOSIGNAL);
  }
  forget(connection);
}

void WebhookReceiver::forget(int connection) {
  {  // out of fds_ first: the number may be another socket's once closed
    std::lock_guard lock(mutex_);
    std::erase(fds_, connection);
  }
  ::close(connection);
}

std::vector<std::string> WebhookReceiver::bodies() const {
  std::lock_guard lock(mutex_);
  return bodies_;
}

bool WebhookReceiver::wait_for(size_t n, int seconds) const {
  std::unique_lock lock(mutex_);
  return received_.wait_for(lock, std::chrono::seconds(seconds), [&] { return bodies_.size() >= n; });
}

bool WebhookReceiver::wait_for_refused(const std::function<bool(const std::string&)>& which, int seconds) const {
  std::unique_lock lock(mutex_);
  return received_.wait_for(lock, std::chrono::seconds(seconds),
                            [&] { return std::any_of(refused_.begin(), refused_.end(), which); });
}

std::string WebhookReceiver::last_header(const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [n, v] : last_headers_)
    if (n == name) return v;
  return {};
}

}  // namespace carebridge::testing
