// End to end: a Subscription's life as the Subscriptions Backport IG states it — refused when
// written if the gateway cannot serve it, and a failed handshake making it error until the
// client asks again.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "fhir_client.h"
#include "gateway/security/access_facts.h"
#include "gateway/store/sqlite_store.h"
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
  // A payload the gateway cannot send (the IG, Accepting Subscription Requests: "the payload
  // configuration is known and implemented"; another FHIR version SHALL not be accepted).
  auto with_payload = [](const std::string& from, const std::string& to) {
    std::string json = subscription("https://clinic.example/hook", "full-resource");
    return json.replace(json.find(from), from.size(), to);
  };
  CHECK(refused(with_payload("application/fhir+json", "text/plain")) == 422);
  CHECK(refused(with_payload("application/fhir+json", "application/fhir+json; fhirVersion=5.0")) == 422);
  CHECK(refused(with_payload("\"full-resource\"", "\"everything\"")) == 422);
  CHECK(c->post("/fhir/Subscription", subscription("https://clinic.example/hook", "full-resource", "Observation?patient=Patient/1"),
                json_headers()).status == 201);
}


TEST_CASE("routing: a failed handshake makes the subscription error, set requested again it retries and forgets the error",
          "[e2e][routing][fault]") {
  WebhookReceiver receiver;
  receiver.set_down(true);
  ServerProcess server(temp_dir("routing-handshake"));
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()));
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
  // Its status no longer tells of the failure that is past.
  CHECK(c->get("/fhir/Subscription/" + id + "/$status").body.find("\"name\":\"error\"") == std::string::npos);
}

TEST_CASE("routing: a subscription set off and then requested again is handshaken and becomes active", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-off-on"));
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()));
  auto status = [&] { return str(parse_json(c->get("/fhir/Subscription/" + id).body), "status"); };
  REQUIRE(eventually([&] { return status() == "active"; }));
  auto put_status = [&](const std::string& wanted) {
    std::string body = subscription(receiver.url(), "id-only");
    body.replace(body.find("\"requested\""), 11, "\"" + wanted + "\"");
    body.insert(1, R"("id":")" + id + R"(",)");
    return c->put("/fhir/Subscription/" + id, body, json_headers()).status;
  };
  REQUIRE(put_status("off") == 200);
  size_t handshakes = receiver.bodies().size();
  REQUIRE(put_status("requested") == 200);
  // The IG: the server moves requested to active, after a handshake.
  REQUIRE(receiver.wait_for(handshakes + 1));
  CHECK(receiver.bodies().back().find("\"handshake\"") != std::string::npos);
  CHECK(eventually([&] { return status() == "active"; }));
}

TEST_CASE("routing: a Subscription a client creates active or error is stored requested until its handshake", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-initial-status"));
  auto c = server.client();
  for (std::string claimed : {"active", "error"}) {
    std::string body = subscription(receiver.url(), "id-only");
    body.replace(body.find("\"requested\""), 11, "\"" + claimed + "\"");
    auto created = c->post("/fhir/Subscription", body, json_headers());
    REQUIRE(created.status == 201);
    INFO(claimed << " -> " << created.body.substr(0, 300));
    CHECK(str(parse_json(created.body), "status") == "requested");
  }
  REQUIRE(receiver.wait_for(2));  // both handshaken, the one claimed "error" too
}

TEST_CASE("routing: $events and $resend answer 400 to an event number that is not one", "[e2e][routing]") {
  ServerProcess server(temp_dir("routing-event-numbers"));
  auto c = server.client();
  auto created = c->post("/fhir/Subscription", subscription("https://clinic.example/hook", "id-only"), json_headers());
  REQUIRE(created.status == 201);
  std::string base = "/fhir/Subscription/" + str(parse_json(created.body), "id");
  for (std::string query : {"$events?eventsSinceNumber=abc", "$events?eventsUntilNumber=-1", "$events?eventsSinceNumber=2x"}) {
    auto r = c->get(base + "/" + query);
    INFO(query << " -> " << r.body.substr(0, 300));
    CHECK(r.status == 400);
    CHECK(r.body.find("OperationOutcome") != std::string::npos);
  }
  CHECK(c->post(base + "/$resend?eventsSinceNumber=one", "", json_headers()).status == 400);
  CHECK(c->get(base + "/$events?eventsSinceNumber=1&eventsUntilNumber=5").status == 200);
}

