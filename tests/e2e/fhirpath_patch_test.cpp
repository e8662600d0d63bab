// End to end: PATCH with a FHIRPath Patch (R4 fhirpatch.html) — a Parameters resource in JSON
// or XML whose operations add, insert, delete, replace and move what FHIRPath finds.
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

// One "operation" parameter: its type, path and the parts after them (JSON members' text).
std::string operation(const std::string& type, const std::string& path, const std::string& more = "") {
  return R"({"name":"operation","part":[{"name":"type","valueCode":")" + type + R"("},{"name":"path","valueString":")" +
         path + "\"}" + (more.empty() ? "" : "," + more) + "]}";
}

std::string parameters(const std::vector<std::string>& operations) {
  std::string out = R"({"resourceType":"Parameters","parameter":[)";
  for (size_t i = 0; i < operations.size(); ++i) out += (i ? "," : "") + operations[i];
  return out + "]}";
}

carebridge::gateway::http::Response fhirpath_patch(carebridge::gateway::http::Client& c, const std::string& target,
                                                   const std::string& body, const std::string& type = "application/fhir+json") {
  return c.send({"PATCH", target, {{"Content-Type", type}}, body, "", false, 11});
}

}  // namespace

TEST_CASE("a FHIRPath Patch adds, inserts, deletes, replaces and moves", "[e2e][http]") {
  // Refused 415 before: only JSON Patch and JSON Merge Patch were taken.
  ServerProcess server(temp_dir("fhirpath-patch"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f1", R"({"resourceType":"Patient","id":"f1","name":[{"family":"Doe","given":["Jane","Q"]}],)"
                                     R"("birthDate":"1980-01-01","identifier":[{"system":"urn:a","value":"1"},{"system":"urn:b","value":"2"}]})",
                 json_headers()).status == 201);
  std::string patch = parameters({
      operation("replace", "Patient.birthDate", R"({"name":"value","valueDate":"1981-02-03"})"),
      operation("add", "Patient", R"({"name":"name","valueString":"telecom"},{"name":"value","valueContactPoint":{"system":"phone","value":"555-0100"}})"),
      // A choice named without its type takes the value's.
      operation("add", "Patient", R"({"name":"name","valueString":"deceased"},{"name":"value","valueBoolean":false})"),
      operation("insert", "Patient.identifier", R"({"name":"index","valueInteger":0},{"name":"value","valueIdentifier":{"system":"urn:c","value":"3"}})"),
      operation("move", "Patient.name[0].given", R"({"name":"source","valueInteger":1},{"name":"destination","valueInteger":0})"),
      operation("delete", "Patient.identifier.where(system = 'urn:b')"),
      operation("delete", "Patient.photo"),  // nothing there: nothing to do
      // A backbone element given as parts: its repeating members become lists.
      operation("add", "Patient", R"({"name":"name","valueString":"contact"},{"name":"value","part":[)"
                                  R"({"name":"name","valueHumanName":{"family":"Roe"}},{"name":"telecom","valueContactPoint":{"system":"phone","value":"555-0199"}}]})"),
  });
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f1", patch);
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f1").body);
  CHECK(str(now, "birthDate") == "1981-02-03");
  CHECK(str(now["telecom"][0], "value") == "555-0100");
  CHECK(now["deceasedBoolean"].IsFalse());
  REQUIRE(now["identifier"].Size() == 2);
  CHECK(str(now["identifier"][0], "system") == "urn:c");
  CHECK(str(now["identifier"][1], "system") == "urn:a");
  CHECK(std::string(now["name"][0]["given"][0].GetString()) == "Q");
  CHECK(str(now["contact"][0]["telecom"][0], "value") == "555-0199");
  CHECK(str(now["meta"], "versionId") == "2");
}

TEST_CASE("a FHIRPath Patch in XML applies as in JSON and a bad operation changes nothing", "[e2e][http]") {
  ServerProcess server(temp_dir("fhirpath-patch-xml"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f2", R"({"resourceType":"Patient","id":"f2","active":true,"name":[{"family":"A"},{"family":"B"}]})",
                 json_headers()).status == 201);
  std::string xml = R"(<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="operation"/>)"
                    R"(<part><name value="type"/><valueCode value="replace"/></part>)"
                    R"(<part><name value="path"/><valueString value="Patient.active"/></part>)"
                    R"(<part><name value="value"/><valueBoolean value="false"/></part></parameter></Parameters>)";
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f2", xml, "application/fhir+xml");
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  CHECK(parse_json(c->get("/fhir/Patient/f2").body)["active"].IsFalse());
  // Each refused with the operation and the reason, the stored version untouched.
  for (const auto& [bad, reason] : std::vector<std::pair<std::string, std::string>>{
           {operation("replace", "Patient.name", R"({"name":"value","valueHumanName":{"family":"C"}})"), "finds 2 elements"},
           {operation("add", "Patient", R"({"name":"name","valueString":"active"},{"name":"value","valueBoolean":true})"), "is there already"},
           {operation("delete", "Patient.name.where(", ""), "not FHIRPath"},
           {operation("insert", "Patient.name", R"({"name":"index","valueInteger":5},{"name":"value","valueHumanName":{"family":"C"}})"), "index"},
           {operation("replace", "Patient.active", R"({"name":"value","valueString":"maybe"})"), ""},
       }) {
    auto refused = fhirpath_patch(*c, "/fhir/Patient/f2", parameters({bad}));
    INFO(bad << " -> " << refused.body);
    CHECK((refused.status == 422 || refused.status == 400));
    CHECK_THAT(refused.body, Catch::Contains(reason));
  }
  CHECK(str(parse_json(c->get("/fhir/Patient/f2").body)["meta"], "versionId") == "2");
}

TEST_CASE("a FHIRPath Patch deletes a list's last item and a primitive's extensions with it", "[e2e][http]") {
  // Deleting the only identifier left "identifier":[] (refused as no FHIR), and a given name's
  // qualifier stayed in "_given" at its old place, or moved onto another name.
  ServerProcess server(temp_dir("fhirpath-patch-lists"));
  auto c = server.client();
  const std::string qualifier =
      R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier","valueCode":"CL"}]})";
  REQUIRE(c->put("/fhir/Patient/f3", R"({"resourceType":"Patient","id":"f3","identifier":[{"system":"urn:a","value":"1"}],)"
                                     R"("name":[{"family":"Doe","given":["Ann","Marie"],"_given":[)" + qualifier + R"(,null]}]})",
                 json_headers()).status == 201);
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f3", parameters({
      operation("delete", "Patient.identifier"),
      operation("move", "Patient.name[0].given", R"({"name":"source","valueInteger":0},{"name":"destination","valueInteger":1})"),
  }));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f3").body);
  CHECK_FALSE(now.HasMember("identifier"));
  CHECK(std::string(now["name"][0]["given"][1].GetString()) == "Ann");
  CHECK(now["name"][0]["_given"][0].IsNull());
  CHECK(now["name"][0]["_given"][1].HasMember("extension"));  // Ann's qualifier moved with her
  auto deleted = fhirpath_patch(*c, "/fhir/Patient/f3", parameters({operation("delete", "Patient.name[0].given[1]")}));
  INFO(deleted.body);
  REQUIRE(deleted.status == 200);
  now = parse_json(c->get("/fhir/Patient/f3").body);
  CHECK(now["name"][0]["given"].Size() == 1);
  CHECK_FALSE(now["name"][0].HasMember("_given"));  // only nulls were left
  // A part that is no object is refused, and the server keeps serving.
  auto odd = fhirpath_patch(*c, "/fhir/Patient/f3", R"({"resourceType":"Parameters","parameter":[{"name":"operation","part":["AAAA",1]}]})");
  CHECK(odd.status == 422);
  CHECK(c->get("/fhir/Patient/f3").status == 200);
}

