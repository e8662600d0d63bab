// Subscriptions with the v2 channel: a clinic that speaks only HL7 v2 gets results as
// ORU^R01 over MLLP, each message with its own control id, with nothing its client may not
// read, and only at an endpoint the gateway may reach.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "fhir_client.h"
#include "mllp_receiver.h"
#include "routing_subscription.h"
#include "security_support.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

TEST_CASE("routing: a clinic that speaks only v2 gets results as ORU^R01 over MLLP", "[e2e][routing][hl7v2]") {
  MllpReceiver clinic;
  ServerProcess server(temp_dir("routing-v2"));
  auto c = server.client();
  std::string patient = str(parse_json(c->post("/fhir/Patient", patient_json("Gomez", "Gil"), json_headers()).body), "id");
  std::string sub = R"({"resourceType":"Subscription","status":"requested","reason":"results","criteria":")" + std::string(kLabTopic) +
                    R"(","channel":{"type":"message","endpoint":")" + clinic.endpoint() + R"(","payload":"x-application/hl7-v2+er7"}})";
  // Two subscriptions to the same receiver: each message's control id (MSH-10) is its own.
  REQUIRE(c->post("/fhir/Subscription", sub, json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Subscription", sub, json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Observation", lab(patient, "2345-7", 182), json_headers()).status == 201);
  REQUIRE(eventually([&] { return clinic.messages().size() >= 2; }));
  std::string oru = clinic.messages().front();
  CHECK(oru.find("ORU^R01") != std::string::npos);
  CHECK(oru.find("\rPID|") != std::string::npos);
  CHECK(oru.find("OBX|1|NM|2345-7^^LN||182|mg/dL") != std::string::npos);
  std::set<std::string> control_ids;
  for (const std::string& m : clinic.messages()) {
    std::string msh = m.substr(0, m.find('\r'));
    size_t field = 0, at = 0;
    while (field < 9 && at != std::string::npos) at = msh.find('|', at + 1), ++field;  // MSH-10 follows the ninth bar
    control_ids.insert(msh.substr(at + 1, msh.find('|', at + 1) - at - 1));
  }
  CHECK(control_ids.size() == clinic.messages().size());
}

TEST_CASE("routing: a v2 clinic hears nothing of a result its client may not read, nor of the report that lists it",
          "[e2e][routing][hl7v2][security]") {
  MllpReceiver clinic;
  SecuredGateway g("routing-v2-consent", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-b", "org-b", "system/*.cruds"}}, "",
                   kLoopbackReceivers);
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto b = SecuredGateway::as(g.token("clinic-b"));
  std::string p = str(parse_json(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital).body), "id");
  REQUIRE(http.post("/fhir/CareTeam", care_team_json(p, {"org-b"}), hospital).status == 201);
  std::string sub = R"({"resourceType":"Subscription","status":"requested","reason":"results","criteria":")" + std::string(kLabTopic) +
                    R"(","channel":{"type":"message","endpoint":")" + clinic.endpoint() + R"(","payload":"x-application/hl7-v2+er7"}})";
  REQUIRE(http.post("/fhir/Subscription", sub, b).status == 201);
  // No Consent lets clinic-b see HIV results: the report lists one beside a glucose.
  std::string hiv = str(parse_json(http.post("/fhir/Observation", lab(p, "7917-8", 1), hospital).body), "id");
  std::string glucose = str(parse_json(http.post("/fhir/Observation", lab(p, "2345-7", 95), hospital).body), "id");
  REQUIRE(http.get("/fhir/Observation/" + hiv, b).status == 404);
  std::string report = created_id(http.post("/fhir/DiagnosticReport", R"({"resourceType":"DiagnosticReport","status":"final",)"
                    R"("code":{"coding":[{"system":"http://loinc.org","code":"24323-8"}]},"subject":{"reference":"Patient/)" + p +
                    R"("},"result":[{"reference":"Observation/)" + glucose + R"("},{"reference":"Observation/)" + hiv + R"("}]})",
                    hospital));
  // A later result is heard after anything before it would have been.
  REQUIRE(http.post("/fhir/Observation", lab(p, "2339-0", 101), hospital).status == 201);
  REQUIRE(eventually([&] { return clinic.messages().size() >= 2 && clinic.messages().back().find("2339-0") != std::string::npos; }));
  CHECK(clinic.messages().front().find("OBX|1|NM|2345-7^^LN||95|mg/dL") != std::string::npos);
  for (const auto& message : clinic.messages()) {
    CHECK(message.find("7917-8") == std::string::npos);
    CHECK(message.find("24323-8") == std::string::npos);
  }
  CHECK(http.get("/fhir/DiagnosticReport/" + report, b).status == 404);
}

TEST_CASE("routing: an MLLP endpoint inside the network that is not allow-listed is refused", "[e2e][routing][security]") {
  ServerProcess server(temp_dir("routing-mllp-refused"));
  auto c = server.client();
  std::string sub = R"({"resourceType":"Subscription","status":"requested","reason":"results","criteria":")" + std::string(kLabTopic) +
                    R"(","channel":{"type":"message","endpoint":"mllp://10.1.2.3:2575","payload":"application/fhir+json"}})";
  std::string id = created_id(c->post("/fhir/Subscription", sub, json_headers()));
  std::string p = str(parse_json(c->post("/fhir/Patient", patient_json("Ng", "Lin"), json_headers()).body), "id");
  REQUIRE(c->post("/fhir/Observation", lab(p, "2345-7", 90), json_headers()).status == 201);
  REQUIRE(eventually([&] {
    return c->get("/fhir/Subscription/" + id + "/$status").body.find("loopback or an allow-listed host") != std::string::npos;
  }));
}
