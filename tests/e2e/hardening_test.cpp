// End to end: what a hardened server shows to browsers and abusive clients.
// Security headers on pages, API answers and the server's own refusals (HSTS over
// TLS); per-client rate limits answered 429; and the request log, which never holds
// a bearer token, a patient's name or birth date.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_certificate.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;
using carebridge::gateway::http::ClientOptions;

namespace {

// The status of a GET sent from a socket bound to `source`: every 127.x.y.z is this
// host on Linux, so a test can be another client address.
unsigned status_from(const char* source, uint16_t port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{}, to{};
  from.sin_family = to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, source, &from.sin_addr);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  bool connected = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                   ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string answer;
  if (connected && ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
  }
  if (fd >= 0) ::close(fd);
  return answer.starts_with("HTTP/1.1 ") ? static_cast<unsigned>(std::stoul(answer.substr(9, 3))) : 0;
}

}  // namespace

TEST_CASE("pages carry a content security policy, every answer says nosniff", "[e2e][http][security]") {
  ServerProcess server(temp_dir("security-headers"));
  auto c = server.client();
  auto home = c->get("/", {{"Accept", "text/html"}});
  REQUIRE(home.status == 200);
  CHECK(header(home, "Content-Security-Policy") ==
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  CHECK(header(home, "X-Frame-Options") == "DENY");
  CHECK(header(home, "X-Content-Type-Options") == "nosniff");
  CHECK(header(home, "Referrer-Policy") == "no-referrer");
  CHECK(header(home, "Strict-Transport-Security").empty());  // plain HTTP
  // The policy allows no inline style: the page's style is a stylesheet of its own.
  CHECK_THAT(home.body, !Catch::Contains("<style") && !Catch::Contains(" style=") && Catch::Contains("/web.css"));
  CHECK_THAT(home.body, !Catch::Contains("<script>"));  // and no inline script: /web.js only
  auto css = c->get("/web.css");
  CHECK(css.status == 200);
  CHECK_THAT(header(css, "Content-Type"), Catch::StartsWith("text/css"));

  for (const char* target : {"/fhir/metadata", "/fhir/Patient/missing", "/nowhere"}) {
    INFO(target);
    auto answer = c->get(target);
    CHECK(header(answer, "X-Content-Type-Options") == "nosniff");
    CHECK(header(answer, "Content-Security-Policy").empty());  // not a page
  }
  // Refused by the pipeline's first checks, and by the HTTP server itself.
  CHECK_THAT(raw_exchange(server.port(), "GET /fhir/metadata HTTP/1.1\r\nConnection: close\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 400") && Catch::Contains("X-Content-Type-Options: nosniff"));
  CHECK_THAT(raw_exchange(server.port(), "GET /fhir/metadata HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
             Catch::StartsWith("HTTP/1.1 400") && Catch::Contains("X-Content-Type-Options: nosniff"));
}

TEST_CASE("over TLS, answers carry Strict-Transport-Security", "[e2e][http][security][tls]") {
  auto dir = temp_dir("security-hsts");
  auto certificate = make_test_certificate(dir);
  std::string config = R"({"listen":[{"address":"127.0.0.1:0","tls_certificate":")" + certificate.certificate_file +
                       R"(","tls_private_key":")" + certificate.private_key_file + R"("}]})";
  ServerProcess server(dir / "data", ServerSettings{config, false, true});
  Client secure(
      ClientOptions{"127.0.0.1", server.port(), true, certificate.certificate_file, true, std::chrono::seconds(10)});
  auto home = secure.get("/");
  REQUIRE(home.status == 200);
  CHECK(header(home, "Strict-Transport-Security") == "max-age=31536000");
  CHECK(header(secure.get("/fhir/metadata"), "Strict-Transport-Security") == "max-age=31536000");
}

TEST_CASE("a client past its request rate is answered 429 with Retry-After", "[e2e][http][limits]") {
  ServerProcess server(temp_dir("rate-limit"), R"({"limits":{"requests_per_second":1,"request_burst":3}})");
  auto c = server.client();
  carebridge::gateway::http::Response throttled;
  for (int i = 0; i < 10 && throttled.status != 429; ++i) throttled = c->get("/fhir/Patient?_count=1");
  REQUIRE(throttled.status == 429);
  CHECK(header(throttled, "Retry-After") == "1");
  auto outcome = parse_json(throttled.body);
  REQUIRE(outcome.IsObject());
  CHECK(str(outcome, "resourceType") == "OperationOutcome");
  CHECK(str(outcome["issue"][0], "code") == "throttled");
  CHECK(c->get("/healthz").status == 200);  // probes are not limited
  // Per client address: another address has a whole burst of its own (the first one's is spent).
  for (int i = 0; i < 3; ++i) CHECK(status_from("127.0.0.2", server.port(), "/fhir/metadata") == 200);
  // A second later there is a token again.
  CHECK(eventually([&] { return c->get("/fhir/metadata").status == 200; }, std::chrono::seconds(5)));
}

TEST_CASE("the request log holds no bearer token, patient name or birth date", "[e2e][http][security]") {
  ServerProcess server(temp_dir("log-privacy"));
  auto c = server.client();
  const std::string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtY2xpZW50In0.Zm9ydHVuZUNvb2tpZVNpZ25hdHVyZQ";
  carebridge::gateway::http::Headers bearer = json_headers();
  bearer.emplace_back("Authorization", "Bearer " + token);
  std::string patient = R"({"resourceType":"Patient","name":[{"family":"Quimbyfarrow","given":["Ottoline"]}],)"
                        R"("birthDate":"1957-03-14"})";
  CHECK(c->post("/fhir/Patient", patient, json_headers()).status == 201);
  // A token this server did not issue is refused; the refusal is logged without it.
  CHECK(c->get("/fhir/Patient?family=Quimbyfarrow&given=Ottoline&birthdate=1957-03-14", bearer).status == 401);
  CHECK(c->get("/fhir/Patient?family=Quimbyfarrow&given=Ottoline&birthdate=1957-03-14").status == 200);
  CHECK(c->get("/fhir/Patient?name:exact=Quimbyfarrow&birthdate=eq1957-03-14&_format=json").status == 200);
  CHECK(c->post("/fhir/Patient/_search", "family=Quimbyfarrow&birthdate=1957-03-14",
                {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Bearer " + token}})
            .status == 401);
  // Refused writes and reads name the patient only to the client, never in the log.
  std::string bad = R"({"resourceType":"Patient","name":[{"family":"Quimbyfarrow"}],"birthDate":"1957-14-03"})";
  CHECK(c->post("/fhir/Patient", bad, bearer).status >= 400);
  REQUIRE(eventually([&] {
    std::string log = server.output();
    size_t lines = 0;
    for (size_t at = log.find("\"/fhir/Patient"); at != std::string::npos; at = log.find("\"/fhir/Patient", at + 1)) {
      ++lines;
    }
    return lines >= 5;
  }));
  std::string log = server.output();
  INFO(log);
  for (const std::string& secret : {token, std::string("Zm9ydHVuZUNvb2tpZVNpZ25hdHVyZQ"), std::string("Quimbyfarrow"),
                                    std::string("Ottoline"), std::string("1957-03-14"), std::string("1957-14-03")}) {
    CHECK(log.find(secret) == std::string::npos);
  }
  CHECK_THAT(log, Catch::Contains("family=*"));  // the searches are logged, their values masked
}