TEST_CASE("a FHIRPath Patch reaches a primitive's extensions and retypes a choice", "[e2e][http]") {
  // A data-absent-reason on a birth date lives in "_birthDate": the path to it had no place in
  // the JSON (422). A valueQuantity replaced by a string was written as "valueQuantity":"...".
  ServerProcess server(temp_dir("fhirpath-patch-primitives"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f4", R"({"resourceType":"Patient","id":"f4","_birthDate":{"extension":[{"url":)"
                                     R"("http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"unknown"}]}})",
                 json_headers()).status == 201);
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f4", parameters({
      operation("replace", "Patient.birthDate", R"({"name":"value","valueDate":"1990-04-05"})"),
      operation("delete", "Patient.birthDate.extension"),
  }));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f4").body);
  CHECK(str(now, "birthDate") == "1990-04-05");
  CHECK_FALSE(now.HasMember("_birthDate"));
  REQUIRE(c->put("/fhir/Observation/o4", R"({"resourceType":"Observation","id":"o4","status":"final","code":{"text":"mood"},)"
                                         R"("valueQuantity":{"value":3}})", json_headers()).status == 201);
  auto retyped = fhirpath_patch(*c, "/fhir/Observation/o4", parameters({operation("replace", "Observation.value", R"({"name":"value","valueString":"calm"})")}));
  INFO(retyped.body);
  REQUIRE(retyped.status == 200);
  auto observation = parse_json(c->get("/fhir/Observation/o4").body);
  CHECK(str(observation, "valueString") == "calm");
  CHECK_FALSE(observation.HasMember("valueQuantity"));
}

