// End to end: bad input is answered with a status and an OperationOutcome and the
// server keeps serving: malformed JSON and XML, wrong resource types, oversized
// bodies (413) and headers (431), unknown types, slow clients (closed at the
// request deadline while others are served), unsupported media types.
#include <algorithm>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

void expect_outcome(const carebridge::gateway::http::Response& r, unsigned status) {
  INFO(r.status << " " << r.body.substr(0, 300));
  CHECK(r.status == status);
  bool json = str(parse_json(r.body), "resourceType") == "OperationOutcome";
  bool xml = r.body.find("<OperationOutcome xmlns=\"http://hl7.org/fhir\">") != std::string::npos;
  CHECK((json || xml));
}

}  // namespace

TEST_CASE("bad requests get a status and an OperationOutcome, the server keeps serving", "[gateway][e2e][bad-input]") {
  ServerProcess server(temp_dir("bad-input"), R"({"limits":{"max_body_bytes":200000,"request_timeout_ms":1500,"max_header_bytes":8192}})");
  auto c = server.client();
  expect_outcome(c->post("/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":"x"})", json_headers()), 400);
  expect_outcome(c->post("/fhir/Patient", "<Patient xmlns=\"http://hl7.org/fhir\"><name>", xml_headers()), 400);
  expect_outcome(c->post("/fhir/Patient", R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})", json_headers()), 400);
  expect_outcome(c->post("/fhir/Patient", R"({"resourceType":"Patient","unknownThing":1})", json_headers()), 400);
  expect_outcome(c->post("/fhir/Patient", "", json_headers()), 400);
  expect_outcome(c->post("/fhir/Patient", "name=x", {{"Content-Type", "text/plain"}}), 415);
  expect_outcome(c->post("/fhir/Patient", "\xff\xfe{", json_headers()), 400);
  // A lone low-surrogate escape is no character: refused like malformed UTF-8, never stored.
  expect_outcome(c->post("/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":"\udc00x"}]})", json_headers()), 400);
  CHECK(c->post("/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":"\uD842\uDFB7"}]})", json_headers()).status == 201);
  expect_outcome(c->get("/fhir/Spaceship/1"), 404);
  expect_outcome(c->get("/fhir/Patient/not_a valid id"), 400);
  expect_outcome(c->send({"PATCH", "/fhir/Patient/1", {{"Content-Type", "text/plain"}}, "{}", {}, false}), 415);  // no patch format
  expect_outcome(c->send({"PATCH", "/fhir/Patient/1", json_headers(), "{}", {}, false}), 400);  // not a FHIRPath Patch's Parameters
  expect_outcome(c->send({"PATCH", "/fhir/Patient/1", {{"Content-Type", "application/json-patch+json"}}, "{", {}, false}), 400);
  // PATCH on a type is a conditional patch: without criteria it would patch every Patient
  expect_outcome(c->send({"PATCH", "/fhir/Patient", {{"Content-Type", "application/json-patch+json"}}, "[]", {}, false}), 400);
  expect_outcome(c->put("/fhir/Patient/abc", R"({"resourceType":"Patient"})", json_headers()), 400);  // no id in body
  expect_outcome(c->get("/fhir/Patient", {{"Accept", "text/html"}}), 406);
  // XML with an external entity is refused, not expanded.
  auto xxe = c->post("/fhir/Patient",
                     R"(<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>)"
                     R"(<Patient xmlns="http://hl7.org/fhir"><name><family value="&x;"/></name></Patient>)",
                     xml_headers());
  CHECK(xxe.status == 400);
  CHECK(xxe.body.find("root:") == std::string::npos);

  // 413 for a body over the limit; the connection is closed, a new one works.
  std::string big = R"({"resourceType":"Patient","name":[{"family":")" + std::string(300000, 'a') + R"("}]})";
  expect_outcome(c->post("/fhir/Patient", big, json_headers()), 413);
  // Thousands of problems are answered with the first thousand and how many more, not a
  // hundred MB of OperationOutcome.
  std::string unknown = R"({"resourceType":"Patient")";
  for (int i = 0; i < 5000; ++i) unknown += ",\"x" + std::to_string(i) + "\":1";
  auto many = c->post("/fhir/Patient", unknown + "}", json_headers());
  CHECK(many.status == 400);
  auto outcome = parse_json(many.body);
  CHECK(outcome["issue"].Size() == 1001);
  CHECK(std::string(outcome["issue"][1000]["details"]["text"].GetString()).starts_with("4000 more issues are not listed"));
  // 431 for headers over the limit.
  expect_outcome(c->get("/fhir/metadata", {{"X-Padding", std::string(20000, 'p')}}), 431);

  // A slow client that never finishes its request is cut off at the deadline,
  // while other clients are served meanwhile.
  int slow = connect_raw(server.port());
  std::string partial = "POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"resourceType\"";
  REQUIRE(::send(slow, partial.data(), partial.size(), 0) == static_cast<ssize_t>(partial.size()));
  auto other = server.client();
  CHECK(other->get("/fhir/metadata").status == 200);
  timeval timeout{10, 0};
  ::setsockopt(slow, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char buffer[256];
  auto started = std::chrono::steady_clock::now();
  ssize_t n = ::recv(slow, buffer, sizeof buffer, 0);  // returns when the server closes the connection
  CHECK(n <= 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(8));
  ::close(slow);

  // Garbage instead of HTTP.
  int garbage = connect_raw(server.port());
  std::string junk = "\x01\x02 not http at all\r\n\r\n";
  ::send(garbage, junk.data(), junk.size(), 0);
  ::setsockopt(garbage, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  n = ::recv(garbage, buffer, sizeof buffer, 0);
  CHECK(n > 0);
  CHECK(std::string(buffer, static_cast<size_t>(std::max<ssize_t>(n, 0))).find("400") != std::string::npos);
  ::close(garbage);

  // Still serving.
  auto fine = server.client()->post("/fhir/Patient", patient_json("Still", "Here"), json_headers());
  CHECK(fine.status == 201);
}

TEST_CASE("pipelined requests on one connection are answered in order", "[gateway][e2e]") {
  ServerProcess server(temp_dir("pipelining"));
  int fd = connect_raw(server.port());
  std::string requests;
  for (int i = 0; i < 3; ++i) requests += "GET /fhir/Patient/p" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  requests += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, requests.data(), requests.size(), 0) == static_cast<ssize_t>(requests.size()));
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string all;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) all.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    at = all.find("HTTP/1.1 404", at);
    REQUIRE(at != std::string::npos);
    auto p = all.find("Patient/p" + std::to_string(i), at);
    CHECK(p != std::string::npos);
    at = p;
  }
  CHECK(all.find("HTTP/1.1 200", at) != std::string::npos);
}

