// Subscriptions end to end: the gateway and a webhook receiver (written for the test) on
// loopback. A subscriber gets the handshake, then notifications for lab results posted as
// FHIR, in a transaction Bundle and as an HL7 v2 ORU, with the payload it asked for and
// event numbers without gaps; heartbeats arrive; $events replays; a receiver that is down
// gets every event once it is back, in order; a SIGKILL loses no event of an acknowledged
// write; a subscriber never hears of what its client may not read.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include <rapidjson/document.h>

#include "fhir_client.h"
#include "gateway/routing/delivery.h"
#include "security_support.h"
#include "server_process.h"
#include "support/test_support.h"
#include "support/test_certificate.h"
#include "mllp_receiver.h"
#include "routing_subscription.h"
#include "webhook_receiver.h"

using namespace carebridge::testing;

namespace {

std::vector<long> one_to(long n) {
  std::vector<long> out;
  for (long i = 1; i <= n; ++i) out.push_back(i);
  return out;
}

}  // namespace

TEST_CASE("routing: handshake, then lab results posted as FHIR, in a transaction and as v2, each once, numbered", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-basic"));
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "full-resource"), json_headers()));
  REQUIRE(receiver.wait_for(1));
  Notification handshake = read(receiver.bodies()[0]);
  CHECK(handshake.type == "handshake");
  CHECK(receiver.last_header("authorization") == "Bearer receiver-secret");
  // Signed with the subscription's secret, so the receiver can tell it came from the gateway.
  CHECK(receiver.last_header("x-carebridge-signature") ==
        "sha256=" + carebridge::gateway::routing::signature("s3cret", receiver.bodies()[0]));
  CHECK(eventually([&] { return str(parse_json(c->get("/fhir/Subscription/" + id).body), "status") == "active"; }));

  std::string patient = str(parse_json(c->post("/fhir/Patient", patient_json("Okafor", "Grace"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Observation", lab(patient, "2345-7", 182), json_headers()).status == 201);
  // Not a final lab result: no event.
  REQUIRE(c->post("/fhir/Observation", lab(patient, "2345-7", 150, "preliminary"), json_headers()).status == 201);
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)"
                       R"({"resource":)" + lab(patient, "2160-0", 1) + R"(,"request":{"method":"POST","url":"Observation"}},)"
                       R"({"resource":)" + lab(patient, "718-7", 13) + R"(,"request":{"method":"POST","url":"Observation"}}]})";
  REQUIRE(c->post("/fhir", bundle, json_headers()).status == 200);
  auto v2 = c->post("/ingest/hl7v2", read_text(project_sample("hl7v2/oru_r01.hl7")), {{"Content-Type", "x-application/hl7-v2+er7"}});
  REQUIRE(v2.status == 200);
  // 1 + 2 results, then the ORU's 5 final results and 2 final reports.
  REQUIRE(eventually_events(receiver, 10));
  CHECK(event_numbers(receiver) == one_to(10));
  Notification first = read(receiver.bodies()[1]);
  CHECK(first.type == "event-notification");
  CHECK(first.resources == first.numbers.size());
  CHECK(first.focus.front().find("/fhir/Observation/") != std::string::npos);

  // $events replays a range; $status says how far the events go.
  auto replay = parse_json(c->get("/fhir/Subscription/" + id + "/$events?eventsSinceNumber=2&eventsUntilNumber=4").body);
  REQUIRE(replay.IsObject());
  Notification replayed = read(c->get("/fhir/Subscription/" + id + "/$events?eventsSinceNumber=2&eventsUntilNumber=4").body);
  CHECK(replayed.type == "query-event");
  CHECK(replayed.numbers == std::vector<long>{2, 3, 4});
  auto status = parse_json(c->get("/fhir/Subscription/" + id + "/$status").body);
  CHECK(std::string(status["type"].GetString()) == "searchset");
  CHECK(c->get("/fhir/Subscription/nosuch/$status").status == 404);
  // The topics are readable over REST (as R4 carries SubscriptionTopic: Basic).
  auto topics = parse_json(c->get("/fhir/Basic?code=http://hl7.org/fhir/fhir-types%7CSubscriptionTopic").body);
  CHECK(topics["total"].GetInt() == 5);
  // $resend: the events from 9 on are sent again.
  REQUIRE(c->post("/fhir/Subscription/" + id + "/$resend?eventsSinceNumber=9", "", json_headers()).status == 200);
  REQUIRE(eventually_events(receiver, 12));
  auto numbers = event_numbers(receiver);
  CHECK(std::vector<long>(numbers.end() - 2, numbers.end()) == std::vector<long>{9, 10});
}

TEST_CASE("routing: id-only and empty payloads, filters by patient, heartbeats", "[e2e][routing]") {
  WebhookReceiver ids, empty;
  ServerProcess server(temp_dir("routing-payloads"));
  auto c = server.client();
  std::string a = str(parse_json(c->post("/fhir/Patient", patient_json("Ames", "Ann"), json_headers()).body), "id");
  std::string b = str(parse_json(c->post("/fhir/Patient", patient_json("Bell", "Bea"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Subscription", subscription(ids.url(), "id-only", "Observation?patient=Patient/" + a), json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Subscription", subscription(empty.url(), "empty", "", "1"), json_headers()).status == 201);
  REQUIRE(ids.wait_for(1));
  REQUIRE(empty.wait_for(1));
  REQUIRE(c->post("/fhir/Observation", lab(a, "2345-7", 99), json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Observation", lab(b, "2345-7", 98), json_headers()).status == 201);
  REQUIRE(eventually_events(ids, 1));
  REQUIRE(eventually_events(empty, 2));
  Notification id_only = read(ids.bodies()[1]);
  CHECK(id_only.entries == 1);    // the focus's URL, no resource
  CHECK(id_only.resources == 0);
  CHECK(event_numbers(ids) == std::vector<long>{1});  // only patient a's
  Notification nothing = read(empty.bodies()[1]);
  CHECK(nothing.entries == 0);
  CHECK(nothing.focus.empty());
  CHECK(empty.bodies()[1].find("\"topic\"") == std::string::npos);  // nor which topic (R5 SubscriptionStatus.topic)
  CHECK(ids.bodies()[1].find("\"topic\"") != std::string::npos);
  // Heartbeats every second while nothing happens.
  size_t before = empty.bodies().size();
  REQUIRE(empty.wait_for(before + 1, 10));
  CHECK(read(empty.bodies().back()).type == "heartbeat");
}

TEST_CASE("routing: a receiver that is down gets every event once back, in order", "[e2e][routing][fault]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-down"));
  auto c = server.client();
  std::string p = str(parse_json(c->post("/fhir/Patient", patient_json("Cruz", "Cy"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()).status == 201);
  REQUIRE(receiver.wait_for(1));
  receiver.set_down(true);
  for (int i = 0; i < 12; ++i) REQUIRE(c->post("/fhir/Observation", lab(p, "2345-7", 100 + i), json_headers()).status == 201);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the receiver stays down a while: attempts fail and back off
  CHECK(event_numbers(receiver).empty());
  std::string metrics = c->get("/metrics").body;
  CHECK(metrics.find("carebridge_subscription_events_queued{subscription=") != std::string::npos);
  CHECK(metrics.find("} 12\n") != std::string::npos);  // 12 queued
  receiver.set_down(false);
  REQUIRE(eventually_events(receiver, 12, 30));
  CHECK(event_numbers(receiver) == one_to(12));
}

TEST_CASE("routing: past the retry horizon the subscription says error, and the server keeps writing", "[e2e][routing][fault]") {
  WebhookReceiver receiver;
  receiver.set_down(true);
  // A horizon of 0 hours: the second failed attempt is past it.
  ServerProcess server(temp_dir("routing-horizon"), R"({"routing":{"retry_hours":0}})");
  auto c = server.client();
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()));
  REQUIRE(eventually([&] { return str(parse_json(c->get("/fhir/Subscription/" + id).body), "status") == "error"; }));
  CHECK(str(parse_json(c->get("/fhir/Subscription/" + id).body), "error").find("503") != std::string::npos);
  // Setting the status wrote through the store while delivery was failing: nothing is stuck.
  for (int i = 0; i < 3; ++i)
    CHECK(c->post("/fhir/Patient", patient_json("After", "Horizon"), json_headers()).status == 201);
}

TEST_CASE("routing: receivers that never answer hold up no one else's notifications", "[e2e][routing][fault]") {
  // One delivery thread to begin with: each silent receiver holds one until its timeout (10 s).
  // (The receivers end first, so the server's stop waits for no timeout.)
  ServerProcess server(temp_dir("routing-slow"), R"({"routing":{"delivery_threads":1}})");
  WebhookReceiver silent, healthy;
  silent.set_silent(true);
  auto c = server.client();
  std::string p = str(parse_json(c->post("/fhir/Patient", patient_json("Okafor", "Ngozi"), json_headers()).body), "id");
  for (int i = 0; i < 2; ++i)
    REQUIRE(c->post("/fhir/Subscription", subscription(silent.url(), "id-only"), json_headers()).status == 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto began = std::chrono::steady_clock::now();
  REQUIRE(c->post("/fhir/Subscription", subscription(healthy.url(), "id-only"), json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Observation", lab(p, "2345-7", 101), json_headers()).status == 201);
  REQUIRE(eventually_events(healthy, 1, 20));
  CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(5));
  CHECK(event_numbers(healthy) == one_to(1));
}

TEST_CASE("routing: every event of an acknowledged write survives a SIGKILL", "[e2e][routing][crash]") {
  WebhookReceiver receiver;
  auto data = temp_dir("routing-crash");
  auto server = std::make_unique<ServerProcess>(data);
  auto c = server->client();
  std::string p = str(parse_json(c->post("/fhir/Patient", patient_json("Diaz", "Dee"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()).status == 201);
  REQUIRE(receiver.wait_for(1));
  receiver.set_down(true);  // nothing is delivered before the crash: all of it must come after
  int acknowledged = 0;
  for (int i = 0; i < 20; ++i)
    if (c->post("/fhir/Observation", lab(p, "2345-7", i), json_headers()).status == 201) ++acknowledged;
  server->kill();
  server.reset();
  receiver.set_down(false);
  server = std::make_unique<ServerProcess>(data);
  REQUIRE(eventually_events(receiver, static_cast<size_t>(acknowledged), 30));
  CHECK(event_numbers(receiver) == one_to(acknowledged));
}

TEST_CASE("routing: a subscriber hears nothing of what its client may not read", "[e2e][routing][security]") {
  WebhookReceiver hers, theirs;
  SecuredGateway g("routing-security", {{"clinic-a", "org-a", "system/*.cruds"}, {"clinic-b", "org-b", "system/*.cruds"}}, "",
                   kLoopbackReceivers);
  auto& http = g.http();
  auto a = SecuredGateway::as(g.token("clinic-a"));
  auto b = SecuredGateway::as(g.token("clinic-b"));
  REQUIRE(http.post("/fhir/Subscription", subscription(hers.url(), "full-resource"), a).status == 201);
  REQUIRE(http.post("/fhir/Subscription", subscription(theirs.url(), "full-resource"), b).status == 201);
  REQUIRE(hers.wait_for(1));
  REQUIRE(theirs.wait_for(1));
  // Each client's view of the subscriptions' status shows its own only.
  auto mine = parse_json(http.get("/fhir/Subscription/$status", b).body);
  CHECK(mine["total"].GetInt() == 1);
  std::string patient = str(parse_json(http.post("/fhir/Patient", patient_json("Ekwueme", "Ada"), a).body), "id");
  REQUIRE(http.post("/fhir/Observation", lab(patient, "2345-7", 140), a).status == 201);
  REQUIRE(eventually_events(hers, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(theirs.bodies().size() == 1);  // its handshake only: no event, no count, no id
  for (const auto& body : theirs.bodies()) CHECK(body.find(patient) == std::string::npos);
  // The audit trail has the disclosure to clinic-a and the refusal for clinic-b.
  REQUIRE(g.clients_command("add auditor --organization org-a --scope 'system/*.rs' --admin --jwks " +
                            (g.dir() / "clinic-a.jwks").string()) == 0);
  auto issued = g.token_response(g.assertion("auditor", "", 240, "clinic-a"), "system/*.rs");
  REQUIRE(issued.status == 200);
  auto auditor = SecuredGateway::as(str(parse_json(issued.body), "access_token"));
  CHECK(parse_json(http.get("/fhir/Subscription/$status", auditor).body)["total"].GetInt() == 2);  // the operator's view: all
  bool disclosed = false, refused = false;
  REQUIRE(eventually([&] {
    auto found = http.get("/fhir/AuditEvent?_count=200", auditor);
    disclosed = found.body.find("subscription-notification") != std::string::npos;
    refused = found.body.find("withheld from Subscription/") != std::string::npos;
    return disclosed && refused;
  }));
}

TEST_CASE("routing: a Subscription to the audit trail is refused since each notification is itself audited",
          "[e2e][routing][security]") {
  WebhookReceiver receiver;
  SecuredGateway g("routing-audit-trail", {{"clinic-a", "org-a", "system/*.cruds"}}, "", kLoopbackReceivers);
  auto& http = g.http();
  auto a = SecuredGateway::as(g.token("clinic-a"));
  // Each notification (and each one withheld) writes an AuditEvent, which such a subscription
  // would be told of in turn: one client's subscription wrote AuditEvents without end.
  for (std::string criteria : {"AuditEvent", "AuditEvent?action=R"}) {
    std::string body = R"({"resourceType":"Subscription","status":"requested","reason":"audit","criteria":")" + criteria +
                       R"(","channel":{"type":"rest-hook","endpoint":")" + receiver.url() + R"(","payload":"application/fhir+json"}})";
    auto refused = http.post("/fhir/Subscription", body, a);
    INFO(refused.body);
    CHECK(refused.status == 422);
    CHECK(refused.body.find("the audit trail is not sent to subscribers") != std::string::npos);
  }
  // Criteria of no type (?_type=...) were stored and never fired.
  std::string untyped = R"({"resourceType":"Subscription","status":"requested","reason":"audit","criteria":"?_type=AuditEvent",)"
                        R"("channel":{"type":"rest-hook","endpoint":")" + receiver.url() + R"(","payload":"application/fhir+json"}})";
  auto refused = http.post("/fhir/Subscription", untyped, a);
  INFO(refused.body);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("name the resource type") != std::string::npos);
  CHECK(parse_json(http.get("/fhir/Subscription?_summary=count", a).body)["total"].GetInt() == 0);
}

TEST_CASE("routing: a Subscription stays its creator's when another client of the organization updates it",
          "[e2e][routing][security]") {
  WebhookReceiver receiver;
  SecuredGateway g("routing-owner", {{"clinic-a", "org-a", "system/*.cruds"}, {"clinic-a-desk", "org-a", "system/*.cruds"},
                                     {"clinic-b", "org-b", "system/*.cruds"}}, "", kLoopbackReceivers);
  auto& http = g.http();
  auto a = SecuredGateway::as(g.token("clinic-a"));
  auto desk = SecuredGateway::as(g.token("clinic-a-desk"));
  auto b = SecuredGateway::as(g.token("clinic-b"));
  std::string id = str(parse_json(http.post("/fhir/Subscription", subscription(receiver.url(), "id-only"), a).body), "id");
  REQUIRE(!id.empty());
  CHECK(http.get("/fhir/Subscription/" + id, b).status == 404);  // another organization's
  std::string body = http.get("/fhir/Subscription/" + id, desk).body;
  REQUIRE(body.find("clinic-a") != std::string::npos);
  body.replace(body.find("\"reason\":\"results\""), 18, "\"reason\":\"labs!!!\"");
  REQUIRE(http.put("/fhir/Subscription/" + id, body, desk).status == 200);
  std::string stored = http.get("/fhir/Subscription/" + id, a).body;
  CHECK(stored.find("labs!!!") != std::string::npos);
  CHECK(stored.find("\"code\":\"clinic-a\"") != std::string::npos);
  CHECK(stored.find("\"code\":\"clinic-a-desk\"") == std::string::npos);
}

TEST_CASE("routing: a sensitive result reaches only the subscriber a Consent covers", "[e2e][routing][security]") {
  WebhookReceiver covered, not_covered;
  SecuredGateway g("routing-consent", {{"hospital", "hosp", "system/*.cruds"},
                                       {"clinic-a", "org-a", "system/*.cruds"},
                                       {"clinic-b", "org-b", "system/*.cruds"}}, "", kLoopbackReceivers);
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto a = SecuredGateway::as(g.token("clinic-a"));
  auto b = SecuredGateway::as(g.token("clinic-b"));
  std::string p = str(parse_json(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital).body), "id");
  REQUIRE(http.post("/fhir/CareTeam", care_team_json(p, {"org-a", "org-b"}), hospital).status == 201);
  // The patient lets clinic-a, and only clinic-a, see HIV-related information.
  REQUIRE(http.post("/fhir/Consent", permit_consent(p, "org-a", {"HIV"}), hospital).status == 201);
  REQUIRE(http.post("/fhir/Subscription", subscription(covered.url(), "full-resource"), a).status == 201);
  REQUIRE(http.post("/fhir/Subscription", subscription(not_covered.url(), "full-resource"), b).status == 201);
  REQUIRE(covered.wait_for(1));
  REQUIRE(not_covered.wait_for(1));
  std::string hiv = str(parse_json(http.post("/fhir/Observation", lab(p, "7917-8", 1), hospital).body), "id");
  std::string glucose = str(parse_json(http.post("/fhir/Observation", lab(p, "2345-7", 95), hospital).body), "id");
  REQUIRE(eventually_events(covered, 2));
  REQUIRE(eventually_events(not_covered, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(event_numbers(covered) == one_to(2));
  // clinic-b hears of the glucose result as its event 1: nothing of the HIV test, not even a gap.
  CHECK(event_numbers(not_covered) == one_to(1));
  bool told = false, glucose_told = false;
  for (const auto& body : not_covered.bodies()) {
    told = told || body.find(hiv) != std::string::npos || body.find("7917-8") != std::string::npos;
    glucose_told = glucose_told || body.find(glucose) != std::string::npos;
  }
  CHECK(!told);
  CHECK(glucose_told);
}

TEST_CASE("routing: a result sent in one transaction with the CareTeam that names the clinic reaches the clinic",
          "[e2e][routing][security]") {
  // A hospital's transaction: the clinic joins the patient's care team, and a result follows.
  // The care team is written first in the commit, so the clinic may read the result when its
  // event is written, as it may over REST once the commit is done.
  WebhookReceiver clinic;
  SecuredGateway g("routing-same-transaction", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-a", "org-a", "system/*.cruds"}},
                   "", kLoopbackReceivers);
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto a = SecuredGateway::as(g.token("clinic-a"));
  std::string p = str(parse_json(http.post("/fhir/Patient", patient_json("Okafor", "Ngozi"), hospital).body), "id");
  REQUIRE(http.post("/fhir/Subscription", subscription(clinic.url(), "id-only"), a).status == 201);
  REQUIRE(clinic.wait_for(1));
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)"
                       R"({"resource":)" + care_team_json(p, {"org-a"}) + R"(,"request":{"method":"POST","url":"CareTeam"}},)"
                       R"({"resource":)" + lab(p, "2345-7", 101) + R"(,"request":{"method":"POST","url":"Observation"}}]})";
  auto posted = http.post("/fhir", bundle, hospital);
  REQUIRE(posted.status == 200);
  CHECK(eventually_events(clinic, 1));
}

TEST_CASE("routing: $events shows a caller only what its own scopes let it read", "[e2e][routing][security]") {
  WebhookReceiver receiver;
  SecuredGateway g("routing-events-scopes", {{"clinic-a", "org-a", "system/*.cruds"},
                                             {"clinic-a-front", "org-a", "system/Subscription.rs system/Patient.rs"}}, "",
                   kLoopbackReceivers);
  auto& http = g.http();
  auto a = SecuredGateway::as(g.token("clinic-a"));
  auto front = SecuredGateway::as(g.token("clinic-a-front"));
  std::string id = str(parse_json(http.post("/fhir/Subscription", subscription(receiver.url(), "full-resource"), a).body), "id");
  REQUIRE(receiver.wait_for(1));
  std::string p = str(parse_json(http.post("/fhir/Patient", patient_json("Ito", "Ben"), a).body), "id");
  std::string obs = str(parse_json(http.post("/fhir/Observation", lab(p, "2345-7", 99), a).body), "id");
  REQUIRE(eventually_events(receiver, 1));
  auto mine = http.get("/fhir/Subscription/" + id + "/$events?eventsSinceNumber=1&content=full-resource", a);
  REQUIRE(mine.status == 200);
  CHECK(mine.body.find(obs) != std::string::npos);
  // Another client of the clinic may read the Subscription, but not Observations.
  auto theirs = http.get("/fhir/Subscription/" + id + "/$events?eventsSinceNumber=1&content=full-resource", front);
  REQUIRE(theirs.status == 200);
  CHECK(theirs.body.find("\"event-number\"") != std::string::npos);
  CHECK(theirs.body.find(obs) == std::string::npos);
}

TEST_CASE("routing: a Consent withdrawn while a notification waits is honoured when it is sent", "[e2e][routing][security]") {
  WebhookReceiver covered;
  SecuredGateway g("routing-withdrawn", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-a", "org-a", "system/*.cruds"}},
                   "", kLoopbackReceivers);
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto a = SecuredGateway::as(g.token("clinic-a"));
  std::string p = str(parse_json(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital).body), "id");
  REQUIRE(http.post("/fhir/CareTeam", care_team_json(p, {"org-a"}), hospital).status == 201);
  auto consent = http.post("/fhir/Consent", permit_consent(p, "org-a", {"HIV"}), hospital);
  REQUIRE(consent.status == 201);
  std::string consent_id = str(parse_json(consent.body), "id");
  REQUIRE(http.post("/fhir/Subscription", subscription(covered.url(), "full-resource"), a).status == 201);
  REQUIRE(covered.wait_for(1));
  covered.set_down(true);
  std::string hiv = str(parse_json(http.post("/fhir/Observation", lab(p, "7917-8", 1), hospital).body), "id");
  // The patient withdraws the Consent before the clinic's receiver is back.
  std::string withdrawn = http.get("/fhir/Consent/" + consent_id, hospital).body;
  withdrawn.replace(withdrawn.find("\"status\":\"active\""), 17, "\"status\":\"inactive\"");
  REQUIRE(http.put("/fhir/Consent/" + consent_id, withdrawn, hospital).status == 200);
  // An attempt composed before the withdrawal may still be on its way; wait for a retry
  // composed after it (attempts of one subscription are made one after another).
  REQUIRE(covered.wait_for_refused(
      [&](const std::string& body) { return body.find("event-notification") != std::string::npos && body.find(hiv) == std::string::npos; },
      30));
  covered.set_down(false);
  REQUIRE(eventually_events(covered, 1, 30));
  CHECK(event_numbers(covered) == one_to(1));  // the number stays: no gap
  for (const auto& body : covered.bodies()) CHECK(body.find(hiv) == std::string::npos);
}

TEST_CASE("routing: a result labelled sensitive while its notification waits is withheld when it is sent",
          "[e2e][routing][security]") {
  WebhookReceiver carer;
  SecuredGateway g("routing-labelled-later", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-b", "org-b", "system/*.cruds"}},
                   "", kLoopbackReceivers);
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  std::string p = str(parse_json(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital).body), "id");
  REQUIRE(http.post("/fhir/CareTeam", care_team_json(p, {"org-b"}), hospital).status == 201);
  REQUIRE(http.post("/fhir/Subscription", subscription(carer.url(), "full-resource"), SecuredGateway::as(g.token("clinic-b"))).status == 201);
  REQUIRE(carer.wait_for(1));
  carer.set_down(true);
  std::string result = lab(p, "2345-7", 95);
  std::string id = str(parse_json(http.post("/fhir/Observation", result, hospital).body), "id");
  // The hospital labels the result before the clinic's receiver is back.
  result.insert(1, R"("id":")" + id + R"(","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]},)");
  REQUIRE(http.put("/fhir/Observation/" + id, result, hospital).status == 200);
  REQUIRE(carer.wait_for_refused(
      [&](const std::string& body) { return body.find("event-notification") != std::string::npos && body.find(id) == std::string::npos; },
      30));
  carer.set_down(false);
  REQUIRE(eventually_events(carer, 1, 30));
  for (const auto& body : carer.bodies()) CHECK(body.find(id) == std::string::npos);
}

TEST_CASE("routing: a provider hears of 'my patients' while on their care team, and not after", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-care-team"));
  auto c = server.client();
  std::string doctor = str(parse_json(c->post("/fhir/Practitioner", R"({"resourceType":"Practitioner","name":[{"family":"Chen"}]})",
                                              json_headers()).body), "id");
  std::string patient = str(parse_json(c->post("/fhir/Patient", patient_json("Fofanah", "Fatu"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Subscription",
                  subscription(receiver.url(), "id-only", "Observation?care-team-member=Practitioner/" + doctor), json_headers())
              .status == 201);
  REQUIRE(receiver.wait_for(1));
  // Not yet on the patient's care team: nothing.
  REQUIRE(c->post("/fhir/Observation", lab(patient, "2345-7", 90), json_headers()).status == 201);
  auto team = [&](const std::string& status) {
    return R"({"resourceType":"CareTeam","status":")" + status + R"(","subject":{"reference":"Patient/)" + patient +
           R"("},"participant":[{"member":{"reference":"Practitioner/)" + doctor + R"("}}]})";
  };
  auto created = c->post("/fhir/CareTeam", team("active"), json_headers());
  REQUIRE(created.status == 201);
  std::string team_id = str(parse_json(created.body), "id");
  auto added = c->post("/fhir/Observation", lab(patient, "2345-7", 91), json_headers());
  REQUIRE(added.status == 201);
  REQUIRE(eventually_events(receiver, 1));
  CHECK(read(receiver.bodies().back()).focus.front().find(str(parse_json(added.body), "id")) != std::string::npos);
  // Off the team: nothing more.
  std::string inactive = team("inactive");
  inactive.insert(1, R"("id":")" + team_id + R"(",)");
  REQUIRE(c->put("/fhir/CareTeam/" + team_id, inactive, json_headers()).status == 200);
  REQUIRE(c->post("/fhir/Observation", lab(patient, "2345-7", 92), json_headers()).status == 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(event_numbers(receiver) == std::vector<long>{1});
}

namespace {

// A websocket client bound to subscription `id` with a token from $get-ws-binding-token.
class BoundWebsocket {
 public:
  BoundWebsocket(carebridge::gateway::http::Client& c, const std::string& id) {
    auto binding = parse_json(c.get("/fhir/Subscription/" + id + "/$get-ws-binding-token").body);
    REQUIRE(binding.IsObject());
    std::string token, url;
    for (const auto& p : binding["parameter"].GetArray()) {
      if (std::string(p["name"].GetString()) == "token") token = p["valueString"].GetString();
      if (std::string(p["name"].GetString()) == "websocket-url") url = p["valueUrl"].GetString();
    }
    REQUIRE(!token.empty());
    REQUIRE(url.starts_with("ws://127.0.0.1:"));
    std::string port = url.substr(15, url.find('/', 15) - 15);
    boost::asio::connect(ws_.next_layer(), boost::asio::ip::tcp::resolver(ioc_).resolve("127.0.0.1", port));
    ws_.handshake("127.0.0.1", "/ws");
    ws_.write(boost::asio::buffer("bind-with-token: " + token));
  }
  std::string next() {
    boost::beast::flat_buffer buffer;
    ws_.read(buffer);
    return boost::beast::buffers_to_string(buffer.data());
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
};

std::string websocket_subscription(const std::string& payload, const std::string& content) {
  return R"({"resourceType":"Subscription","status":"requested","reason":"dashboard","criteria":")" + std::string(kLabTopic) +
         R"(","channel":{"type":"websocket","payload":")" + payload +
         R"(","_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":")" +
         content + R"("}]}}})";
}

}  // namespace

TEST_CASE("routing: a websocket client bound with $get-ws-binding-token receives the events", "[e2e][routing][websocket]") {
  ServerProcess server(temp_dir("routing-websocket"));
  auto c = server.client();
  std::string patient = str(parse_json(c->post("/fhir/Patient", patient_json("Haddad", "Hana"), json_headers()).body), "id");
  std::string id = created_id(c->post("/fhir/Subscription", websocket_subscription("application/fhir+json", "id-only"), json_headers()));
  BoundWebsocket ws(*c, id);
  // The IG: the server answers a binding with a handshake, before any event.
  CHECK(read(ws.next()).type == "handshake");
  auto written = c->post("/fhir/Observation", lab(patient, "2345-7", 120), json_headers());
  REQUIRE(written.status == 201);
  Notification n = read(ws.next());
  CHECK(n.type == "event-notification");
  CHECK(n.numbers == std::vector<long>{1});
  CHECK(n.focus.front().find(str(parse_json(written.body), "id")) != std::string::npos);
  // A token binds once.
  CHECK(c->get("/fhir/Subscription/nosuch/$get-ws-binding-token").status == 404);
}

TEST_CASE("routing: a websocket subscription whose payload is application/fhir+xml is sent FHIR XML", "[e2e][routing][websocket]") {
  ServerProcess server(temp_dir("routing-websocket-xml"));
  auto c = server.client();
  auto created = c->post("/fhir/Subscription", websocket_subscription("application/fhir+xml", "full-resource"), json_headers());
  REQUIRE(created.status == 201);
  BoundWebsocket ws(*c, str(parse_json(created.body), "id"));
  // The IG, channels: websocket notifications "SHALL be in the MIME Type specified by the Subscription.channel.payload".
  CHECK(ws.next().find("<valueCode value=\"handshake\"/>") != std::string::npos);
  REQUIRE(c->post("/fhir/Observation", lab("p1", "2345-7", 120), json_headers()).status == 201);
  std::string event = ws.next();
  INFO(event.substr(0, 300));
  CHECK(event.find("<valueCode value=\"event-notification\"/>") != std::string::npos);
  CHECK(event.find("<Observation") != std::string::npos);
}

TEST_CASE("routing: the referral topic fires when a referral is made and when its status changes", "[e2e][routing]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-referrals"));
  auto c = server.client();
  std::string patient = str(parse_json(c->post("/fhir/Patient", patient_json("Ito", "Iku"), json_headers()).body), "id");
  std::string sub = R"({"resourceType":"Subscription","status":"requested","reason":"referrals","criteria":"http://carebridge.example/fhir/SubscriptionTopic/referrals",)"
                    R"("channel":{"type":"rest-hook","endpoint":")" + receiver.url() + R"(","payload":"application/fhir+json",)"
                    R"("_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":"id-only"}]}}})";
  REQUIRE(c->post("/fhir/Subscription", sub, json_headers()).status == 201);
  REQUIRE(receiver.wait_for(1));
  auto task = [&](const std::string& id, const std::string& status, const std::string& note) {
    return std::string(R"({"resourceType":"Task",)") + (id.empty() ? "" : R"("id":")" + id + "\",") + R"("status":")" + status +
           R"(","intent":"order","for":{"reference":"Patient/)" + patient + R"("},"note":[{"text":")" + note + R"("}]})";
  };
  std::string id = str(parse_json(c->post("/fhir/Task", task("", "requested", "food pantry"), json_headers()).body), "id");
  REQUIRE(c->put("/fhir/Task/" + id, task(id, "requested", "food pantry, Tuesdays"), json_headers()).status == 200);
  REQUIRE(c->put("/fhir/Task/" + id, task(id, "accepted", "food pantry, Tuesdays"), json_headers()).status == 200);
  REQUIRE(eventually_events(receiver, 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(event_numbers(receiver) == std::vector<long>{1, 2});  // made, accepted; the note's edit is not a status change
}

TEST_CASE("routing: a backlog past its bound stops growing and the subscription says so", "[e2e][routing][fault]") {
  WebhookReceiver receiver;
  ServerProcess server(temp_dir("routing-backlog"), R"({"routing":{"max_backlog":5}})");
  auto c = server.client();
  std::string p = str(parse_json(c->post("/fhir/Patient", patient_json("Jonas", "Jo"), json_headers()).body), "id");
  std::string id = created_id(c->post("/fhir/Subscription", subscription(receiver.url(), "id-only"), json_headers()));
  REQUIRE(receiver.wait_for(1));
  receiver.set_down(true);
  for (int i = 0; i < 8; ++i) REQUIRE(c->post("/fhir/Observation", lab(p, "2345-7", i), json_headers()).status == 201);
  REQUIRE(eventually([&] { return str(parse_json(c->get("/fhir/Subscription/" + id).body), "status") == "error"; }));
  auto stored = parse_json(c->get("/fhir/Subscription/" + id).body);
  CHECK(str(stored, "error").find("wait undelivered") != std::string::npos);
  // The operator's view: the subscriptions in error, each with why.
  CHECK(c->get("/fhir/Subscription?status=error").body.find(id) != std::string::npos);
  auto in_error = c->get("/fhir/Subscription/$status?status=error");
  REQUIRE(in_error.status == 200);
  auto view = parse_json(in_error.body);
  CHECK(view["total"].GetInt() == 1);
  CHECK(in_error.body.find("query-status") != std::string::npos);
  CHECK(in_error.body.find("Subscription/" + id) != std::string::npos);
  CHECK(in_error.body.find("wait undelivered") != std::string::npos);
  CHECK(parse_json(c->get("/fhir/Subscription/$status?status=off").body)["total"].GetInt() == 0);
  CHECK(c->get("/fhir/Subscription/$status?status=error'").status == 400);
  // Set going again: the events kept (the first 5) arrive, the rest were never kept.
  std::string body = c->get("/fhir/Subscription/" + id).body;
  body.replace(body.find("\"status\":\"error\""), 16, "\"status\":\"active\"");
  receiver.set_down(false);
  REQUIRE(c->put("/fhir/Subscription/" + id, body, json_headers()).status == 200);
  REQUIRE(eventually_events(receiver, 5, 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(event_numbers(receiver) == one_to(5));
}

TEST_CASE("routing: rest-hook over https, the receiver's certificate checked and the gateway's presented", "[e2e][routing][tls]") {
  auto dir = temp_dir("routing-https");
  if (!make_mutual_tls_files(dir)) {
    WARN("openssl is not available; skipping");
    return;
  }
  auto file = [&](const std::string& name) { return (dir / name).string(); };
  // The receiver: another gateway that takes Bundles only from a registered client's certificate.
  std::string add = std::string(CAREBRIDGE_BINARY) + " clients add sender --organization hub --certificate '" + file("hospital.pem") +
                    "' --scope 'system/*.cruds' --data-dir '" + (dir / "receiver").string() + "' >/dev/null";
  REQUIRE(std::system(add.c_str()) == 0);
  std::string receiver_config = R"({"auth":{"required":true},"listen":[{"address":"127.0.0.1:0","tls_certificate":")" +
                                file("server.pem") + R"(","tls_private_key":")" + file("server.key") + R"(","tls_client_ca":")" +
                                file("ca.pem") + R"("}]})";
  ServerProcess receiver(dir / "receiver", ServerSettings{receiver_config, false, true});
  std::string sender_config = R"({"routing":{"client_certificate":")" + file("hospital.pem") + R"(","client_private_key":")" +
                              file("hospital.key") + R"(","trusted_ca":")" + file("server.pem") + R"("}})";
  ServerProcess sender(dir / "sender", sender_config);
  auto c = sender.client();
  std::string endpoint = "https://127.0.0.1:" + std::to_string(receiver.port()) + "/fhir/Bundle";
  std::string sub = subscription(endpoint, "id-only");  // without the bearer header: the certificate says who sends
  sub.replace(sub.find(R"(,"header":["Authorization: Bearer receiver-secret"])"), 51, "");
  REQUIRE(c->post("/fhir/Subscription", sub, json_headers()).status == 201);
  std::string p = str(parse_json(c->post("/fhir/Patient", patient_json("Kim", "Ki"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Observation", lab(p, "2345-7", 101), json_headers()).status == 201);
  using carebridge::gateway::http::ClientOptions;
  ClientOptions as_sender{"127.0.0.1", receiver.port(), true, file("server.pem"), true, std::chrono::seconds(10),
                          file("hospital.pem"), file("hospital.key")};
  carebridge::gateway::http::Client reader(as_sender);
  // The handshake and the event notification, stored by the receiver as Bundles.
  bool stored = eventually([&] { return bundle_total(reader.get("/fhir/Bundle", json_headers()).body) >= 2; });
  if (!stored) {
    std::string now = c->get("/metrics").body;
    FAIL(now.substr(std::min(now.size(), now.find("carebridge_subscription_failed"))) + "\n" + receiver.output().substr(0, 3000));
  }
}
