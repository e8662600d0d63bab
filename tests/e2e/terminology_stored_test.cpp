// End to end: the terminology operations over code systems, value sets and concept maps a client
// stored — value sets over stored code systems, versions (url|version, the latest by default),
// and the parameters clients send beyond the basics (activeOnly, includeDesignations,
// displayLanguage, abstract, property, codingA/codingB, reverse, a translate with no map named).
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

const std::string kHousing = "http://shelter.example.org/CodeSystem/housing";
const std::string kHud = "https://hud.example.gov/CodeSystem/living-situation";

// Version 2 of a shelter network's housing status codes: a hierarchy, a retired code, an
// abstract grouper, a Spanish designation and properties of several types.
std::string housing_v2() {
  return R"({"resourceType":"CodeSystem","id":"housing-2","url":")" + kHousing + R"(","version":"2.0","name":"Housing",)"
         R"("status":"active","content":"complete","caseSensitive":false,"hierarchyMeaning":"is-a",)"
         R"("property":[{"code":"priority","type":"integer"},{"code":"status","type":"code"},{"code":"notSelectable","type":"boolean"}],)"
         R"("concept":[{"code":"housed","display":"Housed","designation":[{"language":"es","use":{"system":"http://snomed.info/sct",)"
         R"("code":"900000000000013009"},"value":"Con vivienda"}],"concept":[{"code":"own","display":"Own home",)"
         R"("property":[{"code":"priority","valueInteger":3}]},{"code":"family","display":"With family",)"
         R"("property":[{"code":"status","valueCode":"retired"}]}]},)"
         R"({"code":"unhoused","display":"Unhoused","property":[{"code":"notSelectable","valueBoolean":true}],)"
         R"("concept":[{"code":"shelter","display":"Emergency shelter"},{"code":"street","display":"Street"}]}]})";
}

std::string housing_v1() {
  return R"({"resourceType":"CodeSystem","id":"housing-1","url":")" + kHousing + R"(","version":"1.0","name":"Housing",)"
         R"("status":"retired","content":"complete","concept":[{"code":"housed","display":"Housed v1"},{"code":"legacy","display":"Legacy"}]})";
}

// The value member's name of the part `part` of the `name` parameter whose code part is `code`.
std::string part_type(const rapidjson::Value& parameters, const std::string& name, const std::string& code) {
  for (const auto& p : parameters["parameter"].GetArray()) {
    if (str(p, "name") != name || !p.HasMember("part") || value_text(p["part"][0]) != code) continue;
    for (auto m = p["part"][1].MemberBegin(); m != p["part"][1].MemberEnd(); ++m)
      if (std::string(m->name.GetString()).starts_with("value")) return m->name.GetString();
  }
  return "";
}

std::vector<std::string> codes(const rapidjson::Value& value_set) {
  std::vector<std::string> out;
  if (!value_set["expansion"].HasMember("contains")) return out;
  for (const auto& c : value_set["expansion"]["contains"].GetArray()) out.push_back(str(c, "code"));
  return out;
}

void store_housing(carebridge::gateway::http::Client& c) {
  REQUIRE(c.put("/fhir/CodeSystem/housing-2", housing_v2(), json_headers()).status == 201);
  REQUIRE(c.put("/fhir/CodeSystem/housing-1", housing_v1(), json_headers()).status == 201);
}

}  // namespace

