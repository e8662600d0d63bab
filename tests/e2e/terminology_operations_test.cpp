// End to end: the terminology operations (R4 terminology-service.html) — ValueSet $expand and
// $validate-code, CodeSystem $lookup, $validate-code and $subsumes, ConceptMap $translate —
// over the core definitions and what a client stored, by GET and by POSTed Parameters.
#include <catch2/catch.hpp>

#include <algorithm>

#include "bundle_support.h"
#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

const std::string kGender = "http://hl7.org/fhir/administrative-gender";

}  // namespace

TEST_CASE("ValueSet $expand lists a value set's codes with their displays and pages them", "[gateway][e2e][terminology]") {
  ServerProcess server(temp_dir("terminology-expand"));
  auto c = server.client();
  auto all = c->get("/fhir/ValueSet/$expand?url=http://hl7.org/fhir/ValueSet/administrative-gender");
  REQUIRE(all.status == 200);
  auto doc = parse_json(all.body);
  CHECK(str(doc, "resourceType") == "ValueSet");
  CHECK(doc["expansion"]["total"].GetInt() == 4);
  CHECK(str(doc["expansion"]["contains"][0], "code") == "male");  // in the code system's order
  CHECK(str(doc["expansion"]["contains"][1], "display") == "Female");
  // What a terminology client asks first: the code systems held (metadata?mode=terminology).
  auto capabilities = parse_json(c->get("/fhir/metadata?mode=terminology").body);
  CHECK(str(capabilities, "resourceType") == "TerminologyCapabilities");
  CHECK(std::any_of(capabilities["codeSystem"].Begin(), capabilities["codeSystem"].End(), [](const auto& cs) {
    return std::string(cs["uri"].GetString()) == "http://hl7.org/fhir/administrative-gender";
  }));
  auto page = parse_json(c->get("/fhir/ValueSet/$expand?url=http://hl7.org/fhir/ValueSet/administrative-gender&count=1&offset=2").body);
  CHECK(page["expansion"]["contains"].Size() == 1);
  CHECK(str(page["expansion"]["contains"][0], "code") == "other");
  auto filtered = parse_json(c->get("/fhir/ValueSet/$expand?url=http://hl7.org/fhir/ValueSet/administrative-gender&filter=FEM").body);
  CHECK(filtered["expansion"]["total"].GetInt() == 1);
  // A value set listing its concepts with their displays (SNOMED CT's, which no code system here
  // holds): the displays are the value set's (they pointed into a freed copy of it and came out as garbage).
  auto practice = c->get("/fhir/ValueSet/$expand?url=http://hl7.org/fhir/ValueSet/c80-practice-codes&count=200");
  REQUIRE(practice.status == 200);
  auto practice_doc = parse_json(practice.body);
  bool adult_mental_illness = false;
  for (const auto& member : practice_doc["expansion"]["contains"].GetArray())
    adult_mental_illness = adult_mental_illness || (str(member, "code") == "408467006" && str(member, "display") == "Adult mental illness");
  CHECK(adult_mental_illness);
  // All of LOINC cannot be listed here: said so, not answered empty.
  auto loinc = c->get("/fhir/ValueSet/$expand?url=http://hl7.org/fhir/ValueSet/observation-codes");
  CHECK(loinc.status == 422);
  CHECK(loinc.body.find("http://loinc.org") != std::string::npos);
  CHECK(c->get("/fhir/ValueSet/$expand?url=http://example.org/no-such-value-set").status == 404);
  CHECK(c->get("/fhir/ValueSet/$expand").status == 400);
}

