// End to end: a Subscription's life as the Subscriptions Backport IG states it — refused when
// written if the gateway cannot serve it, and a failed handshake making it error until the
// client asks again.
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "routing_subscription.h"
#include "security_support.h"
#include "server_process.h"
#include "support/test_support.h"
#include "webhook_receiver.h"

using namespace carebridge::testing;

TEST_CASE("routing: a Subscription the gateway cannot serve is refused when it is written", "[e2e][routing]") {
  ServerProcess server(temp_dir("routing-refused"));
  auto c = server.client();
  auto refused = [&](const std::string& json) {
    auto r = c->post("/fhir/Subscription", json, json_headers());
    INFO(json << "\n-> " << r.body.substr(0, 400));
    CHECK(r.body.find("OperationOutcome") != std::string::npos);
    return r.status;
  };
  CHECK(refused(subscription("https://clinic.example/hook", "full-resource", "Observation?foo=bar")) == 422);  // no such filter
  std::string unknown_topic = subscription("https://clinic.example/hook", "full-resource");
  unknown_topic.replace(unknown_topic.find(kLabTopic), std::string(kLabTopic).size(), "http://example.org/SubscriptionTopic/none");
  CHECK(refused(unknown_topic) == 422);
  std::string email = subscription("https://clinic.example/hook", "full-resource");
  email.replace(email.find("\"rest-hook\""), 11, "\"email\"");
  CHECK(refused(email) == 422);
  CHECK(refused(R"({"resourceType":"Subscription","status":"requested","reason":"r","criteria":"Observation?foo=bar",)"
                R"("channel":{"type":"rest-hook","endpoint":"https://clinic.example/hook","payload":"application/fhir+json"}})") == 422);
  CHECK(c->post("/fhir/Subscription", subscription("https://clinic.example/hook", "full-resource", "Observation?patient=Patient/1"),
                json_headers()).status == 201);
}


TEST_CASE("routing: a failed handshake makes the subscription error, set requested again it retries", "[e2e][routing][fault]") {
  WebhookReceiver receiver;
  receiver.set_down(true);
  ServerProcess server(temp_dir("routing-handshake"));
  auto c = server.client();
  auto created = c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers());
  REQUIRE(created.status == 201);
  std::string id = str(parse_json(created.body), "id");
  auto status = [&] { return str(parse_json(c->get("/fhir/Subscription/" + id).body), "status"); };
  REQUIRE(eventually([&] { return status() == "error"; }));
  CHECK(str(parse_json(c->get("/fhir/Subscription/" + id).body), "error").find("handshake") != std::string::npos);
  // The receiver is back; the client asks again (the IG's recovery): handshake, then active.
  receiver.set_down(false);
  std::string again = subscription(receiver.url(), "id-only");
  again.insert(1, R"("id":")" + id + R"(",)");
  REQUIRE(c->put("/fhir/Subscription/" + id, again, json_headers()).status == 200);
  REQUIRE(receiver.wait_for(1));
  CHECK(eventually([&] { return status() == "active"; }));
}

TEST_CASE("routing: with tokens required a client cannot make the gateway post to its own machine", "[e2e][routing][security]") {
  WebhookReceiver local;  // a service listening on the gateway's loopback only
  SecuredGateway g("routing-loopback", {{"clinic-a", "org-a", "system/*.cruds"}});
  auto a = SecuredGateway::as(g.token("clinic-a"));
  auto created = g.http().post("/fhir/Subscription", subscription(local.url(), "id-only"), a);
  REQUIRE(created.status == 201);
  std::string id = str(parse_json(created.body), "id");
  auto stored = [&] { return parse_json(g.http().get("/fhir/Subscription/" + id, a).body); };
  REQUIRE(eventually([&] { return str(stored(), "status") == "error"; }));
  CHECK(str(stored(), "error").find("loopback") != std::string::npos);
  CHECK(local.bodies().empty());
}
