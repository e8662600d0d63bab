// Subscriptions and who may hear of what: a client whose scopes allow one category of a type
// hears of that category only, and behind a proxy notifications name records under the
// public base URL, never the gateway's own address.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "fhir_client.h"
#include "routing_subscription.h"
#include "security_support.h"
#include "server_process.h"
#include "support/test_support.h"
#include "webhook_receiver.h"

using namespace carebridge::testing;

TEST_CASE("routing: a client whose scopes allow one category of Observation hears of that category only",
          "[e2e][routing][security]") {
  WebhookReceiver labs, vitals;
  SecuredGateway g("routing-scoped", {{"hospital", "hosp", "system/*.cruds"},
                                      {"labs", "org-l", "system/Observation.rs?category=laboratory system/Subscription.cruds"},
                                      {"vitals", "org-v", "system/Observation.rs?category=vital-signs system/Patient.rs system/Subscription.cruds"}},
                   "", kLoopbackReceivers);
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto l = SecuredGateway::as(g.token("labs"));
  auto v = SecuredGateway::as(g.token("vitals"));
  std::string patient = str(parse_json(http.post("/fhir/Patient", patient_json("Osei", "Abena"), hospital).body), "id");
  REQUIRE(http.post("/fhir/CareTeam", care_team_json(patient, {"org-l", "org-v"}), hospital).status == 201);
  REQUIRE(http.post("/fhir/Subscription", subscription(labs.url(), "full-resource"), l).status == 201);
  REQUIRE(http.post("/fhir/Subscription", subscription(vitals.url(), "full-resource"), v).status == 201);
  REQUIRE(labs.wait_for(1));
  REQUIRE(vitals.wait_for(1));
  std::string result = created_id(http.post("/fhir/Observation", lab(patient, "2345-7", 140), hospital));
  CHECK(http.get("/fhir/Observation/" + result, l).status == 200);  // the read its scope allows ...
  REQUIRE(eventually_events(labs, 1));                               // ... and so the notification, with it
  CHECK(labs.bodies().back().find(result) != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(vitals.bodies().size() == 1);  // its handshake only
  for (const auto& body : vitals.bodies()) CHECK(body.find(result) == std::string::npos);
  // An R4 Subscription by criteria: the vitals client hears of a heart rate.
  WebhookReceiver classic;
  std::string by_criteria = R"({"resourceType":"Subscription","status":"requested","reason":"vitals","criteria":"Observation?patient=Patient/)" +
                            patient + R"(","channel":{"type":"rest-hook","endpoint":")" + classic.url() + R"(","payload":"application/fhir+json"}})";
  REQUIRE(http.post("/fhir/Subscription", by_criteria, v).status == 201);
  std::string heart = lab(patient, "8867-4", 72);
  heart.replace(heart.find("laboratory"), 10, "vital-signs");
  REQUIRE(eventually([&] { return http.get("/fhir/Subscription?status=active", v).body.find("vitals") != std::string::npos; }));
  std::string rate = created_id(http.post("/fhir/Observation", heart, hospital));
  CHECK(eventually([&] {
    for (const auto& body : classic.bodies())
      if (body.find(rate) != std::string::npos) return true;
    return false;
  }));
}

TEST_CASE("routing: behind a proxy, notifications name records under the public base URL", "[e2e][routing]") {
  WebhookReceiver ids;
  ServerProcess server(temp_dir("routing-public-base"), R"({"public_base_url":"https://gateway.example.org/fhir"})");
  auto c = server.client();
  std::string a = str(parse_json(c->post("/fhir/Patient", patient_json("Ames", "Ann"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Subscription", subscription(ids.url(), "id-only"), json_headers()).status == 201);
  REQUIRE(ids.wait_for(1));
  REQUIRE(c->post("/fhir/Observation", lab(a, "2345-7", 99), json_headers()).status == 201);
  REQUIRE(eventually_events(ids, 1));
  for (const auto& body : ids.bodies()) {
    CHECK(body.find("https://gateway.example.org/fhir/Subscription/") != std::string::npos);
    CHECK(body.find("127.0.0.1") == std::string::npos);
  }
  CHECK(ids.bodies()[1].find("https://gateway.example.org/fhir/Observation/") != std::string::npos);
}