TEST_CASE("routing: with tokens required a client cannot make the gateway post to its own machine", "[e2e][routing][security]") {
  WebhookReceiver local;  // a service listening on the gateway's loopback only
  SecuredGateway g("routing-loopback", {{"clinic-a", "org-a", "system/*.cruds"}});
  auto a = SecuredGateway::as(g.token("clinic-a"));
  std::string id = created_id(g.http().post("/fhir/Subscription", subscription(local.url(), "id-only"), a));
  auto stored = [&] { return parse_json(g.http().get("/fhir/Subscription/" + id, a).body); };
  REQUIRE(eventually([&] { return str(stored(), "status") == "error"; }));
  CHECK(str(stored(), "error").find("loopback") != std::string::npos);
  CHECK(local.bodies().empty());
}

TEST_CASE("routing: with tokens required a client discovers the topics the gateway ships", "[e2e][routing][security]") {
  SecuredGateway g("routing-topics", {{"clinic-a", "org-a", "system/*.rs"}});
  auto a = SecuredGateway::as(g.token("clinic-a"));
  // The Backport IG's R4 form of a topic: a Basic carrying the R5 SubscriptionTopic.
  auto topic = g.http().get("/fhir/Basic/subscription-topic-lab-results", a);
  INFO(topic.body.substr(0, 300));
  CHECK(topic.status == 200);
  CHECK(topic.body.find(kLabTopic) != std::string::npos);
  auto listed = parse_json(g.http().get("/fhir/Basic?code=http://hl7.org/fhir/fhir-types|SubscriptionTopic", a).body);
  CHECK(listed["total"].GetInt() >= 1);
}

TEST_CASE("routing: topics stored by an older build, which hid them, become readable at the next start",
          "[e2e][routing][security]") {
  SecuredGateway g("routing-topics-old", {{"clinic-a", "org-a", "system/*.rs"}});
  const std::string path = "/fhir/Basic/subscription-topic-lab-results";
  REQUIRE(g.http().get(path, SecuredGateway::as(g.token("clinic-a"))).status == 200);
  // As an older build left it: the same topic, with access facts that show it to no client.
  g.restart([](const std::filesystem::path& data) {
    namespace store = carebridge::gateway::store;
    store::SqliteOptions options;
    options.directory = data;
    store::SqliteStore old(options);
    auto topic = old.read("Basic", "subscription-topic-lab-results");
    REQUIRE(topic);
    store::Write hidden;
    hidden.record = *topic;
    hidden.record.version = topic->version + 1;
    std::string from = "\"versionId\":\"" + std::to_string(topic->version) + "\"";
    auto at = hidden.record.body.find(from);
    REQUIRE(at != std::string::npos);
    hidden.record.body.replace(at, from.size(), "\"versionId\":\"" + std::to_string(hidden.record.version) + "\"");
    hidden.record.method = "PUT";
    hidden.record.access = carebridge::gateway::security::encode(carebridge::gateway::security::AccessFacts{});
    hidden.expected_version = topic->version;
    REQUIRE(old.commit({hidden}).ok());
  });
  // Publishing the same topic again stores it with the facts this build gives it.
  auto topic = g.http().get(path, SecuredGateway::as(g.token("clinic-a")));
  INFO(topic.body.substr(0, 300));
  CHECK(topic.status == 200);
}

TEST_CASE("routing: a client that writes its subscription error or active asks for a handshake", "[e2e][routing][security]") {
  WebhookReceiver receiver;
  SecuredGateway g("routing-client-status", {{"clinic-a", "org-a", "system/*.cruds"}}, "", kLoopbackReceivers);
  auto a = SecuredGateway::as(g.token("clinic-a"));
  std::string id = created_id(g.http().post("/fhir/Subscription", subscription(receiver.url(), "id-only"), a));
  auto status = [&] { return str(parse_json(g.http().get("/fhir/Subscription/" + id, a).body), "status"); };
  REQUIRE(eventually([&] { return status() == "active"; }));
  // Only the gateway says a subscription failed: a client's "error" is a request to try again.
  std::string errored = subscription(receiver.url(), "id-only");
  errored.insert(1, R"("id":")" + id + R"(",)");
  errored.replace(errored.find("\"requested\""), 11, "\"error\"");
  auto put = g.http().put("/fhir/Subscription/" + id, errored, a);
  REQUIRE(put.status == 200);
  CHECK(str(parse_json(put.body), "status") == "requested");
  CHECK(eventually([&] { return status() == "active"; }));
  CHECK(receiver.wait_for(2));  // the first handshake and the one asked for
}

