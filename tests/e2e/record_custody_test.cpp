// Who may change the records that decide who sees what, and a Consent naming one record:
// what a privacy tester found (session 23). An organization that can see another's
// Organization, Consent or CareTeam may not rewrite it — a hospital dropping a shelter's
// victim-service-provider type made the shelter's next records leave it — and a deny that
// names a record in provision.data hides that record.
#include <catch2/catch.hpp>

#include "security_support.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

std::string observation(const std::string& patient, const std::string& code) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" + code +
         R"("}]},"subject":{"reference":"Patient/)" + patient + R"("}})";
}

const std::string kShelterTyped =
    R"({"resourceType":"Organization","id":"vsp","name":"Safe Harbor","type":[{"coding":[{"system":)"
    R"("https://carebridge.dev/fhir/CodeSystem/organization-kind","code":"victim-service-provider"}]}]})";

}  // namespace

TEST_CASE("Only an organization itself changes its Organization: a shelter's victim-service type stays",
          "[gateway][e2e][security]") {
  SecuredGateway g("custody-organization", {{"shelter", "vsp", "system/*.cruds"}, {"hospital", "hosp", "system/*.cruds"}});
  auto& http = g.http();
  auto shelter = SecuredGateway::as(g.token("shelter"));
  auto hospital = SecuredGateway::as(g.token("hospital"));
  REQUIRE(http.put("/fhir/Organization/vsp", kShelterTyped, shelter).status / 100 == 2);
  // The hospital sees the directory entry, but may neither retype nor delete it.
  auto untyped = http.put("/fhir/Organization/vsp", R"({"resourceType":"Organization","id":"vsp","name":"Safe Harbor"})",
                          hospital);
  INFO(untyped.body);
  CHECK(untyped.status == 403);
  CHECK(untyped.body.find("only that organization may change it") != std::string::npos);
  CHECK(http.del("/fhir/Organization/vsp", hospital).status == 403);
  CHECK(http.get("/fhir/Organization/vsp", shelter).body.find("victim-service-provider") != std::string::npos);
  // So what the shelter records next still never leaves it.
  std::string client = created_id(http.post("/fhir/Patient", patient_json("Reyes", "Ana"), shelter));
  std::string note = created_id(http.post("/fhir/Observation", observation(client, "8867-4"), shelter));
  CHECK(http.get("/fhir/Observation/" + note, hospital).status == 404);
  // The shelter itself may still change its own entry.
  CHECK(http.put("/fhir/Organization/vsp", kShelterTyped, shelter).status / 100 == 2);
}

