// End to end: HTTPS with a configured certificate, the idle timeout, and a
// graceful stop (SIGTERM) that finishes the request in flight.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;
using carebridge::gateway::http::ClientOptions;

TEST_CASE("HTTPS when a certificate is configured", "[gateway][e2e][tls]") {
  auto dir = temp_dir("tls");
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
                        "subjectAltName=IP:127.0.0.1 -keyout '" + key + "' -out '" + cert + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    WARN("openssl is not available; skipping");
    return;
  }
  std::string config = R"({"listen":[{"address":"127.0.0.1:0","tls_certificate":")" + cert + R"(","tls_private_key":")" +
                       key + R"("}]})";
  ServerProcess server(dir / "data", ServerSettings{config, false, true});
  Client secure(ClientOptions{"127.0.0.1", server.port(), true, cert, true, std::chrono::seconds(10)});
  auto metadata = secure.get("/fhir/metadata");
  REQUIRE(metadata.status == 200);
  auto created = secure.post("/fhir/Patient", patient_json("Tls", "T"), json_headers());
  CHECK(created.status == 201);
  CHECK(header(created, "Location").rfind("https://", 0) == 0);
  // Plain HTTP to the TLS port gets no answer; an untrusted client refuses the server.
  Client plain("127.0.0.1", server.port(), std::chrono::seconds(5));
  CHECK(plain.get("/fhir/metadata").status == 0);
  Client untrusted(ClientOptions{"127.0.0.1", server.port(), true, (dir / "missing.pem").string(), true, std::chrono::seconds(5)});
  CHECK(untrusted.get("/fhir/metadata").status == 0);
}

TEST_CASE("idle keep-alive connections are closed after the idle timeout", "[gateway][e2e]") {
  ServerProcess server(temp_dir("idle"), R"({"limits":{"idle_timeout_ms":300}})");
  int fd = connect_raw(server.port());
  char buffer[64];
  auto started = std::chrono::steady_clock::now();
  CHECK(::recv(fd, buffer, sizeof buffer, 0) == 0);  // closed by the server
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  ::close(fd);
  // A client whose kept-alive connection was closed reconnects.
  auto c = server.client();
  CHECK(c->get("/healthz").status == 200);
  int probe = connect_raw(server.port());
  CHECK(::recv(probe, buffer, sizeof buffer, 0) == 0);
  ::close(probe);
  CHECK(c->get("/healthz").status == 200);
}

TEST_CASE("SIGTERM finishes the request in flight and exits cleanly", "[gateway][e2e]") {
  auto data = temp_dir("graceful");
  auto server = std::make_unique<ServerProcess>(data);
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  for (int i = 0; i < 8000; ++i) {
    if (i) bundle += ',';
    bundle += R"({"fullUrl":"urn:uuid:g)" + std::to_string(i) + R"(","resource":{"resourceType":"Patient","name":[{"family":"Graceful"}]},"request":{"method":"POST","url":"Patient"}})";
  }
  bundle += "]}";
  std::string request = "POST /fhir HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nPrefer: return=minimal\r\n"
                        "Content-Length: " + std::to_string(bundle.size()) + "\r\n\r\n" + bundle;
  int fd = connect_raw(server->port());
  // A first exchange on the connection proves the server has accepted it: a stop only
  // drains connections it holds, not ones still waiting in the kernel's backlog.
  const std::string probe = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(::send(fd, probe.data(), probe.size(), 0) == static_cast<ssize_t>(probe.size()));
  std::string first;
  char chunk[4096];
  while (first.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    REQUIRE(n > 0);
    first.append(chunk, static_cast<size_t>(n));
  }
  size_t length_at = first.find("Content-Length: ");
  REQUIRE(length_at != std::string::npos);
  size_t body_length = std::stoul(first.substr(length_at + 16));
  while (first.size() < first.find("\r\n\r\n") + 4 + body_length) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    REQUIRE(n > 0);
    first.append(chunk, static_cast<size_t>(n));
  }
  REQUIRE(first.rfind("HTTP/1.1 200", 0) == 0);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, 0);
    REQUIRE(n > 0);
    sent += static_cast<size_t>(n);
  }
  int status = server->terminate(std::chrono::seconds(60));  // while the transaction is being written
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  CHECK(response.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(response.find("transaction-response") != std::string::npos);
  CHECK(status == 0);
  ServerProcess restarted(data);
  CHECK(parse_json(restarted.client()->get("/fhir/Patient?family=graceful&_summary=count").body)["total"].GetInt() == 8000);
}
