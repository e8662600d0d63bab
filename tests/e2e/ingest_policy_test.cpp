// End to end: what the server accepts from hospitals. Every R4 resource type is
// served; the ingest policy stores what real systems send (unknown extensions,
// displays that differ, profiles not loaded) with warnings and refuses what breaks
// FHIR; a type configured strict refuses the same; batches answer per entry;
// FHIR packages given to the server apply at once (profiles, extensions, search).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

carebridge::gateway::http::Headers outcome_headers() {
  auto h = json_headers();
  h.emplace_back("Prefer", "return=OperationOutcome");
  return h;
}

// A Patient as hospitals send it: an extension this server has no definition for
// (in HL7's space and elsewhere) and a display text that is not the code system's.
const std::string kHospitalPatient =
    R"({"resourceType":"Patient","extension":[)"
    R"({"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity-x","valueCodeableConcept":{"text":"x"}},)"
    R"({"url":"http://hospital.example/fhir/StructureDefinition/vip","valueBoolean":true}],)"
    R"("identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"DL","display":"Driver's License"}]},)"
    R"("system":"urn:oid:2.16.840.1.113883.4.3.25","value":"S99912345"}],)"
    R"("maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"M","display":"M"}]},)"
    R"("name":[{"family":"Okafor","given":["Chidi"]}],"gender":"male","birthDate":"1974-02-11"})";

size_t count_severity(const rapidjson::Value& outcome, const char* severity) {
  size_t n = 0;
  if (!outcome.IsObject() || !outcome.HasMember("issue")) return 0;
  for (const auto& i : outcome["issue"].GetArray()) n += str(i, "severity") == severity;
  return n;
}

}  // namespace

TEST_CASE("every R4 resource type is served: create, read, search, history", "[gateway][e2e][ingest]") {
  ServerProcess server(temp_dir("all-types"));
  auto c = server.client();
  auto meta = parse_json(c->get("/fhir/metadata").body);
  REQUIRE(meta["rest"][0]["resource"].Size() == 146);
  const std::string patient = "Patient/p1";
  REQUIRE(c->put("/fhir/Patient/p1", patient_json("Lindqvist", "Aino", R"("id":"p1",)"), json_headers()).status == 201);
  const std::vector<std::pair<std::string, std::string>> resources = {
      {"Immunization", R"({"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"patient":{"reference":"Patient/p1"},"occurrenceDateTime":"2024-10-01T09:30:00+02:00","primarySource":true})"},
      {"Location", R"({"resourceType":"Location","status":"active","name":"Northside Family Shelter","address":{"city":"Tampere"}})"},
      {"Device", R"({"resourceType":"Device","status":"active","patient":{"reference":"Patient/p1"},"type":{"text":"glucose meter"}})"},
      {"AllergyIntolerance", R"({"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},"code":{"text":"peanut"},"patient":{"reference":"Patient/p1"}})"},
      {"DocumentReference", R"({"resourceType":"DocumentReference","status":"current","subject":{"reference":"Patient/p1"},"content":[{"attachment":{"contentType":"text/plain","data":"aGVsbG8="}}]})"},
  };
  for (const auto& [type, body] : resources) {
    INFO(type);
    auto created = c->post("/fhir/" + type, body, json_headers());
    INFO(created.body);
    REQUIRE(created.status == 201);
    std::string id = str(parse_json(created.body), "id");
    CHECK(c->get("/fhir/" + type + "/" + id).status == 200);
    CHECK(parse_json(c->get("/fhir/" + type + "/" + id + "/_history").body)["total"].GetInt() == 1);
  }
  // Each type's own search parameters, from the core definitions.
  CHECK(parse_json(c->get("/fhir/Immunization?patient=Patient/p1&vaccine-code=140").body)["total"].GetInt() == 1);
  CHECK(parse_json(c->get("/fhir/Location?name=northside").body)["total"].GetInt() == 1);
  CHECK(parse_json(c->get("/fhir/DocumentReference?subject=Patient/p1&status=current").body)["total"].GetInt() == 1);
  CHECK(parse_json(c->get("/fhir/Patient?_revinclude=Immunization:patient&_id=p1").body)["entry"].Size() == 2);
  auto unknown = c->get("/fhir/Spaceship");
  CHECK(unknown.status == 404);
  CHECK_THAT(unknown.body, Catch::Contains("not a FHIR R4 resource type"));
}