TEST_CASE("A Consent and a CareTeam are changed only by the organization that recorded them", "[gateway][e2e][security]") {
  SecuredGateway g("custody-consent", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-a", "org-a", "system/*.cruds"},
                                       {"clinic-b", "org-b", "system/*.cruds"}});
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto a = SecuredGateway::as(g.token("clinic-a"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital));
  std::string team = created_id(http.post("/fhir/CareTeam", care_team_json(p, {"org-a"}), hospital));
  std::string hiv = created_id(http.post("/fhir/Observation", observation(p, "7917-8"), hospital));
  std::string consent = created_id(http.post("/fhir/Consent", permit_consent(p, "org-a", {}), hospital));
  REQUIRE(http.get("/fhir/Consent/" + consent, a).status == 200);  // clinic-a sees the permit it is given
  // ... but may not widen it to HIV, nor delete it, nor add clinic-b to the care team.
  std::string widened = permit_consent(p, "org-a", {"HIV", "R"});
  widened.insert(1, "\"id\":\"" + consent + "\",");
  CHECK(http.put("/fhir/Consent/" + consent, widened, a).status == 403);
  CHECK(http.get("/fhir/Observation/" + hiv, a).status == 404);
  CHECK(http.del("/fhir/Consent/" + consent, a).status == 403);
  std::string wider_team = care_team_json(p, {"org-a", "org-b"});
  wider_team.insert(1, "\"id\":\"" + team + "\",");
  CHECK(http.put("/fhir/CareTeam/" + team, wider_team, a).status == 403);
  CHECK(http.get("/fhir/Patient/" + p, SecuredGateway::as(g.token("clinic-b"))).status == 404);
  // The hospital, which recorded them, may.
  CHECK(http.put("/fhir/Consent/" + consent, widened, hospital).status == 200);
  CHECK(http.get("/fhir/Observation/" + hiv, a).status == 200);
}

TEST_CASE("A Consent's deny naming one record in provision.data hides that record, and only it", "[gateway][e2e][security]") {
  SecuredGateway g("custody-deny-data", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-a", "org-a", "system/*.cruds"}});
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto a = SecuredGateway::as(g.token("clinic-a"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Okafor", "Ada"), hospital));
  created_id(http.post("/fhir/CareTeam", care_team_json(p, {"org-a"}), hospital));
  std::string hidden = created_id(http.post("/fhir/Observation", observation(p, "7917-8"), hospital));
  std::string shared = created_id(http.post("/fhir/Observation", observation(p, "7917-8"), hospital));
  std::string consent = permit_consent(p, "org-a", {"HIV", "R"});
  // A deny beside the permit, for this one result: {"type":"deny","data":[{"meaning":"instance",...}]}.
  std::string deny = R"({"type":"deny","data":[{"meaning":"instance","reference":{"reference":"Observation/)" + hidden +
                     R"("}}]})";
  consent.insert(consent.rfind("]}}"), "," + deny);
  REQUIRE(http.post("/fhir/Consent", consent, hospital).status == 201);
  CHECK(http.get("/fhir/Observation/" + shared, a).status == 200);
  CHECK(http.get("/fhir/Observation/" + hidden, a).status == 404);
  auto found = http.get("/fhir/Observation?subject=Patient/" + p, a);
  CHECK(found.body.find(shared) != std::string::npos);
  CHECK(found.body.find(hidden) == std::string::npos);
}

// A shelter's care team naming the hospital does not make its client the hospital's to see
// (VAWA: her records never leave the shelter), so neither may the hospital subscribe to her.
TEST_CASE("A Subscription may not name a victim-service provider's client, care team or not", "[gateway][e2e][security]") {
  SecuredGateway g("custody-subscription", {{"shelter", "vsp", "system/*.cruds"}, {"hospital", "hosp", "system/*.cruds"}});
  auto& http = g.http();
  auto shelter = SecuredGateway::as(g.token("shelter"));
  auto hospital = SecuredGateway::as(g.token("hospital"));
  REQUIRE(http.put("/fhir/Organization/vsp", kShelterTyped, shelter).status / 100 == 2);
  std::string client = created_id(http.post("/fhir/Patient", patient_json("Reyes", "Ana"), shelter));
  created_id(http.post("/fhir/CareTeam", care_team_json(client, {"hosp"}), shelter));
  REQUIRE(http.get("/fhir/Patient/" + client, hospital).status == 404);
  auto subscription = [](const std::string& patient) {
    return R"({"resourceType":"Subscription","status":"requested","reason":"results","criteria":"Observation?patient=Patient/)" +
           patient + R"(","channel":{"type":"rest-hook","endpoint":"http://127.0.0.1:9/hook","payload":"application/fhir+json"}})";
  };
  auto refused = http.post("/fhir/Subscription", subscription(client), hospital);
  INFO(refused.body);
  CHECK(refused.status == 403);
  // A patient that does not exist is answered alike: the answer does not tell her existence.
  auto missing = http.post("/fhir/Subscription", subscription("no-such-patient"), hospital);
  CHECK(missing.status == 403);
  auto text = [](const std::string& body, const std::string& id) {
    std::string out = body;
    out.replace(out.find(id), id.size(), "X");
    return out;
  };
  CHECK(text(missing.body, "no-such-patient") == text(refused.body, client));
  // Its own patient, the hospital may follow.
  std::string own = created_id(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital));
  CHECK(http.post("/fhir/Subscription", subscription(own), hospital).status == 201);
}