TEST_CASE("routing: a subscription whose payload is application/fhir+xml is sent FHIR XML", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-xml"));
  auto c = server.client();
  std::string json = subscription(receiver.url(), "id-only");
  json.replace(json.find("application/fhir+json"), 21, "application/fhir+xml");
  REQUIRE(c->post("/fhir/Subscription", json, json_headers()).status == 201);
  REQUIRE(receiver.wait_for(1));
  // The IG, channels: "The content-type of the POST SHALL match the MIME type on the Subscription".
  CHECK(receiver.last_header("content-type").starts_with("application/fhir+xml"));
  std::string body = receiver.bodies().front();
  INFO(body.substr(0, 300));
  CHECK(body.find("<Bundle xmlns=\"http://hl7.org/fhir\">") != std::string::npos);
  CHECK(body.find("<valueCode value=\"handshake\"/>") != std::string::npos);
  // _format's shorthand as the payload is sent as the MIME type it stands for, never "Content-Type: xml".
  WebhookReceiver shorthand;
  std::string short_json = subscription(shorthand.url(), "id-only");
  short_json.replace(short_json.find("application/fhir+json"), 21, "xml");
  REQUIRE(c->post("/fhir/Subscription", short_json, json_headers()).status == 201);
  REQUIRE(shorthand.wait_for(1));
  CHECK(shorthand.last_header("content-type").starts_with("application/fhir+xml"));
}

TEST_CASE("routing: $events and $status by POST read their Parameters body", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-post-operations"));
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()));
  for (int i = 0; i < 3; ++i) REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 90 + i), json_headers()).status == 201);
  REQUIRE(receiver.wait_for(2));
  auto events = c->post("/fhir/Subscription/" + id + "/$events",
                        R"({"resourceType":"Parameters","parameter":[{"name":"eventsSinceNumber","valueString":"3"}]})",
                        json_headers());
  REQUIRE(events.status == 200);
  INFO(events.body.substr(0, 600));
  CHECK(events.body.find(R"({"name":"event-number","valueString":"3"})") != std::string::npos);
  CHECK(events.body.find(R"({"name":"event-number","valueString":"1"})") == std::string::npos);
  auto status = c->post("/fhir/Subscription/$status",
                        R"({"resourceType":"Parameters","parameter":[{"name":"id","valueString":")" + id + R"("}]})", json_headers());
  REQUIRE(status.status == 200);
  CHECK(status.body.find(R"("total":1)") != std::string::npos);
  // The same Parameters in XML.
  auto xml_headers_json_answer = json_headers();
  xml_headers_json_answer.front().second = "application/fhir+xml";
  auto from_xml = c->post("/fhir/Subscription/" + id + "/$events",
                          R"(<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="eventsSinceNumber"/>)"
                          R"(<valueString value="3"/></parameter></Parameters>)",
                          xml_headers_json_answer);
  REQUIRE(from_xml.status == 200);
  INFO(from_xml.body.substr(0, 600));
  CHECK(from_xml.body.find(R"({"name":"event-number","valueString":"3"})") != std::string::npos);
  CHECK(from_xml.body.find(R"({"name":"event-number","valueString":"1"})") == std::string::npos);
}

TEST_CASE("routing: a subscription past its Subscription.end is set off and sent nothing", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-end"));
  auto c = server.client();
  // FHIR R4 Subscription.end: "The time for the server to turn the subscription off".
  std::string json = subscription(receiver.url(), "id-only");
  json.insert(1, R"("end":"2020-12-31T12:00:00Z",)");
  std::string id = created_id(c->post("/fhir/Subscription", json, json_headers()));
  CHECK(eventually([&] { return str(parse_json(c->get("/fhir/Subscription/" + id).body), "status") == "off"; }));
  REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 90), json_headers()).status == 201);
  CHECK_FALSE(receiver.wait_for(1, 2));  // no handshake, no event
  auto events = c->get("/fhir/Subscription/" + id + "/$events");
  CHECK(events.body.find("notification-event") == std::string::npos);
}