TEST_CASE("a value set a client stored is expanded and checked by url, by id and given in the body", "[gateway][e2e][terminology]") {
  ServerProcess server(temp_dir("terminology-stored"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/ValueSet/intake-sex",
                 R"({"resourceType":"ValueSet","id":"intake-sex","url":"http://shelter.example.org/ValueSet/intake-sex","status":"active",)"
                 R"("compose":{"include":[{"system":")" + kGender + R"(","concept":[{"code":"female"},{"code":"male"}]}]}})",
                 json_headers()).status == 201);
  auto by_id = parse_json(c->get("/fhir/ValueSet/intake-sex/$expand").body);
  CHECK(by_id["expansion"]["total"].GetInt() == 2);
  auto by_url = parse_json(c->get("/fhir/ValueSet/$expand?url=http://shelter.example.org/ValueSet/intake-sex").body);
  CHECK(by_url["expansion"]["total"].GetInt() == 2);
  auto in = parse_json(c->get("/fhir/ValueSet/intake-sex/$validate-code?system=" + kGender + "&code=female").body);
  CHECK(parameter_text(in, "result") == "true");
  CHECK(parameter_text(in, "display") == "Female");
  // A coding in a POSTed Parameters; a code of the system the value set leaves out.
  auto out = c->post("/fhir/ValueSet/$validate-code",
                     R"({"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"http://shelter.example.org/ValueSet/intake-sex"},)"
                     R"({"name":"coding","valueCoding":{"system":")" + kGender + R"(","code":"other"}}]})",
                     json_headers());
  REQUIRE(out.status == 200);
  CHECK(parameter_text(parse_json(out.body), "result") == "false");
  auto given = c->post("/fhir/ValueSet/$expand",
                       R"({"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{"resourceType":"ValueSet","status":"draft",)"
                       R"("compose":{"include":[{"system":")" + kGender + R"("}]}}}]})",
                       json_headers());
  CHECK(parse_json(given.body)["expansion"]["total"].GetInt() == 4);
}

TEST_CASE("$validate-code checks the display and $lookup and $subsumes answer from the code system", "[gateway][e2e][terminology]") {
  ServerProcess server(temp_dir("terminology-lookup"));
  auto c = server.client();
  auto wrong = parse_json(c->get("/fhir/ValueSet/$validate-code?url=http://hl7.org/fhir/ValueSet/administrative-gender&system=" +
                                 kGender + "&code=male&display=Mail").body);
  CHECK(parameter_text(wrong, "result") == "false");
  CHECK(parameter_text(wrong, "message").find("'Male'") != std::string::npos);
  auto right = parse_json(c->get("/fhir/CodeSystem/$validate-code?url=" + kGender + "&code=male&display=male").body);
  CHECK(parameter_text(right, "result") == "true");  // displays differ in case only
  CHECK(parameter_text(parse_json(c->get("/fhir/CodeSystem/$validate-code?url=" + kGender + "&code=man").body), "result") == "false");

  auto found = parse_json(c->get("/fhir/CodeSystem/$lookup?system=" + kGender + "&code=unknown").body);
  CHECK(parameter_text(found, "name") == "AdministrativeGender");
  CHECK(parameter_text(found, "display") == "Unknown");
  CHECK(c->get("/fhir/CodeSystem/$lookup?system=" + kGender + "&code=nope").status == 404);
  CHECK(c->get("/fhir/CodeSystem/$lookup?system=http://example.org/not-loaded&code=x").status == 404);

  std::string act = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
  auto above = parse_json(c->get("/fhir/CodeSystem/$subsumes?system=" + act + "&codeA=_ActEncounterCode&codeB=AMB").body);
  CHECK(parameter_text(above, "outcome") == "subsumes");
  auto below = parse_json(c->get("/fhir/CodeSystem/$subsumes?system=" + act + "&codeA=AMB&codeB=_ActEncounterCode").body);
  CHECK(parameter_text(below, "outcome") == "subsumed-by");
  auto apart = parse_json(c->get("/fhir/CodeSystem/$subsumes?system=" + act + "&codeA=AMB&codeB=EMER").body);
  CHECK(parameter_text(apart, "outcome") == "not-subsumed");
}

