// A webhook receiver written for the routing tests: an HTTP/1.1 server on a loopback
// port (keep-alive, Content-Length bodies) that keeps every notification it is sent, and
// can be told to answer 503 for a while, as a subscriber that is down. The routing load
// driver (bench/routing_load.cpp) uses it too, handing each body to a function instead.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace carebridge::testing {

class WebhookReceiver {
 public:
  // With `on_body`, each body is handed to it (on the connection's thread) and not kept.
  using OnBody = std::function<void(std::string_view body)>;
  explicit WebhookReceiver(OnBody on_body = nullptr);
  ~WebhookReceiver();
  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // The bodies received (and answered 2xx) so far.
  std::vector<std::string> bodies() const;
  // Waits until at least `n` bodies were received (false after `seconds`).
  bool wait_for(size_t n, int seconds = 20) const;
  // While down, requests are answered 503 and kept apart (without on_body).
  void set_down(bool down) { down_ = down; }
  // Waits until a request answered 503 had a body for which `which` is true.
  bool wait_for_refused(const std::function<bool(const std::string&)>& which, int seconds = 20) const;
  // While silent, requests are read and never answered (a receiver that hangs).
  void set_silent(bool silent) { silent_ = silent; }
  // The value of a header of the last request received.
  std::string last_header(const std::string& name) const;

 private:
  void serve(int connection);
  void forget(int connection);  // closes a connection it no longer serves
  OnBody on_body_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false}, down_{false}, silent_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable received_;
  std::vector<std::string> bodies_, refused_;
  std::vector<std::pair<std::string, std::string>> last_headers_;
  std::thread acceptor_;
  std::vector<std::thread> connections_;
  std::vector<int> fds_;
};

}  // namespace carebridge::testing
