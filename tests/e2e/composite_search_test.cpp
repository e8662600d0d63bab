// End to end: composite search parameters (code and value of the same observation
// or component, FHIR search 3.1.1.4.9) and the parameters that read another's index
// rows (patient reads subject's rows of type Patient; combo-code is code and
// component-code) answer as if each had rows of its own.
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

std::string blood_pressure(const std::string& patient, int systolic, int diastolic) {
  auto component = [](const char* code, int value) {
    return std::string(R"({"code":{"coding":[{"system":"http://loinc.org","code":")") + code +
           R"("}]},"valueQuantity":{"value":)" + std::to_string(value) +
           R"(,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}})";
  };
  return R"({"resourceType":"Observation","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],)"
         R"("code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"Blood pressure panel"},)"
         R"("subject":{"reference":")" + patient + R"("},"effectiveDateTime":"2024-03-01T09:00:00Z","component":[)" +
         component("8480-6", systolic) + "," + component("8462-4", diastolic) + "]}";
}

std::string weight(const std::string& subject, double kg) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},)"
         R"("subject":{"reference":")" + subject + R"("},"valueQuantity":{"value":)" + std::to_string(kg) +
         R"(,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}})";
}

std::string smoking(const std::string& patient, const char* snomed) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"72166-2"}]},)"
         R"("subject":{"reference":")" + patient + R"("},"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":")" +
         snomed + R"("}]}})";
}

}  // namespace

TEST_CASE("composite parameters match code and value of the same observation or component", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("composite-search"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/a", patient_json("Adeyemi", "Tola", R"("id":"a",)"), json_headers()).status == 201);
  REQUIRE(c->put("/fhir/Group/g", R"({"resourceType":"Group","id":"g","type":"person","actual":true})", json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Observation", blood_pressure("Patient/a", 152, 96), json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Observation", blood_pressure("Patient/a", 118, 142), json_headers()).status == 201);  // odd, on purpose
  REQUIRE(c->post("/fhir/Observation", weight("Patient/a", 81.5), json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Observation", weight("Group/g", 70), json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Observation", smoking("Patient/a", "266919005"), json_headers()).status == 201);
  auto total = [&](const std::string& query) {
    auto r = c->get("/fhir/Observation?" + query);
    INFO(query << " -> " << r.body.substr(0, 1500));
    REQUIRE(r.status == 200);
    return parse_json(r.body)["total"].GetInt();
  };
  // The systolic component above 140: one panel, not the one whose diastolic is.
  CHECK(total("component-code-value-quantity=http://loinc.org|8480-6$gt140") == 1);
  CHECK(total("component-code-value-quantity=8480-6$gt100") == 2);
  CHECK(total("component-code-value-quantity=8462-4$gt140") == 1);
  CHECK(total("component-code-value-quantity=8480-6$gt100|http://unitsofmeasure.org|mm[Hg]") == 2);
  CHECK(total("component-code-value-quantity=8480-6$gt100||kg") == 0);
  CHECK(total("code-value-quantity=http://loinc.org|29463-7$ge80") == 1);
  CHECK(total("code-value-quantity=29463-7$lt100|http://unitsofmeasure.org|kg") == 2);
  CHECK(total("code-value-quantity=8480-6$gt100") == 0);  // a component's code, not the observation's
  CHECK(total("combo-code-value-quantity=8480-6$gt100") == 2);
  CHECK(total("combo-code-value-quantity=29463-7$gt60") == 2);
  CHECK(total("code-value-concept=http://loinc.org|72166-2$http://snomed.info/sct|266919005") == 1);
  CHECK(total("code-value-concept=72166-2$266919005") == 1);
  CHECK(total("code-value-concept=72166-2$http://snomed.info/sct|77176002") == 0);
  CHECK(total("code-value-concept=http://example.org|72166-2$266919005") == 0);
  CHECK(total("code-value-quantity=29463-7$gt100,8480-6$gt100,29463-7$lt75") == 1);  // any of the values
  auto bad = c->get("/fhir/Observation?code-value-quantity=gt100");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Catch::Contains("'$'"));

  // Shared rows: patient is subject of type Patient, also for a bare id and _include;
  // combo-code is code or component-code.
  CHECK(total("subject=g") == 1);
  CHECK(total("patient=g") == 0);
  CHECK(total("patient=a") == 4);
  CHECK(total("patient=Patient/a") == 4);
  CHECK(total("combo-code=8480-6") == 2);
  CHECK(total("combo-code=29463-7") == 2);
  CHECK(total("code=8480-6") == 0);
  auto included = parse_json(c->get("/fhir/Observation?code=29463-7&_include=Observation:patient").body);
  CHECK(included["entry"].Size() == 3);  // two weights and Patient/a, not Group/g
  auto revincluded = parse_json(c->get("/fhir/Patient?_id=a&_revinclude=Observation:patient").body);
  CHECK(revincluded["entry"].Size() == 5);
}

TEST_CASE(":text finds a concept by its codings' display or by its own text", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("token-text"));
  auto c = server.client();
  std::string condition =
      R"({"resourceType":"Condition","subject":{"reference":"Patient/p"},"code":{"coding":[)"
      R"({"system":"http://snomed.info/sct","code":"38341003","display":"Hypertensive disorder"},)"
      R"({"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I10","display":"Essential hypertension"}],)"
      R"("text":"High blood pressure"}})";
  REQUIRE(c->post("/fhir/Condition", condition, json_headers()).status == 201);
  REQUIRE(c->post("/fhir/Condition", R"({"resourceType":"Condition","subject":{"reference":"Patient/p"},"code":{"text":"Housing insecurity"}})",
                  json_headers()).status == 201);
  auto total = [&](const std::string& query) { return parse_json(c->get("/fhir/Condition?" + query).body)["total"].GetInt(); };
  CHECK(total("code:text=hypertensive") == 1);
  CHECK(total("code:text=essential") == 1);
  CHECK(total("code:text=high%20blood") == 1);
  CHECK(total("code:text=housing") == 1);
  CHECK(total("code:text=blood") == 0);  // starts-with, as for the display
  CHECK(total("code=I10") == 1);
}
