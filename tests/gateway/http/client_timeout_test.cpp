// The client gives up on a peer that accepts and never answers: its timeout covers the
// whole exchange (a notification's receiver that hangs must not hold a delivery thread,
// nor shutdown, for ever).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "gateway/http/client.h"

TEST_CASE("the HTTP client's timeout ends an exchange with a peer that never answers", "[gateway][http]") {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 4) == 0);  // the kernel accepts; nobody ever reads or answers
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);

  carebridge::gateway::http::Client client("127.0.0.1", ntohs(address.sin_port), std::chrono::milliseconds(500));
  auto start = std::chrono::steady_clock::now();
  auto response = client.post("/hook", std::string(100, 'x'), {{"Content-Type", "application/fhir+json"}});
  auto took = std::chrono::steady_clock::now() - start;
  ::close(listener);
  CHECK(response.status == 0);
  CHECK(took < std::chrono::seconds(5));
}