TEST_CASE("ConceptMap $translate maps a code through a core map and one a client stored", "[gateway][e2e][terminology]") {
  ServerProcess server(temp_dir("terminology-translate"));
  auto c = server.client();
  auto core = parse_json(c->get("/fhir/ConceptMap/$translate?url=http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v2&system=" +
                                kGender + "&code=female").body);
  CHECK(parameter_text(core, "result") == "true");
  CHECK(core["parameter"][1]["part"][1]["valueCoding"]["code"] == "F");
  REQUIRE(c->put("/fhir/ConceptMap/housing",
                 R"({"resourceType":"ConceptMap","id":"housing","url":"http://shelter.example.org/ConceptMap/housing","status":"active",)"
                 R"("group":[{"source":"http://shelter.example.org/housing","target":"http://snomed.info/sct",)"
                 R"("element":[{"code":"street","target":[{"code":"32911000","equivalence":"equivalent"}]}]}]})",
                 json_headers()).status == 201);
  auto stored = parse_json(c->get("/fhir/ConceptMap/housing/$translate?system=http://shelter.example.org/housing&code=street").body);
  CHECK(parameter_text(stored, "result") == "true");
  auto none = parse_json(c->get("/fhir/ConceptMap/$translate?url=http://shelter.example.org/ConceptMap/housing&system=http://shelter.example.org/housing&code=car").body);
  CHECK(parameter_text(none, "result") == "false");
  auto metadata = c->get("/fhir/metadata");
  CHECK(metadata.body.find("http://hl7.org/fhir/OperationDefinition/ConceptMap-translate") != std::string::npos);
  CHECK(metadata.body.find("http://hl7.org/fhir/OperationDefinition/ValueSet-expand") != std::string::npos);
}

TEST_CASE("$validate-code judges a bare code and every coding of a concept and $subsumes and $translate take codings and reverse",
          "[gateway][e2e][terminology]") {
  ServerProcess server(temp_dir("terminology-forms"));
  auto c = server.client();
  // A bare code (no system) is of the system the value set lists it under.
  auto bare = parse_json(c->get("/fhir/ValueSet/$validate-code?url=http://hl7.org/fhir/ValueSet/administrative-gender&code=male").body);
  CHECK(parameter_text(bare, "result") == "true");
  // A concept is valid when any of its codings is: the first's display is wrong, the second is right.
  auto concept_codings = c->post("/fhir/ValueSet/$validate-code",
                                 R"({"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"http://hl7.org/fhir/ValueSet/administrative-gender"},)"
                                 R"({"name":"codeableConcept","valueCodeableConcept":{"coding":[{"system":")" + kGender +
                                     R"(","code":"male","display":"Mann"},{"system":")" + kGender + R"(","code":"male","display":"Male"}]}}]})",
                                 json_headers());
  CHECK(parameter_text(parse_json(concept_codings.body), "result") == "true");
  auto of_system = c->post("/fhir/CodeSystem/$validate-code",
                           R"({"resourceType":"Parameters","parameter":[{"name":"url","valueUri":")" + kGender + R"("},)"
                           R"({"name":"codeableConcept","valueCodeableConcept":{"coding":[{"system":")" + kGender +
                               R"(","code":"male","display":"Mann"},{"system":")" + kGender + R"(","code":"male","display":"Male"}]}}]})",
                           json_headers());
  CHECK(parameter_text(parse_json(of_system.body), "result") == "true");
  // A value set listing a code its code system (held whole) does not have: no code.
  auto listed = c->post("/fhir/ValueSet/$validate-code",
                        R"({"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{"resourceType":"ValueSet","status":"draft",)"
                        R"("compose":{"include":[{"system":")" + kGender + R"(","concept":[{"code":"zz"}]}]}}},)"
                        R"({"name":"code","valueCode":"zz"},{"name":"system","valueUri":")" + kGender + R"("}]})",
                        json_headers());
  CHECK(parameter_text(parse_json(listed.body), "result") == "false");
  std::string act = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
  auto codings = c->post("/fhir/CodeSystem/$subsumes",
                         R"({"resourceType":"Parameters","parameter":[{"name":"codingA","valueCoding":{"system":")" + act +
                             R"(","code":"_ActEncounterCode"}},{"name":"codingB","valueCoding":{"system":")" + act + R"(","code":"AMB"}}]})",
                         json_headers());
  REQUIRE(codings.status == 200);
  CHECK(parameter_text(parse_json(codings.body), "outcome") == "subsumes");
  auto reverse = parse_json(c->get("/fhir/ConceptMap/$translate?url=http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v2"
                                   "&system=http://terminology.hl7.org/CodeSystem/v2-0001&code=F&reverse=true").body);
  CHECK(parameter_text(reverse, "result") == "true");
  CHECK(reverse["parameter"][1]["part"][1]["valueCoding"]["code"] == "female");
}