TEST_CASE("routing: $status and $events answer in XML when the client asks for it", "[e2e][routing]") {
  ServerProcess server(temp_dir("routing-operations-xml"));
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription("https://clinic.example/hook", "id-only"), json_headers()));
  auto is_xml = [](const carebridge::gateway::http::Response& r) {
    INFO(r.status << " " << r.body.substr(0, 200));
    return r.status == 200 && r.body.find("<Bundle") != std::string::npos && header(r, "Content-Type").starts_with("application/fhir+xml");
  };
  CHECK(is_xml(c->get("/fhir/Subscription/" + id + "/$status", {{"Accept", "application/fhir+xml"}})));
  CHECK(is_xml(c->get("/fhir/Subscription/" + id + "/$events?_format=xml")));
  CHECK(is_xml(c->get("/fhir/Subscription/$status?_format=xml")));
  // Asked by Accept, the type-level $status still lists the subscription (its search was read as JSON).
  auto listed = c->get("/fhir/Subscription/$status", {{"Accept", "application/fhir+xml"}});
  CHECK(is_xml(listed));
  CHECK(listed.body.find(id) != std::string::npos);
  auto missing = c->get("/fhir/Subscription/none/$status", {{"Accept", "application/fhir+xml"}});
  CHECK(missing.status == 404);
  CHECK(missing.body.find("<OperationOutcome") != std::string::npos);
  CHECK(c->get("/fhir/Subscription/" + id + "/$status", {{"Accept", "text/csv"}}).status == 406);
  CHECK(c->get("/fhir/Subscription/" + id + "/$status").body.starts_with("{"));
}

TEST_CASE("routing: a subscription turned on again is handshaken with the count of its events so far", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-handshake-count"));
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()));
  REQUIRE(receiver.wait_for(1));
  CHECK(receiver.bodies().front().find(R"("events-since-subscription-start","valueString":"0")") != std::string::npos);
  REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 90), json_headers()).status == 201);
  REQUIRE(receiver.wait_for(2));
  REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 91), json_headers()).status == 201);
  REQUIRE(receiver.wait_for(3));
  for (std::string status : {"off", "requested"}) {
    std::string body = subscription(receiver.url(), "id-only");
    body.replace(body.find("\"requested\""), 11, "\"" + status + "\"");
    body.insert(1, R"("id":")" + id + R"(",)");
    REQUIRE(c->put("/fhir/Subscription/" + id, body, json_headers()).status == 200);
  }
  // The Backport IG: events since the subscription was created, not since it was turned on.
  REQUIRE(receiver.wait_for(4));
  std::string handshake = receiver.bodies().back();
  INFO(handshake.substr(0, 600));
  CHECK(handshake.find(R"("handshake")") != std::string::npos);
  CHECK(handshake.find(R"("events-since-subscription-start","valueString":"2")") != std::string::npos);
}

TEST_CASE("routing: a Subscription made again under a deleted one's id has its own events from 1", "[e2e][routing]") {
  WebhookReceiver first, second;
  ServerProcess server(temp_dir("routing-id-again"));
  auto c = server.client();
  std::string version;  // of the last one made
  auto made = [&](const WebhookReceiver& to) {
    std::string body = subscription(to.url(), "id-only");
    body.insert(1, R"("id":"results",)");
    auto r = c->put("/fhir/Subscription/results", body, json_headers());
    version = str(parse_json(r.body)["meta"], "versionId");
    return r.status;
  };
  REQUIRE(made(first) == 201);
  REQUIRE(first.wait_for(1));
  for (int i = 0; i < 3; ++i) REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 90 + i), json_headers()).status == 201);
  REQUIRE(eventually([&] { return first.bodies().back().find(R"("event-number","valueString":"3")") != std::string::npos; }));
  REQUIRE(c->del("/fhir/Subscription/results").status < 300);
  REQUIRE(made(second) == 201);
  REQUIRE(second.wait_for(1));  // a handshake: it is a new subscription
  CHECK(second.bodies().front().find(R"("events-since-subscription-start","valueString":"0")") != std::string::npos);
  REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 99), json_headers()).status == 201);
  REQUIRE(second.wait_for(2));
  INFO(second.bodies().back().substr(0, 600));
  CHECK(second.bodies().back().find(R"("event-number","valueString":"1")") != std::string::npos);
  auto events = c->get("/fhir/Subscription/results/$events");
  CHECK(events.body.find(R"("event-number","valueString":"1")") != std::string::npos);
  CHECK(events.body.find(R"("event-number","valueString":"2")") == std::string::npos);  // the deleted one's are not its own
  // A client cannot move where a subscription's events start.
  const std::string started = R"({"system":"urn:carebridge:subscription-start","code":")" + version + "\"}";
  CHECK(c->get("/fhir/Subscription/results").body.find(started) != std::string::npos);
  std::string forged = subscription(second.url(), "id-only");
  forged.insert(1, R"("id":"results","meta":{"tag":[{"system":"urn:carebridge:subscription-start","code":"1"}]},)");
  REQUIRE(c->put("/fhir/Subscription/results", forged, json_headers()).status == 200);
  CHECK(c->get("/fhir/Subscription/results").body.find(started) != std::string::npos);
}

