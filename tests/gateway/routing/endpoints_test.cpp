// Where the gateway posts notifications, and what it sends there: no private address
// reached through another spelling of it, no request headers smuggled in channel.header.
#include <catch2/catch.hpp>

#include "gateway/routing/delivery.h"
#include "gateway/routing/subscription.h"
#include "support/test_support.h"

using carebridge::gateway::routing::endpoint_refusal;

TEST_CASE("rest-hook endpoints: private addresses are refused however they are written", "[routing]") {
  for (const char* internal : {"https://[::ffff:169.254.169.254]/latest/meta-data", "https://[::ffff:10.0.0.1]/hook",
                               "https://[::ffff:a9fe:a9fe]/x", "https://[64:ff9b::a9fe:a9fe]/x", "https://[::a9fe:a9fe]/x",
                               "https://169.254.169.254/x", "https://10.1.2.3/x", "https://224.0.0.1/x", "https://[fe80::1]/x",
                               "https://[fd00::1]/x", "https://0.0.0.0/x"}) {
    INFO(internal);
    CHECK(endpoint_refusal(internal, {}).find("private") != std::string::npos);
  }
  // A host name that starts like a loopback address is not one: http is refused for it.
  CHECK(endpoint_refusal("http://127.internal.invalid/hook", {}).find("https") != std::string::npos);
  CHECK(endpoint_refusal("http://127.0.0.1:8080/hook", {}).empty());
  CHECK(endpoint_refusal("http://[::1]:8080/hook", {}).empty());
  CHECK(endpoint_refusal("https://10.1.2.3/x", {"10.1.2.3"}).empty());  // allow-listed
  CHECK(!endpoint_refusal("ftp://example.org/x", {}).empty());
}

TEST_CASE("channel.header: a line break or a framing header is not sent", "[routing]") {
  carebridge::fhir::search::SearchRegistry registry{carebridge::testing::core()};
  carebridge::gateway::routing::Topics topics;
  std::string json = R"({"resourceType":"Subscription","status":"requested","reason":"t","criteria":"Observation?code=1",)"
                     R"("channel":{"type":"rest-hook","endpoint":"https://clinic.example/hook","payload":"application/fhir+json",)"
                     R"("header":["Authorization: Bearer abc","X-A: b\r\nX-Injected: yes","Host: evil.example",)"
                     R"("Content-Length: 0","Bad Name: x","X-Tenant: 7"]}})";
  auto read = carebridge::gateway::routing::read_subscription(json, topics, registry);
  REQUIRE(read.ok());
  std::vector<std::pair<std::string, std::string>> expected{{"Authorization", "Bearer abc"}, {"X-Tenant", "7"}};
  CHECK(read->headers == expected);
}