TEST_CASE("a FHIRPath Patch adds an extension or an id to a primitive in its twin", "[e2e][http]") {
  // add with a path to a primitive was made as a JSON Patch add below "/birthDate", a string
  // (422 "neither an object nor an array"), where its id and extensions go in "_birthDate".
  ServerProcess server(temp_dir("fhirpath-patch-add-twin"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f5", R"({"resourceType":"Patient","id":"f5","birthDate":"1980-01-01","name":[{"given":["Ann","Marie"]}]})",
                 json_headers()).status == 201);
  const std::string extension = R"({"name":"name","valueString":"extension"},{"name":"value","part":[)"
                                R"({"name":"url","valueUri":"http://example.org/x"},{"name":"valueCode","valueCode":"y"}]})";
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f5", parameters({
      operation("add", "Patient.birthDate", extension),
      operation("add", "Patient.birthDate", R"({"name":"name","valueString":"id"},{"name":"value","valueString":"b1"})"),
      operation("add", "Patient.name[0].given[1]", extension),
  }));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f5").body);
  CHECK(str(now, "birthDate") == "1980-01-01");
  CHECK(str(now["_birthDate"], "id") == "b1");
  CHECK(str(now["_birthDate"]["extension"][0], "valueCode") == "y");
  REQUIRE(now["name"][0]["_given"].Size() == 2);  // a place for each given name
  CHECK(now["name"][0]["_given"][0].IsNull());
  CHECK(str(now["name"][0]["_given"][1]["extension"][0], "url") == "http://example.org/x");
}