TEST_CASE("routing: the notifications of a plain R4 criteria subscription name no topic", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-criteria-topic"));
  auto c = server.client();
  std::string criteria = R"({"resourceType":"Subscription","status":"requested","reason":"r","criteria":"Observation?code=2345-7",)"
                         R"("channel":{"type":"rest-hook","endpoint":")" + receiver.url() + R"(","payload":"application/fhir+json"}})";
  REQUIRE(c->post("/fhir/Subscription", criteria, json_headers()).status == 201);
  REQUIRE(receiver.wait_for(1));
  INFO(receiver.bodies().front().substr(0, 600));
  CHECK(receiver.bodies().front().find(R"("name":"topic")") == std::string::npos);  // its search is no topic canonical
  CHECK(receiver.bodies().front().find(R"("handshake")") != std::string::npos);
}

TEST_CASE("routing: criteria that chain to the patient fire on the records about that patient", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-chained-criteria"));
  auto c = server.client();
  std::string fox = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Fox"}]})");
  std::string gray = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Gray"}]})");
  std::string criteria = R"({"resourceType":"Subscription","status":"requested","reason":"r","criteria":"Observation?subject:Patient.name=fox",)"
                         R"("channel":{"type":"rest-hook","endpoint":")" + receiver.url() + R"(","payload":"application/fhir+json"}})";
  REQUIRE(c->post("/fhir/Subscription", criteria, json_headers()).status == 201);
  REQUIRE(receiver.wait_for(1));
  std::string about_fox = created_id(c->post("/fhir/Observation", lab(fox, "2345-7", 90), json_headers()));
  std::string about_gray = created_id(c->post("/fhir/Observation", lab(gray, "2345-7", 91), json_headers()));
  // A Patient and its result in one transaction: the chain reaches the Patient the transaction wrote.
  std::string observation = lab("x", "2345-7", 92);
  observation.replace(observation.find("Patient/x"), 9, "urn:uuid:0f8e2c1a-5b7d-4e3f-9a1b-2c3d4e5f6a7b");
  auto bundle = c->post("/fhir", R"({"resourceType":"Bundle","type":"transaction","entry":[)"
                                 R"({"fullUrl":"urn:uuid:0f8e2c1a-5b7d-4e3f-9a1b-2c3d4e5f6a7b","resource":{"resourceType":"Patient",)"
                                 R"("name":[{"family":"Fox"}]},"request":{"method":"POST","url":"Patient"}},)"
                                 R"({"resource":)" + observation + R"(,"request":{"method":"POST","url":"Observation"}}]})",
                        json_headers());
  REQUIRE(bundle.status == 200);
  auto sent = [&] {
    std::string all;
    for (const auto& body : receiver.bodies()) all += body;
    return all;
  };
  REQUIRE(eventually([&] { return sent().find(R"("event-number","valueString":"2")") != std::string::npos; }));
  CHECK(sent().find(about_fox) != std::string::npos);
  CHECK(sent().find(about_gray) == std::string::npos);
  // _has (what refers to the resource) is not looked for when a resource is written: refused, not left silent.
  std::string has = criteria;
  has.replace(has.find("subject:Patient.name=fox"), 24, "_has:Provenance:target:agent=Practitioner/1");
  CHECK(c->post("/fhir/Subscription", has, json_headers()).status == 422);
  // Also inside a chain: it would be stored and never fire.
  std::string nested = criteria;
  nested.replace(nested.find("subject:Patient.name=fox"), 24, "subject:Patient._has:Observation:patient:code=2345-7");
  CHECK(c->post("/fhir/Subscription", nested, json_headers()).status == 422);
}

