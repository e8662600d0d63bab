// An MLLP receiver written for the tests, as a clinic's v2 interface on loopback: keeps
// each message it is sent and acknowledges it AA.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace carebridge::testing {

class MllpReceiver {
 public:
  MllpReceiver() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 4) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      int c;
      while ((c = ::accept(listener_, nullptr, nullptr)) >= 0) {
        std::string buffer;
        char chunk[4096];
        for (ssize_t n; (n = ::recv(c, chunk, sizeof chunk, 0)) > 0;) {
          buffer.append(chunk, static_cast<size_t>(n));
          for (size_t end; (end = buffer.find("\x1c\r")) != std::string::npos;) {
            std::string message = buffer.substr(1, end - 1);
            buffer.erase(0, end + 2);
            {
              std::lock_guard lock(mutex_);
              messages_.push_back(message);
            }
            std::string ack = "\x0bMSH|^~\\&|CLINIC|X|CB|Y|20260101||ACK|A1|P|2.5.1\rMSA|AA|X\r\x1c\r";
            ::send(c, ack.data(), ack.size(), MSG_NOSIGNAL);
          }
        }
        ::close(c);
      }
    });
  }
  ~MllpReceiver() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  std::string endpoint() const { return "mllp://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
};

}  // namespace carebridge::testing