TEST_CASE("a stored value set over a stored code system expands with its hierarchy and displays", "[gateway][e2e][terminology]") {
  // A client's value set naming a client's code system was answered 422 (the system "not loaded").
  ServerProcess server(temp_dir("terminology-stored-system"));
  auto c = server.client();
  store_housing(*c);
  REQUIRE(c->put("/fhir/ValueSet/intake",
                 R"({"resourceType":"ValueSet","id":"intake","url":"http://shelter.example.org/ValueSet/intake","version":"4","status":"active",)"
                 R"("compose":{"include":[{"system":")" + kHousing + R"(","filter":[{"property":"concept","op":"is-a","value":"UNHOUSED"}]}],)"
                 R"("exclude":[{"system":")" + kHousing + R"(","concept":[{"code":"street"}]}]}})",
                 json_headers()).status == 201);
  auto expanded = c->get("/fhir/ValueSet/intake/$expand");
  REQUIRE(expanded.status == 200);
  auto vs = parse_json(expanded.body);
  CHECK(codes(vs) == std::vector<std::string>{"unhoused", "shelter"});
  CHECK(str(vs, "version") == "4");
  CHECK(vs["expansion"]["contains"][0]["abstract"].GetBool());
  CHECK(str(vs["expansion"]["contains"][1], "display") == "Emergency shelter");
  // Membership follows the code system's case-insensitivity; an abstract code is refused when asked.
  auto in = parse_json(c->get("/fhir/ValueSet/intake/$validate-code?system=" + kHousing + "&code=SHELTER").body);
  CHECK(parameter_text(in, "result") == "true");
  CHECK(parameter_text(in, "display") == "Emergency shelter");
  auto abstract = parse_json(c->get("/fhir/ValueSet/intake/$validate-code?system=" + kHousing + "&code=unhoused&abstract=false").body);
  CHECK(parameter_text(abstract, "result") == "false");
  // include.version takes that version's codes.
  auto old = c->post("/fhir/ValueSet/$expand",
                     R"({"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{"resourceType":"ValueSet","status":"draft",)"
                     R"("compose":{"include":[{"system":")" + kHousing + R"(","version":"1.0"}]}}}]})",
                     json_headers());
  CHECK(codes(parse_json(old.body)) == std::vector<std::string>{"housed", "legacy"});
}

TEST_CASE("the latest stored version answers a url alone and url|version or version picks one", "[gateway][e2e][terminology]") {
  // Two stored versions of one code system named none: every operation on its url said 404.
  ServerProcess server(temp_dir("terminology-versions"));
  auto c = server.client();
  store_housing(*c);
  auto latest = parse_json(c->get("/fhir/CodeSystem/$lookup?system=" + kHousing + "&code=housed").body);
  CHECK(parameter_text(latest, "display") == "Housed");
  CHECK(parameter_text(latest, "version") == "2.0");
  auto first = parse_json(c->get("/fhir/CodeSystem/$lookup?system=" + kHousing + "&code=housed&version=1.0").body);
  CHECK(parameter_text(first, "display") == "Housed v1");
  auto legacy = parse_json(c->get("/fhir/CodeSystem/$validate-code?url=" + kHousing + "%7C1.0&code=legacy").body);
  CHECK(parameter_text(legacy, "result") == "true");
  CHECK(c->get("/fhir/CodeSystem/$lookup?system=" + kHousing + "&code=housed&version=9").status == 404);
}

TEST_CASE("$lookup gives designations with their language and use and properties in their types", "[gateway][e2e][terminology]") {
  ServerProcess server(temp_dir("terminology-lookup-shape"));
  auto c = server.client();
  store_housing(*c);
  auto housed = parse_json(c->get("/fhir/CodeSystem/$lookup?system=" + kHousing + "&code=housed").body);
  bool designated = false;
  for (const auto& p : housed["parameter"].GetArray()) {
    if (str(p, "name") != "designation") continue;
    designated = str(p["part"][0], "valueCode") == "es" && str(p["part"][1]["valueCoding"], "code") == "900000000000013009" &&
                 str(p["part"][2], "valueString") == "Con vivienda";
  }
  CHECK(designated);
  auto own = parse_json(c->get("/fhir/CodeSystem/$lookup?system=" + kHousing + "&code=own").body);
  CHECK(part_type(own, "property", "priority") == "valueInteger");
  auto family = parse_json(c->get("/fhir/CodeSystem/$lookup?system=" + kHousing + "&code=family&property=parent&property=status").body);
  CHECK(part_type(family, "property", "status") == "valueCode");
  CHECK(part_type(family, "property", "parent") == "valueCode");
}

TEST_CASE("$expand takes activeOnly includeDesignations and displayLanguage", "[gateway][e2e][terminology]") {
  ServerProcess server(temp_dir("terminology-expand-options"));
  auto c = server.client();
  store_housing(*c);
  std::string whole = R"({"name":"valueSet","resource":{"resourceType":"ValueSet","status":"draft","compose":{"include":[{"system":")" +
                      kHousing + R"("}]}}})";
  auto ask = [&](const std::string& extra) {
    return parse_json(c->post("/fhir/ValueSet/$expand", R"({"resourceType":"Parameters","parameter":[)" + whole + extra + "]}",
                              json_headers()).body);
  };
  CHECK(codes(ask("")).size() == 6);
  auto active = ask(R"(,{"name":"activeOnly","valueBoolean":true})");
  CHECK(codes(active).size() == 5);  // "family" is retired
  auto spanish = ask(R"(,{"name":"displayLanguage","valueCode":"es"},{"name":"includeDesignations","valueBoolean":true})");
  CHECK(str(spanish["expansion"]["contains"][0], "display") == "Con vivienda");
  CHECK(str(spanish["expansion"]["contains"][0]["designation"][0], "language") == "es");
}