TEST_CASE("routing: a chained criteria reaches only the records the subscriber may read", "[e2e][routing][security]") {
  WebhookReceiver receiver;
  SecuredGateway g("routing-chain-privacy", {{"hospital", "org-h", "system/*.cruds"}, {"clinic-a", "org-a", "system/*.cruds"}}, "",
                   kLoopbackReceivers);
  auto h = SecuredGateway::as(g.token("hospital"));
  auto a = SecuredGateway::as(g.token("clinic-a"));
  // The clinic cares for both patients, but p2's own record is restricted (R): it reads her results, not her name.
  REQUIRE(g.http().put("/fhir/Patient/p1", R"({"resourceType":"Patient","id":"p1","name":[{"family":"Open"}]})", h).status == 201);
  REQUIRE(g.http().put("/fhir/Patient/p2", R"({"resourceType":"Patient","id":"p2","meta":{"security":[{"system":)"
                                             R"("http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]},)"
                                             R"("name":[{"family":"Hidden"}]})", h).status == 201);
  for (const char* p : {"p1", "p2"}) REQUIRE(g.http().post("/fhir/CareTeam", care_team_json(p, {"org-a"}), h).status == 201);
  REQUIRE(g.http().get("/fhir/Patient/p2", a).status == 404);
  for (const char* name : {"Hidden", "Open"}) {
    std::string criteria = R"({"resourceType":"Subscription","status":"requested","reason":"r","criteria":"Observation?patient.name=)" +
                           std::string(name) + R"(","channel":{"type":"rest-hook","endpoint":")" + receiver.url("/" + std::string(name)) +
                           R"(","payload":"application/fhir+json"}})";
    REQUIRE(g.http().post("/fhir/Subscription", criteria, a).status == 201);
  }
  REQUIRE(receiver.wait_for(2));
  std::string about_p2 = created_id(g.http().post("/fhir/Observation", lab("p2", "2345-7", 90), h));
  REQUIRE(g.http().get("/fhir/Observation/" + about_p2, a).status == 200);
  std::string about_p1 = created_id(g.http().post("/fhir/Observation", lab("p1", "2345-7", 91), h));
  // The criteria naming p1 fires (the control); the one naming p2 must not tell the clinic her name.
  REQUIRE(eventually([&] {
    for (const auto& body : receiver.bodies())
      if (body.find(about_p1) != std::string::npos) return true;
    return false;
  }));
  for (const auto& body : receiver.bodies()) CHECK(body.find(about_p2) == std::string::npos);
  // A chained value is a name, not a patient id: naming another organization's patient id as a
  // family name is taken as a name would be (it was refused 403, telling the id exists).
  REQUIRE(g.http().put("/fhir/Patient/p9", R"({"resourceType":"Patient","id":"p9","name":[{"family":"Other"}]})", h).status == 201);
  std::string by_name = R"({"resourceType":"Subscription","status":"requested","reason":"r","criteria":"Observation?subject:Patient.name=p9",)"
                        R"("channel":{"type":"rest-hook","endpoint":")" + receiver.url("/p9") + R"(","payload":"application/fhir+json"}})";
  CHECK(g.http().post("/fhir/Subscription", by_name, a).status == 201);
}

TEST_CASE("routing: a $resend made while a notification is on its way sends again only what it asks for", "[e2e][routing]") {
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::atomic<bool> hold{false}, held{false};
  WebhookReceiver receiver([&](std::string_view body) {
    {
      std::lock_guard lock(mutex);
      bodies.emplace_back(body);
    }
    if (hold.exchange(false)) {  // the first $resend's notification: answered late, the second $resend comes meanwhile
      held = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    }
  });
  auto received = [&] {
    std::lock_guard lock(mutex);
    return bodies;
  };
  auto has = [](const std::string& body, int number) {
    return body.find(R"("event-number","valueString":")" + std::to_string(number) + "\"") != std::string::npos;
  };
  ServerProcess server(temp_dir("routing-resend-race"));
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()));
  for (int i = 0; i < 3; ++i) REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 90 + i), json_headers()).status == 201);
  REQUIRE(eventually([&] {
    auto all = received();  // none yet under load: back() of nothing crashed the test
    return !all.empty() && has(all.back(), 3);
  }));
  hold = true;
  REQUIRE(c->post("/fhir/Subscription/" + id + "/$resend?eventsSinceNumber=2", "", json_headers()).status == 200);
  REQUIRE(eventually([&] { return held.load(); }));
  size_t before = received().size();
  REQUIRE(c->post("/fhir/Subscription/" + id + "/$resend?eventsSinceNumber=3", "", json_headers()).status == 200);
  REQUIRE(eventually([&] {
    auto all = received();
    return all.size() > before && has(all.back(), 3);
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto all = received();
  for (size_t i = before; i < all.size(); ++i) CHECK_FALSE(has(all[i], 2));  // event 2 was delivered by the first $resend
}