TEST_CASE("ingest stores what hospitals send with warnings, and refuses what breaks FHIR", "[gateway][e2e][ingest]") {
  ServerProcess server(temp_dir("ingest-policy"));
  auto c = server.client();
  auto accepted = c->post("/fhir/Patient", kHospitalPatient, outcome_headers());
  INFO(accepted.body);
  REQUIRE(accepted.status == 201);
  auto outcome = parse_json(accepted.body);
  CHECK(str(outcome, "resourceType") == "OperationOutcome");
  CHECK(count_severity(outcome, "error") == 0);
  CHECK(count_severity(outcome, "warning") >= 3);  // two extensions, two displays
  CHECK_THAT(accepted.body, Catch::Contains("Driver's License") && Catch::Contains("vip"));

  // What breaks FHIR is refused, with the place named.
  std::string wrong_gender = R"({"resourceType":"Patient","gender":"woman"})";
  auto refused = c->post("/fhir/Patient", wrong_gender, json_headers());
  CHECK(refused.status == 422);
  CHECK_THAT(refused.body, Catch::Contains("Patient.gender"));
  std::string modifier = R"({"resourceType":"Patient","modifierExtension":[{"url":"http://hospital.example/fhir/StructureDefinition/do-not-use","valueBoolean":true}]})";
  CHECK(c->post("/fhir/Patient", modifier, json_headers()).status == 422);
  std::string cardinality = R"({"resourceType":"Observation","code":{"text":"weight"}})";  // status is 1..1
  CHECK(c->post("/fhir/Observation", cardinality, json_headers()).status == 422);

  // The metrics count writes accepted with warnings and refused, per type.
  std::string metrics = c->get("/metrics").body;
  CHECK_THAT(metrics, Catch::Contains(R"(carebridge_validated_writes_total{policy="ingest",resource_type="Patient",outcome="accepted_with_warnings"} 1)"));
  CHECK_THAT(metrics, Catch::Contains(R"(carebridge_validated_writes_total{policy="ingest",resource_type="Patient",outcome="refused"} 2)"));
  CHECK_THAT(metrics, Catch::Contains(R"(carebridge_validation_warnings_total{policy="ingest",resource_type="Patient"})"));
}

TEST_CASE("ingest stores a Synthea claim whose provider is the Location where no clinician saw the patient", "[gateway][e2e][ingest][synthea]") {
  // Synthea 3.x (FhirR4.explanationOfBenefit) writes provider, careTeam.provider and the
  // referral's requester as Location?identifier=... for an encounter without a clinician;
  // R4 lists Practitioner, PractitionerRole and Organization there. The patient's whole
  // Bundle was refused for it; ingest stores it with a warning, strict still refuses.
  ServerProcess server(temp_dir("ingest-eob-location"));
  auto c = server.client();
  const std::string location_ref = "Location?identifier=https://github.com/synthetichealth/synthea|loc-7";
  REQUIRE(c->post("/fhir/Location", R"({"resourceType":"Location","identifier":[{"system":"https://github.com/synthetichealth/synthea","value":"loc-7"}],"name":"PCP1234"})",
                  json_headers()).status == 201);
  const std::string eob =
      R"({"resourceType":"ExplanationOfBenefit","contained":[)"
      R"({"resourceType":"ServiceRequest","id":"referral","status":"completed","intent":"order","subject":{"reference":"urn:uuid:5d7c3a2e-0000-4000-8000-000000000001"},)"
      R"("requester":{"reference":")" + location_ref + R"("},"performer":[{"reference":")" + location_ref + R"("}]},)"
      R"({"resourceType":"Coverage","id":"coverage","status":"active","type":{"text":"Medicaid"},"beneficiary":{"reference":"urn:uuid:5d7c3a2e-0000-4000-8000-000000000001"},"payor":[{"display":"Medicaid"}]}],)"
      R"("status":"active","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"institutional"}]},"use":"claim",)"
      R"("patient":{"reference":"urn:uuid:5d7c3a2e-0000-4000-8000-000000000001"},"created":"2021-03-04T10:00:00-05:00","insurer":{"display":"Medicaid"},)"
      R"("provider":{"reference":")" + location_ref + R"("},"referral":{"reference":"#referral"},"outcome":"complete",)"
      R"("careTeam":[{"sequence":1,"provider":{"reference":")" + location_ref + R"("},"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claimcareteamrole","code":"primary"}]}}],)"
      R"("insurance":[{"focal":true,"coverage":{"reference":"#coverage","display":"Medicaid"}}]})";
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"transaction","entry":[)"
      R"({"fullUrl":"urn:uuid:5d7c3a2e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","name":[{"family":"Ceja441"}]},"request":{"method":"POST","url":"Patient"}},)"
      R"({"fullUrl":"urn:uuid:5d7c3a2e-0000-4000-8000-000000000002","resource":)" + eob + R"(,"request":{"method":"POST","url":"ExplanationOfBenefit"}}]})";
  auto stored = c->post("/fhir", bundle, json_headers());
  INFO(stored.body.substr(0, 2000));
  REQUIRE(stored.status == 200);
  auto response = parse_json(stored.body);
  const auto& answer = response["entry"][1]["response"];
  CHECK(str(answer, "status").starts_with("201"));
  CHECK(count_severity(answer["outcome"], "warning") >= 1);
  CHECK_THAT(stored.body, Catch::Contains("may be referenced here"));
  // Stored with the conditional reference resolved to the Location.
  std::string location_id = str(parse_json(c->get("/fhir/Location?identifier=loc-7").body)["entry"][0]["resource"], "id");
  std::string eob_at = str(answer, "location");
  auto read = parse_json(c->get("/fhir/" + eob_at.substr(0, eob_at.find("/_history"))).body);
  CHECK(str(read["provider"], "reference") == "Location/" + location_id);
  // $validate is strict: the same claim, its references already resolved, is an error there.
  std::string resolved = eob;
  for (size_t at; (at = resolved.find(location_ref)) != std::string::npos;) resolved.replace(at, location_ref.size(), "Location/" + location_id);
  for (size_t at; (at = resolved.find("urn:uuid:5d7c3a2e-0000-4000-8000-000000000001")) != std::string::npos;) {
    resolved.replace(at, 45, "Patient/p1");
  }
  auto validated = parse_json(c->post("/fhir/ExplanationOfBenefit/$validate", resolved, json_headers()).body);
  CHECK(count_severity(validated, "error") >= 1);
}

