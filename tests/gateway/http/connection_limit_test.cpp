// The server's limit on open connections per remote address, over real sockets:
// connections beyond it are closed unanswered; closing one lets a new one in.
#include <catch2/catch.hpp>

#include <chrono>

#include "running_server.h"

using namespace carebridge::testing;
using namespace carebridge::gateway;

namespace {

const std::string kRequest = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";

http::Handler pong() {
  return http::answer_at_once([](const http::Request&) {
    http::Response r;
    r.body = "pong";
    return r;
  });
}

bool served(int fd) { return exchange_raw(fd, kRequest).starts_with("HTTP/1.1 200"); }

// Polls until a fresh connection is served (the server counts a close when it notices it).
bool new_connection_served(uint16_t port) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = connect_loopback(port);
    bool ok = served(fd);
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling interval
  }
  return false;
}

}  // namespace

TEST_CASE("connections beyond max_connections_per_address are closed unanswered", "[gateway][http][limits]") {
  auto options = loopback_options();
  options.limits.max_connections_per_address = 2;
  RunningServer server(options, pong());
  int first = connect_loopback(server.port()), second = connect_loopback(server.port());
  REQUIRE(served(first));  // answered: accepted and counted
  REQUIRE(served(second));
  int third = connect_loopback(server.port());
  CHECK(exchange_raw(third, kRequest).empty());
  ::close(third);
  CHECK(served(second));  // the connections it holds are not disturbed
  ::close(first);
  CHECK(new_connection_served(server.port()));
  ::close(second);
}

TEST_CASE("max_connections_per_address 0 turns the limit off", "[gateway][http][limits]") {
  auto options = loopback_options();
  options.limits.max_connections_per_address = 0;
  RunningServer server(options, pong());
  std::vector<int> open;
  for (int i = 0; i < 20; ++i) open.push_back(connect_loopback(server.port()));
  for (int fd : open) CHECK(served(fd));
  for (int fd : open) ::close(fd);
}