TEST_CASE("a FHIRPath Patch keeps a primitive list and its twin list in step", "[e2e][http]") {
  // add appended to "given" but not to "_given" (refused: "_given" must have as many items),
  // and deleting a given name's only extension left "_given":[null,{}] (no FHIR JSON).
  ServerProcess server(temp_dir("fhirpath-patch-twin-lists"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f6", R"({"resourceType":"Patient","id":"f6","name":[{"given":["Ann","Bea"],"_given":[null,)"
                                     R"({"extension":[{"url":"http://example.org/x","valueCode":"y"}]}]}]})",
                 json_headers()).status == 201);
  auto added = fhirpath_patch(*c, "/fhir/Patient/f6", parameters({
      operation("add", "Patient.name[0]", R"({"name":"name","valueString":"given"},{"name":"value","valueString":"Cy"})")}));
  INFO(added.body);
  REQUIRE(added.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f6").body);
  REQUIRE(now["name"][0]["given"].Size() == 3);
  REQUIRE(now["name"][0]["_given"].Size() == 3);
  CHECK(now["name"][0]["_given"][2].IsNull());
  auto deleted = fhirpath_patch(*c, "/fhir/Patient/f6", parameters({operation("delete", "Patient.name[0].given[1].extension")}));
  INFO(deleted.body);
  REQUIRE(deleted.status == 200);
  now = parse_json(c->get("/fhir/Patient/f6").body);
  CHECK(now["name"][0]["given"].Size() == 3);
  CHECK_FALSE(now["name"][0].HasMember("_given"));  // nothing but nulls was left
}

TEST_CASE("a FHIRPath Patch path that crosses resolve() is refused", "[e2e][http]") {
  // Patient.managingOrganization.resolve().name reached the contained Organization and changed
  // it: a patch names elements of the resource itself. resolve() inside where() only filters.
  ServerProcess server(temp_dir("fhirpath-patch-resolve"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f7", R"({"resourceType":"Patient","id":"f7","contained":[{"resourceType":"Organization","id":"o1","name":"O"}],)"
                                     R"("managingOrganization":{"reference":"#o1"}})", json_headers()).status == 201);
  for (const std::string path : {"Patient.managingOrganization.resolve().name", "Patient.managingOrganization.select(resolve()).name"}) {
    auto refused = fhirpath_patch(*c, "/fhir/Patient/f7", parameters({operation("replace", path, R"({"name":"value","valueString":"N"})")}));
    INFO(path << " -> " << refused.body);
    CHECK(refused.status == 422);
    CHECK_THAT(refused.body, Catch::Contains("resolve()"));
  }
  CHECK(str(parse_json(c->get("/fhir/Patient/f7").body)["contained"][0], "name") == "O");
  auto filtered = fhirpath_patch(*c, "/fhir/Patient/f7", parameters({operation(
      "add", "Patient.managingOrganization.where(resolve() is Organization)", R"({"name":"name","valueString":"display"},{"name":"value","valueString":"O"})")}));
  INFO(filtered.body);
  CHECK(filtered.status == 200);
}

TEST_CASE("a FHIRPath Patch value keeps the id and extensions of its primitive", "[e2e][http]") {
  // A value part's "_valueDate" (XML: extensions inside <valueDate>) was dropped, so add,
  // insert and replace stored the value without them; and a choice retyped from valueString
  // kept "_valueString" beside the new valueBoolean (refused: value[x] given twice).
  ServerProcess server(temp_dir("fhirpath-patch-value-twin"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f8", R"({"resourceType":"Patient","id":"f8","birthDate":"1980-01-01","name":[{"given":["Ann"]}]})",
                 json_headers()).status == 201);
  const std::string twin = R"({"extension":[{"url":"http://example.org/x","valueCode":"y"}]})";
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f8", parameters({
      operation("replace", "Patient.birthDate", R"({"name":"value","valueDate":"1990-02-03","_valueDate":)" + twin + "}"),
      operation("add", "Patient", R"({"name":"name","valueString":"gender"},{"name":"value","valueCode":"other","_valueCode":)" + twin + "}"),
      operation("insert", "Patient.name[0].given", R"({"name":"index","valueInteger":0},{"name":"value","valueString":"Zoe","_valueString":)" + twin + "}"),
  }));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f8").body);
  CHECK(str(now, "birthDate") == "1990-02-03");
  CHECK(str(now["_birthDate"]["extension"][0], "valueCode") == "y");
  CHECK(str(now["_gender"]["extension"][0], "valueCode") == "y");
  REQUIRE(now["name"][0]["_given"].Size() == 2);
  CHECK(now["name"][0]["_given"][0].HasMember("extension"));
  CHECK(now["name"][0]["_given"][1].IsNull());
  REQUIRE(c->put("/fhir/Observation/o8", R"({"resourceType":"Observation","id":"o8","status":"final","code":{"text":"mood"},)"
                                         R"("valueString":"calm","_valueString":)" + twin + "}", json_headers()).status == 201);
  auto retyped = fhirpath_patch(*c, "/fhir/Observation/o8", parameters({operation("replace", "Observation.value", R"({"name":"value","valueBoolean":true})")}));
  INFO(retyped.body);
  REQUIRE(retyped.status == 200);
  auto observation = parse_json(c->get("/fhir/Observation/o8").body);
  CHECK(observation["valueBoolean"].IsTrue());
  CHECK_FALSE(observation.HasMember("_valueString"));
  CHECK(str(observation["_valueBoolean"]["extension"][0], "valueCode") == "y");
}

TEST_CASE("a FHIRPath Patch part names a choice without its type as add does", "[e2e][http]") {
  // add takes "deceased" with a valueBoolean, but a value made of parts wrote a part "value"
  // with a valueString as "value":"..." (unknown property, 422) instead of "valueString".
  ServerProcess server(temp_dir("fhirpath-patch-choice-part"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f9", R"({"resourceType":"Patient","id":"f9","active":true})", json_headers()).status == 201);
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f9", parameters({operation("add", "Patient",
      R"({"name":"name","valueString":"extension"},{"name":"value","part":[{"name":"url","valueUri":"http://example.org/x"},)"
      R"({"name":"value","valueString":"hi"}]})")}));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f9").body);
  CHECK(str(now["extension"][0], "valueString") == "hi");
  CHECK_FALSE(now["extension"][0].HasMember("value"));
}

TEST_CASE("a FHIRPath Patch value made of parts keeps its primitives' extensions", "[e2e][http]") {
  // A part's "_valueString" (in XML, the extensions inside <valueString>) was dropped, so a
  // name added as parts lost the qualifier on its given name without a word.
  ServerProcess server(temp_dir("fhirpath-patch-part-twins"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f10", R"({"resourceType":"Patient","id":"f10","active":true})", json_headers()).status == 201);
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f10", parameters({operation("add", "Patient",
      R"({"name":"name","valueString":"name"},{"name":"value","part":[{"name":"given","valueString":"Ann"},)"
      R"({"name":"given","valueString":"Bea","_valueString":{"extension":[{"url":"http://example.org/x","valueCode":"y"}]}},)"
      R"({"name":"family","valueString":"Doe","_valueString":{"id":"f"}}]})")}));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f10").body);
  const auto& name = now["name"][0];
  REQUIRE(name["_given"].Size() == 2);
  CHECK(name["_given"][0].IsNull());
  CHECK(str(name["_given"][1]["extension"][0], "valueCode") == "y");
  CHECK(str(name["_family"], "id") == "f");
}

TEST_CASE("a FHIRPath Patch insert or move needs the whole list", "[e2e][http]") {
  // A path finding part of a list had its index, source and destination count in the part but
  // applied to the whole list: moving the second of identifier.where(system != 'urn:a') moved
  // urn:a, which the path did not find.
  ServerProcess server(temp_dir("fhirpath-patch-whole-list"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f11", R"({"resourceType":"Patient","id":"f11","identifier":[{"system":"urn:a"},{"system":"urn:b"},{"system":"urn:c"}]})",
                 json_headers()).status == 201);
  for (const auto& bad : {operation("move", "Patient.identifier.where(system != 'urn:a')", R"({"name":"source","valueInteger":0},{"name":"destination","valueInteger":1})"),
                          operation("insert", "Patient.identifier.where(system = 'urn:c')", R"({"name":"index","valueInteger":1},{"name":"value","valueIdentifier":{"system":"urn:z"}})"),
                          operation("move", "Patient.identifier[2]", R"({"name":"source","valueInteger":0},{"name":"destination","valueInteger":0})")}) {
    auto refused = fhirpath_patch(*c, "/fhir/Patient/f11", parameters({bad}));
    INFO(bad << " -> " << refused.body);
    CHECK(refused.status == 422);
    CHECK_THAT(refused.body, Catch::Contains("part of a list"));
  }
  auto moved = fhirpath_patch(*c, "/fhir/Patient/f11", parameters({operation("move", "Patient.identifier", R"({"name":"source","valueInteger":2},{"name":"destination","valueInteger":0})")}));
  INFO(moved.body);
  REQUIRE(moved.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f11").body);
  CHECK(str(now["identifier"][0], "system") == "urn:c");
  CHECK(str(now["identifier"][1], "system") == "urn:a");
  CHECK(str(now, "id") == "f11");
}

TEST_CASE("a FHIRPath Patch keeps a value's extensions whole through later operations and never replaces the resource itself",
          "[e2e][http]") {
  // The value's twin was placed in the resource from the operation's own memory, freed when the
  // operation ended: the next operation read freed memory. A replace of the root built the
  // JSON Pointer "_" (an assertion, or the whole resource overwritten).
  ServerProcess server(temp_dir("fhirpath-patch-memory"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/f9", R"({"resourceType":"Patient","id":"f9","active":true})", json_headers()).status == 201);
  const std::string id = "an-id-long-enough-to-live-outside-the-string-itself-0123456789";
  auto patched = fhirpath_patch(*c, "/fhir/Patient/f9", parameters({
      operation("add", "Patient", R"({"name":"name","valueString":"birthDate"},{"name":"value","valueDate":"2000-01-01",)"
                                  R"("_valueDate":{"id":")" + id + R"(","extension":[{"url":"http://example.org/x","valueString":")" +
                                  std::string(200, 'y') + R"("}]}})"),
      operation("replace", "Patient.active", R"({"name":"value","valueBoolean":false})"),
      operation("replace", "Patient.active", R"({"name":"value","valueBoolean":true})"),
  }));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto now = parse_json(c->get("/fhir/Patient/f9").body);
  CHECK(str(now["_birthDate"], "id") == id);
  CHECK(str(now["_birthDate"]["extension"][0], "valueString") == std::string(200, 'y'));
  auto root = fhirpath_patch(*c, "/fhir/Patient/f9", parameters({operation("replace", "Patient", R"({"name":"value","valueString":"x","_valueString":{"id":"i"}})")}));
  CHECK(root.status == 422);
  CHECK(str(parse_json(c->get("/fhir/Patient/f9").body), "resourceType") == "Patient");
}