TEST_CASE("a type configured strict refuses what ingest tolerates, $validate is strict", "[gateway][e2e][ingest]") {
  ServerProcess server(temp_dir("strict-type"), R"({"validation":{"policy":"ingest","types":{"Patient":"strict"}}})");
  auto c = server.client();
  auto refused = c->post("/fhir/Patient", kHospitalPatient, json_headers());
  INFO(refused.body);
  CHECK(refused.status == 422);
  CHECK_THAT(refused.body, Catch::Contains("wrong display"));
  // Other types keep the default policy.
  std::string practitioner = R"({"resourceType":"Practitioner","extension":[{"url":"http://hospital.example/x","valueString":"y"}],"name":[{"family":"Ndiaye"}]})";
  CHECK(c->post("/fhir/Practitioner", practitioner, json_headers()).status == 201);
  // $validate is strict whatever the type's policy: the extension the write tolerated is an error there.
  auto validated = parse_json(c->post("/fhir/Practitioner/$validate", practitioner, json_headers()).body);
  CHECK(count_severity(validated, "error") == 1);
  CHECK(count_severity(parse_json(c->post("/fhir/Patient/$validate", kHospitalPatient, json_headers()).body), "error") > 0);
}

TEST_CASE("a config with an unknown validation policy is refused at start-up", "[gateway][ingest]") {
  auto dir = temp_dir("bad-policy");
  std::string config = (dir / "config.json").string();
  {
    std::ofstream out(config);
    out << R"({"validation":{"policy":"lenient"}})";
  }
  auto r = run_carebridge({"serve", "--config", config, "--listen", "127.0.0.1:0", "--data-dir", (dir / "data").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("validation.policy") && Catch::Contains("ingest"));
}

TEST_CASE("a batch answers each entry: a bad entry gets its own error, the others are stored", "[gateway][e2e][ingest][batch]") {
  ServerProcess server(temp_dir("batch-entries"));
  auto c = server.client();
  auto org = [](const std::string& value) {
    return R"({"resource":{"resourceType":"Organization","identifier":[{"system":"urn:oid:2.16.840.1.113883.4.6","value":")" + value +
           R"("}],"name":"Clinic )" + value + R"("},"request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=urn:oid:2.16.840.1.113883.4.6|)" +
           value + R"("}})";
  };
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)" + org("111") + "," +
                       R"({"resource":{"resourceType":"Patient","gender":"woman"},"request":{"method":"POST","url":"Patient"}},)"
                       R"({"resource":{"resourceType":"Basic","code":{"text":"x"}},"request":{"method":"POST","url":"Spaceship"}},)" +
                       org("222") + "," + org("111") + "," +
                       R"({"request":{"method":"GET","url":"Organization?identifier=urn:oid:2.16.840.1.113883.4.6|222"}},)"
                       R"({"request":{"method":"DELETE","url":"Organization?identifier=urn:oid:2.16.840.1.113883.4.6|nothing"}}]})";
  auto r = c->post("/fhir", bundle, json_headers());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  REQUIRE(doc["entry"].Size() == 7);
  auto status = [&](int i) { return str(doc["entry"][i]["response"], "status"); };
  CHECK(status(0) == "201 Created");
  CHECK(status(1) == "422 Unprocessable Content");
  CHECK_THAT(str(doc["entry"][1]["response"]["outcome"]["issue"][0], "diagnostics") +
                 str(doc["entry"][1]["response"]["outcome"]["issue"][0]["details"], "text"),
             Catch::Contains("gender"));
  CHECK(status(2) == "404 Not Found");
  CHECK(status(3) == "201 Created");
  CHECK(status(4) == "200 OK");  // the same ifNoneExist as entry 0: matched, not created twice
  CHECK(str(doc["entry"][4]["resource"], "id") == str(doc["entry"][0]["resource"], "id"));
  CHECK(status(5) == "200 OK");  // a search sees the entries before it
  CHECK(doc["entry"][5]["resource"]["total"].GetInt() == 1);
  CHECK(status(6) == "204 No Content");
  CHECK(parse_json(c->get("/fhir/Organization").body)["total"].GetInt() == 2);
  CHECK(parse_json(c->get("/fhir/Patient").body)["total"].GetInt() == 0);
}