TEST_CASE("operations: metadata validate healthz readyz metrics graceful stop", "[gateway][e2e]") {
  ServerProcess server(temp_dir("operations"));
  auto c = server.client();
  auto metadata = c->get("/fhir/metadata");
  REQUIRE(metadata.status == 200);
  auto cs = parse_json(metadata.body);
  CHECK(str(cs, "resourceType") == "CapabilityStatement");
  CHECK(str(cs, "fhirVersion") == "4.0.1");
  CHECK(cs["rest"][0]["resource"].Size() == 146);  // every concrete R4 resource type
  CHECK(metadata.body.find("\"name\":\"value-quantity\"") != std::string::npos);
  // The Backport IG's R4 server statement: instantiated, topics discoverable on the Subscription
  // entry, its profile supported and its operations listed with their definitions.
  // _revinclude's choices are listed on the type searched: Observation:subject on Patient.
  CHECK(metadata.body.find("\"searchRevInclude\":[") != std::string::npos);
  for (const auto& r : cs["rest"][0]["resource"].GetArray()) {
    if (str(r, "type") != "Patient") continue;
    std::vector<std::string> reverse;
    for (const auto& v : r["searchRevInclude"].GetArray()) reverse.push_back(v.GetString());
    CHECK(std::count(reverse.begin(), reverse.end(), "Observation:subject") == 1);
    CHECK(std::count(reverse.begin(), reverse.end(), "Observation:code") == 0);
  }
  REQUIRE(cs.HasMember("instantiates"));
  CHECK(cs["instantiates"][0].GetString() ==
        std::string("http://hl7.org/fhir/uv/subscriptions-backport/CapabilityStatement/backport-subscription-server-r4"));
  const auto& resources = cs["rest"][0]["resource"];
  const rapidjson::Value* subscription = nullptr;
  for (const auto& r : resources.GetArray())
    if (str(r, "type") == "Subscription") subscription = &r;
  REQUIRE(subscription);
  REQUIRE(subscription->HasMember("extension"));
  CHECK(str((*subscription)["extension"][0], "url") ==
        "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/capabilitystatement-subscriptiontopic-canonical");
  CHECK((*subscription)["supportedProfile"][0].GetString() ==
        std::string("http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription"));
  std::vector<std::string> operations;
  for (const auto& o : (*subscription)["operation"].GetArray()) operations.push_back(str(o, "definition"));
  CHECK(std::count(operations.begin(), operations.end(),
                   "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status") == 1);
  CHECK(std::count(operations.begin(), operations.end(),
                   "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-events") == 1);
  CHECK(c->get("/fhir/metadata", {{"Accept", "application/fhir+xml"}}).body.find("<CapabilityStatement") != std::string::npos);

  auto valid = c->post("/fhir/Patient/$validate", patient_json("Valid", "V"), json_headers());
  CHECK(valid.status == 200);
  CHECK(str(parse_json(valid.body), "resourceType") == "OperationOutcome");
  auto wrong_type = c->post("/fhir/Observation/$validate", patient_json("Valid", "V"), json_headers());
  CHECK(wrong_type.status == 400);

  CHECK(c->get("/healthz").status == 200);
  CHECK(c->get("/readyz").status == 200);
  c->post("/fhir/Patient", patient_json("Metric", "M"), json_headers());
  auto metrics = c->get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("carebridge_http_requests_total{route=\"/fhir/Patient\",method=\"POST\",status=\"201\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("carebridge_http_request_duration_seconds_bucket{route=\"/fhir/metadata\"") != std::string::npos);
  CHECK(metrics.body.find("carebridge_store_operation_duration_seconds_count{operation=\"commit\"}") != std::string::npos);

  CHECK(server.terminate() == 0);
  CHECK(server.output().find("carebridge: stopped") != std::string::npos);
}

