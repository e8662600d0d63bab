// The README's security walk-through, run as written: a new user makes a client, gets
// a token with curl and reads a Patient with it; without the token the answer is 401.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>

#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

// The ```sh block of README.md whose first line is "# security-demo".
std::string demo_script() {
  std::string readme = read_text(std::filesystem::path(CAREBRIDGE_TEST_DATA) / "../../README.md");
  auto start = readme.find("```sh\n# security-demo\n");
  if (start == std::string::npos) return {};
  start += 6;
  return readme.substr(start, readme.find("```", start) - start);
}

// A loopback port nothing listens on now (the kernel's choice for port 0).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("The README's security walk-through works as written", "[cli][security]") {
  std::string script = demo_script();
  REQUIRE(!script.empty());
  auto dir = temp_dir("readme-security");
  std::filesystem::create_directories(dir / "build");
  std::filesystem::create_symlink(CAREBRIDGE_BINARY, dir / "build" / "carebridge");
  std::ofstream(dir / "demo.sh") << "set -euo pipefail\n" << script;
  std::string command = "cd '" + dir.string() + "' && PORT=" + std::to_string(free_port()) +
                        " DATA=data timeout 120 bash demo.sh > out.txt 2>&1";
  int status = std::system(command.c_str());
  std::string output = read_text(dir / "out.txt");
  INFO(output);
  REQUIRE(status == 0);
  CHECK(output.find("\"family\":\"Rivera\"") != std::string::npos);
  CHECK(output.find("registered client eastside-food-bank") != std::string::npos);
  CHECK(output.rfind("401") != std::string::npos);
  CHECK(std::regex_search(output, std::regex("\"resourceType\":\"Patient\",\"id\":\"[0-9a-f-]{36}\"")));
}
