// The request log keeps no secret and no personal data: requests sent over real
// sockets to a server whose pipeline logs to a file (as `carebridge serve` wires
// it), with a bearer token, searches by a patient's name and birth date (in the
// query and in a form body), and credentials in an absolute-form target; then the
// masking of targets on its own.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "../http/running_server.h"
#include "gateway/pipeline/observers.h"
#include "gateway/pipeline/pipeline.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using namespace carebridge::gateway;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls until the log has `lines` lines (the observer writes after the response).
std::string wait_for_lines(const std::filesystem::path& path, size_t lines) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string log;
  while (std::chrono::steady_clock::now() < deadline) {
    log = read_file(path);
    if (static_cast<size_t>(std::count(log.begin(), log.end(), '\n')) >= lines) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling interval
  }
  return log;
}

pipeline::RouteTable fhir_routes() {
  pipeline::RouteTable table;
  table.add({"fhir", "/fhir", true, http::answer_at_once([](const http::Request&) {
               http::Response r;
               r.body = R"({"resourceType":"Bundle","type":"searchset","total":0})";
               r.set_header("Content-Type", "application/fhir+json");
               return r;
             }),
             nullptr});
  return table;
}

}  // namespace

TEST_CASE("the request log holds neither the bearer token nor the patient searched for",
          "[gateway][pipeline][security]") {
  auto log_file = temp_dir("request-log") / "requests.jsonl";
  config::Logging logging;
  logging.file = log_file.string();
  pipeline::RequestLog request_log(logging);
  pipeline::Pipeline pipe(fhir_routes(), {}, {&request_log});
  auto options = loopback_options();
  options.observer = [&pipe](const http::Request& rq, const http::Response& rs, double s) { pipe.observe(rq, rs, s); };
  RunningServer server(options, [&pipe](std::shared_ptr<const http::Request> request, http::Responder responder) {
    pipe.handle(std::move(request), std::move(responder));
  });

  const std::string bearer = "Authorization: Bearer secret-token-xyz\r\n";
  const std::string form = "family=Quimbyfarrow&birthdate=1957-03-14";
  const std::vector<std::string> requests = {
      "GET /fhir/Patient?family=Quimbyfarrow&given=Ottoline&birthdate=1957-03-14 HTTP/1.1\r\nHost: x\r\n" + bearer +
          "\r\n",
      "GET /fhir/Patient?name%3AQuimbyfarrow&Ottoline HTTP/1.1\r\nHost: x\r\n" + bearer + "\r\n",
      "POST /fhir/Patient/_search HTTP/1.1\r\nHost: x\r\n" + bearer +
          "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(form.size()) +
          "\r\n\r\n" + form,
      "GET http://admin:s3cret-pass@gateway.test/fhir/Patient?name=Quimbyfarrow HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  int fd = connect_loopback(server.port());
  for (size_t i = 0; i < requests.size(); ++i) {
    std::string answer = exchange_raw(fd, requests[i]);
    CHECK(answer.starts_with(i + 1 < requests.size() ? "HTTP/1.1 200" : "HTTP/1.1 404"));  // no route for the last
  }
  ::close(fd);

  std::string log = wait_for_lines(log_file, requests.size());
  INFO(log);
  REQUIRE(std::count(log.begin(), log.end(), '\n') == static_cast<std::ptrdiff_t>(requests.size()));
  for (const char* secret :
       {"secret-token-xyz", "Bearer", "Quimbyfarrow", "Ottoline", "1957-03-14", "admin", "s3cret"}) {
    CHECK(log.find(secret) == std::string::npos);
  }
  // What the log is for is still there: the searches, their parameters' names, the statuses.
  CHECK_THAT(log, Catch::Contains(R"("target":"/fhir/Patient?family=*&given=*&birthdate=*")"));
  CHECK_THAT(log, Catch::Contains(R"("target":"/fhir/Patient/_search")"));
  CHECK_THAT(log, Catch::Contains(R"("target":"http://*@gateway.test/fhir/Patient?name=*")"));
  CHECK_THAT(log, Catch::Contains(R"("status":200)"));
}

TEST_CASE("targets are logged with parameter names only, and without user or password",
          "[gateway][pipeline][security]") {
  using pipeline::redacted_target;
  CHECK(redacted_target("/fhir/metadata") == "/fhir/metadata");
  CHECK(redacted_target("/fhir/Patient?name:exact=Ann&_has:Observation:patient:code=1234-5&") ==
        "/fhir/Patient?name:exact=*&_has:Observation:patient:code=*&");
  // A pair without '=' is all value; a name with escapes or spaces may be a value too.
  CHECK(redacted_target("/fhir/Patient?Quimbyfarrow&&name%3DAnn=x&a b=c") == "/fhir/Patient?*&&*=*&*=*");
  CHECK(redacted_target("https://ann:pw@host:8443/fhir/Patient?x=1") == "https://*@host:8443/fhir/Patient?x=*");
  CHECK(redacted_target("http://ann:p@ss@host") == "http://*@host");    // the last '@' ends the user and password
  CHECK(redacted_target("http://host/fhir/a@b") == "http://host/fhir/a@b");  // an '@' in the path is no user
  // Long targets are cut, and the cut never leaves a part of a password behind.
  std::string long_user = "http://" + std::string(3000, 'u') + ":pw@host/fhir";
  CHECK(redacted_target(long_user) == "http://*@host/fhir");
  CHECK(redacted_target("/fhir/Patient?" + std::string(5000, 'n') + "=1") == "/fhir/Patient?*=*");  // no such name
  CHECK(redacted_target("/fhir/" + std::string(3000, 'x') + "?a=1").size() == 2000);
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "a=1&";
  CHECK(redacted_target("/fhir/Patient?" + many).size() == 2000);
}
