// End to end: every resource is validated before it is stored (422 with the
// OperationOutcome, located by FHIRPath), configured profiles per resource type
// are enforced, and $validate takes a profile and a mode.
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {
const char* kVitalSigns = "http://hl7.org/fhir/StructureDefinition/vitalsigns";

std::string heart_rate(bool complete) {
  std::string category = complete ? R"("category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],)" : "";
  std::string subject = complete ? R"("subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-05-01T08:00:00Z",)" : "";
  return R"({"resourceType":"Observation","status":"final",)" + category +
         R"("code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},)" + subject +
         R"("valueQuantity":{"value":72,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"}})";
}
}  // namespace

TEST_CASE("invalid resources are refused with 422 and nothing is stored", "[gateway][e2e][validation]") {
  ServerProcess server(temp_dir("validation"));
  auto c = server.client();
  auto bad = c->post("/fhir/Patient", R"({"resourceType":"Patient","gender":"robot","birthDate":"1970-13-01"})", json_headers());
  REQUIRE(bad.status == 422);
  CHECK(bad.body.find("\"expression\":[\"Patient.gender\"]") != std::string::npos);
  CHECK(bad.body.find("\"expression\":[\"Patient.birthDate\"]") != std::string::npos);
  CHECK(parse_json(c->get("/fhir/Patient?_summary=count").body)["total"].GetInt() == 0);
  // In a transaction the whole Bundle is refused.
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)"
                       R"({"fullUrl":"urn:uuid:1","resource":)" + patient_json("Fine", "F") + R"(,"request":{"method":"POST","url":"Patient"}},)"
                       R"({"fullUrl":"urn:uuid:2","resource":{"resourceType":"Patient","gender":"robot"},"request":{"method":"POST","url":"Patient"}}]})";
  auto tx = c->post("/fhir", bundle, json_headers());
  CHECK(tx.status == 422);
  CHECK(parse_json(c->get("/fhir/Patient?_summary=count").body)["total"].GetInt() == 0);

  auto checked = c->post(std::string("/fhir/Observation/$validate?profile=") + kVitalSigns, heart_rate(false), json_headers());
  REQUIRE(checked.status == 200);
  CHECK(checked.body.find("Observation.category") != std::string::npos);
  auto fine = c->post(std::string("/fhir/Observation/$validate?profile=") + kVitalSigns, heart_rate(true), json_headers());
  CHECK(fine.status == 200);
  CHECK(fine.body.find("\"severity\":\"error\"") == std::string::npos);
  // The same with the resource and the profile given as Parameters.
  std::string parameters = R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":)" + heart_rate(false) +
                           R"(},{"name":"profile","valueCanonical":")" + std::string(kVitalSigns) + R"("}]})";
  auto as_parameters = c->post("/fhir/Observation/$validate", parameters, json_headers());
  REQUIRE(as_parameters.status == 200);
  CHECK(as_parameters.body.find("Observation.category") != std::string::npos);
}

TEST_CASE("profiles configured for a resource type are enforced", "[gateway][e2e][validation]") {
  ServerProcess server(temp_dir("profiles"), std::string(R"({"profiles":{"Observation":[")") + kVitalSigns + R"("]}})");
  auto c = server.client();
  auto refused = c->post("/fhir/Observation", heart_rate(false), json_headers());
  CHECK(refused.status == 422);
  CHECK(refused.body.find("vitalsigns") != std::string::npos);
  CHECK(c->post("/fhir/Observation", heart_rate(true), json_headers()).status == 201);
  auto cs = c->get("/fhir/metadata");
  CHECK(cs.body.find(std::string("\"supportedProfile\":[\"") + kVitalSigns) != std::string::npos);
}