TEST_CASE("a FHIR package given to the server as .tgz applies at once", "[gateway][e2e][ingest][packages]") {
  auto dir = temp_dir("package-tgz");
  std::string tgz = (dir / "carebridge.shelter-0.2.0.tgz").string();
  std::string pack = "tar -czf '" + tgz + "' -C '" + fixture("packages/carebridge.shelter").string() + "' package";
  REQUIRE(std::system(pack.c_str()) == 0);
  ServerProcess server(dir / "data", R"({"packages":[")" + tgz + R"("]})");
  auto c = server.client();
  const std::string profile = "http://carebridge.example/fhir/StructureDefinition/shelter-client";
  const std::string bed = "http://carebridge.example/fhir/StructureDefinition/shelter-bed";
  std::string client = R"({"resourceType":"Patient","meta":{"profile":[")" + profile + R"("]},"extension":[{"url":")" + bed +
                       R"(","valueString":"B-12"}],"identifier":[{"system":"urn:shelter","value":"c-1"}],"name":[{"family":"Haddad"}]})";
  auto created = c->post("/fhir/Patient", client, outcome_headers());
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK_THAT(created.body, !Catch::Contains("shelter-bed' is unknown"));
  // The package's SearchParameter is searchable at once.
  auto found = parse_json(c->get("/fhir/Patient?shelter-bed=B-12").body);
  CHECK(found["total"].GetInt() == 1);
  // A profile the resource claims is checked: under ingest its findings are
  // warnings (the sender's claim, not FHIR's rule: Synthea 3.0 claims US Core
  // smoking status with another category)...
  std::string no_identifier = R"({"resourceType":"Patient","meta":{"profile":[")" + profile + R"("]},"name":[{"family":"Haddad"}]})";
  auto warned = c->post("/fhir/Patient", no_identifier, outcome_headers());
  CHECK(warned.status == 201);
  CHECK_THAT(warned.body, Catch::Contains("Patient.identifier") && Catch::Contains("claims conformance"));
  // ...and $validate (strict) refuses it.
  auto strict = parse_json(c->post("/fhir/Patient/$validate", no_identifier, json_headers()).body);
  CHECK(count_severity(strict, "error") == 1);
  // ...and so is the package's extension definition (a string, not a boolean).
  std::string wrong_value = R"({"resourceType":"Patient","extension":[{"url":")" + bed + R"(","valueBoolean":true}]})";
  CHECK(c->post("/fhir/Patient", wrong_value, json_headers()).status == 422);
}

TEST_CASE("a package that cannot be read stops the server at start-up with the reason", "[gateway][ingest][packages]") {
  auto dir = temp_dir("package-bad");
  std::string bogus = (dir / "broken.tgz").string();
  {
    std::ofstream out(bogus);
    out << "not a tarball";
  }
  auto r = run_carebridge({"serve", "--package", bogus, "--listen", "127.0.0.1:0", "--data-dir", (dir / "data").string()});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("broken.tgz"));
}