TEST_CASE("Expect: 100-continue gets the interim answer before the body is sent", "[gateway][e2e]") {
  ServerProcess server(temp_dir("continue"));
  int fd = connect_raw(server.port());
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string body = patient_json("Continue", "C");
  std::string head = "POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nExpect: 100-continue\r\n"
                     "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  REQUIRE(::send(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()));
  char buffer[4096];
  ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  REQUIRE(n > 0);
  CHECK(std::string(buffer, static_cast<size_t>(n)).rfind("HTTP/1.1 100 Continue", 0) == 0);
  REQUIRE(::send(fd, body.data(), body.size(), 0) == static_cast<ssize_t>(body.size()));
  std::string all;
  for (; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) all.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  CHECK(all.rfind("HTTP/1.1 201", 0) == 0);
}

TEST_CASE("a search that runs past limits.search_timeout_ms answers 503 and the server keeps serving", "[gateway][e2e][bad-input]") {
  ServerProcess server(temp_dir("search-timeout"), R"({"limits":{"search_timeout_ms":1}})");
  auto c = server.client();
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  for (int i = 0; i < 4000; ++i) {
    if (i) bundle += ',';
    bundle += R"({"resource":)" + patient_json("Family" + std::to_string(i), "Given") +
              R"(,"request":{"method":"POST","url":"Patient"}})";
  }
  bundle += "]}";
  REQUIRE(c->post("/fhir", bundle, json_headers()).status == 200);
  // Sorting every Patient by name takes far longer than a millisecond.
  auto slow = c->get("/fhir/Patient?_sort=-family&_count=5", json_headers());
  CHECK(slow.status == 503);
  CHECK(slow.body.find("too-costly") != std::string::npos);
  CHECK(c->get("/fhir/metadata", json_headers()).status == 200);  // no search: no deadline to race
}