TEST_CASE("$subsumes takes codings and $translate each coding a map knows reverse and with no map named", "[gateway][e2e][terminology]") {
  // codingA/codingB were not read; a codeableConcept was translated by its first coding only;
  // reverse was ignored and a translate with no url was refused.
  ServerProcess server(temp_dir("terminology-codings"));
  auto c = server.client();
  store_housing(*c);
  auto subsumed = c->post("/fhir/CodeSystem/$subsumes",
                          R"({"resourceType":"Parameters","parameter":[{"name":"codingA","valueCoding":{"system":")" + kHousing +
                              R"(","code":"housed"}},{"name":"codingB","valueCoding":{"system":")" + kHousing + R"(","code":"own"}}]})",
                          json_headers());
  CHECK(parameter_text(parse_json(subsumed.body), "outcome") == "subsumes");
  REQUIRE(c->put("/fhir/ConceptMap/to-hud",
                 R"({"resourceType":"ConceptMap","id":"to-hud","url":"http://shelter.example.org/ConceptMap/to-hud","status":"active",)"
                 R"("group":[{"source":")" + kHousing + R"(","target":")" + kHud + R"(","element":[{"code":"shelter",)"
                 R"("target":[{"code":"101","equivalence":"equivalent"}]},{"code":"street","target":[{"code":"116","equivalence":"wider"}]}]}]})",
                 json_headers()).status == 201);
  auto both = c->post("/fhir/ConceptMap/$translate",
                      R"({"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"http://shelter.example.org/ConceptMap/to-hud"},)"
                      R"({"name":"codeableConcept","valueCodeableConcept":{"coding":[{"system":"http://example.org/local","code":"S"},)"
                      R"({"system":")" + kHousing + R"(","code":"shelter"}]}}]})",
                      json_headers());
  CHECK(parameter_text(parse_json(both.body), "result") == "true");
  auto back = parse_json(c->get("/fhir/ConceptMap/$translate?url=http://shelter.example.org/ConceptMap/to-hud&system=" + kHud +
                                "&code=116&reverse=true").body);
  CHECK(parameter_text(back, "result") == "true");
  CHECK(back["parameter"][1]["part"][0]["valueCode"] == "narrower");
  CHECK(back["parameter"][1]["part"][1]["valueCoding"]["code"] == "street");
  auto unnamed = parse_json(c->get("/fhir/ConceptMap/$translate?system=" + kHousing + "&code=shelter&targetsystem=" + kHud).body);
  CHECK(parameter_text(unnamed, "result") == "true");
  auto no_code = c->post("/fhir/ConceptMap/$translate",
                         R"({"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"http://shelter.example.org/ConceptMap/to-hud"},)"
                         R"({"name":"coding","valueCoding":{"system":")" + kHousing + R"("}}]})",
                         json_headers());
  CHECK(no_code.status == 400);
}

TEST_CASE("a value set's own displays and order show in its expansion and a code given without system is found", "[gateway][e2e][terminology]") {
  // compose.include.concept.display was dropped for the code system's and the concepts listed in
  // the code system's order; a code without its system was answered 422 ("cannot be told")
  // though the value set lists it.
  ServerProcess server(temp_dir("terminology-own-display"));
  auto c = server.client();
  auto expanded = c->post("/fhir/ValueSet/$expand",
                          R"({"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{"resourceType":"ValueSet","status":"draft",)"
                          R"("compose":{"include":[{"system":"http://hl7.org/fhir/administrative-gender","concept":[{"code":"female","display":"Woman"},)"
                          R"({"code":"male"}]}]}}}]})",
                          json_headers());
  auto listed = parse_json(expanded.body);
  CHECK(codes(listed) == std::vector<std::string>{"female", "male"});  // as the value set lists them
  CHECK(str(listed["expansion"]["contains"][0], "display") == "Woman");
  CHECK(str(listed["expansion"]["contains"][1], "display") == "Male");
  auto bare = c->get("/fhir/ValueSet/$validate-code?url=http://hl7.org/fhir/ValueSet/administrative-gender&code=male");
  REQUIRE(bare.status == 200);
  CHECK(parameter_text(parse_json(bare.body), "result") == "true");
  CHECK(parameter_text(parse_json(bare.body), "display") == "Male");
}
