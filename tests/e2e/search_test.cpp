// End to end: search with each parameter type, modifiers, prefixes, chains,
// _include/_revinclude, sorting, paging, _summary/_elements, POST _search and
// the handling of unknown parameters (lenient by default, strict on request).
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;
using carebridge::gateway::http::Headers;

namespace {

std::string create(Client& c, const std::string& type, const std::string& json) {
  auto r = c.post("/fhir/" + type, json, json_headers());
  REQUIRE(r.status == 201);
  return str(parse_json(r.body), "id");
}

int total(Client& c, const std::string& query) {
  auto r = c.get("/fhir/" + query);
  INFO(query << " -> " << r.status << " " << r.body.substr(0, 400));
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  REQUIRE(doc.HasMember("total"));
  return doc["total"].GetInt();
}

std::string observation(const std::string& patient, const std::string& code, const std::string& value,
                        const std::string& when) {
  return R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" +
         code + R"("}]},"subject":{"reference":"Patient/)" + patient + R"("},"effectiveDateTime":")" + when +
         R"(","valueQuantity":{"value":)" + value + R"(,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}})";
}

}  // namespace

TEST_CASE("search by each parameter type with modifiers prefixes and chains", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search"));
  auto c = server.client();
  std::string smith = create(*c, "Patient", patient_json("Smith", "Anna", R"("identifier":[{"system":"urn:mrn","value":"1"}],)"));
  std::string smithers = create(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Smithers","given":["Bo"]}],)"
                                               R"("gender":"male","birthDate":"1990-11-02","identifier":[{"system":"urn:mrn","value":"2"}]})");
  std::string jones = create(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Jönes"}],"gender":"other"})");
  create(*c, "Observation", observation(smith, "2345-7", "5.4", "2024-01-15T10:00:00Z"));
  create(*c, "Observation", observation(smith, "2345-7", "7.1", "2024-02-20T10:00:00Z"));
  create(*c, "Observation", observation(smithers, "718-7", "13", "2023-12-31"));
  create(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"by identifier"},)"
                            R"("subject":{"identifier":{"system":"urn:mrn","value":"9"}}})");
  create(*c, "Subscription", R"({"resourceType":"Subscription","status":"requested","reason":"labs","criteria":"Observation?code=2345-7",)"
                             R"("channel":{"type":"rest-hook","endpoint":"https://clinic.example/hook"}})");

  // string: starts-with (case and accent insensitive), :exact, :contains
  CHECK(total(*c, "Patient?name=smith") == 2);
  CHECK(total(*c, "Patient?family=SMITH") == 2);
  CHECK(total(*c, "Patient?name:exact=Smith") == 1);
  CHECK(total(*c, "Patient?name:contains=ithe") == 1);
  CHECK(total(*c, "Patient?name=jones") == 1);
  CHECK(total(*c, "Patient?name=smith,jones") == 3);
  // phonetic indexes what name does (Patient.name): it reads name's rows
  CHECK(total(*c, "Patient?phonetic=smith") == 2);
  CHECK(total(*c, "Patient?phonetic=smithers&_sort=-phonetic") == 1);
  // token: code, system|code, |code, :not, :text
  CHECK(total(*c, "Patient?gender=female") == 1);
  CHECK(total(*c, "Patient?gender:not=female") == 2);
  CHECK(total(*c, "Patient?identifier=urn:mrn|2") == 1);
  CHECK(total(*c, "Patient?identifier=urn:other|2") == 0);
  CHECK(total(*c, "Observation?code=http://loinc.org|2345-7") == 2);
  CHECK(total(*c, "Observation?code:text=by%20ident") == 1);
  CHECK(total(*c, "Observation?code=718-7") == 1);
  // reference: Type/id, id with :Type, chains one level deep
  CHECK(total(*c, "Observation?subject=Patient/" + smith) == 2);
  CHECK(total(*c, "Observation?subject:Patient=" + smithers) == 1);
  CHECK(total(*c, "Observation?patient=" + smith) == 2);
  CHECK(total(*c, "Observation?subject:Patient.name=smithers") == 1);
  CHECK(total(*c, "Observation?subject:Patient.identifier=urn:mrn|1") == 2);
  CHECK(total(*c, "Observation?subject:identifier=urn:mrn|9") == 1);
  CHECK(total(*c, "Observation?subject:identifier=urn:mrn|1") == 0);
  // date: precision ranges and prefixes
  CHECK(total(*c, "Patient?birthdate=1980") == 1);
  CHECK(total(*c, "Patient?birthdate=1980-05-17") == 1);
  CHECK(total(*c, "Patient?birthdate=ge1985") == 1);
  CHECK(total(*c, "Patient?birthdate=lt1985-01-01") == 1);
  CHECK(total(*c, "Observation?date=2024-01") == 1);
  CHECK(total(*c, "Observation?date=gt2024-01-31") == 1);
  CHECK(total(*c, "Observation?date=sa2023-12-31") == 2);
  CHECK(total(*c, "Observation?date=eb2024-01-01") == 1);
  CHECK(total(*c, "Observation?date=ne2024-01-15") == 2);
  // quantity: value, prefix, system and code
  CHECK(total(*c, "Observation?value-quantity=5.4") == 1);
  CHECK(total(*c, "Observation?value-quantity=gt6|http://unitsofmeasure.org|mg/dL") == 2);
  CHECK(total(*c, "Observation?value-quantity=le7.1||mg/dL") == 2);
  CHECK(total(*c, "Observation?value-quantity=lt100|http://unitsofmeasure.org|kg") == 0);
  // uri
  CHECK(total(*c, "Subscription?url=https://clinic.example/hook") == 1);
  CHECK(total(*c, "Subscription?url:below=https://clinic.example") == 1);
  // :missing, _id, _lastUpdated
  CHECK(total(*c, "Patient?birthdate:missing=true") == 1);
  CHECK(total(*c, "Patient?birthdate:missing=false") == 2);
  CHECK(total(*c, "Patient?_id=" + smith + "," + jones) == 2);
  CHECK(total(*c, "Patient?_lastUpdated=gt2000-01-01") == 3);
  CHECK(total(*c, "Patient?_lastUpdated=lt2000-01-01") == 0);
  // system search
  CHECK(total(*c, "?_id=" + smith) == 1);
  // _has: Patients an Observation with a code refers to, one and two levels, and :not
  CHECK(total(*c, "Patient?_has:Observation:subject:code=2345-7") == 1);
  CHECK(total(*c, "Patient?_has:Observation:patient:code=718-7&gender=male") == 1);
  CHECK(total(*c, "Patient?_has:Observation:subject:code=718-7,2345-7") == 2);
  CHECK(total(*c, "Patient?_has:Observation:subject:code=0000-0") == 0);
  CHECK(total(*c, "Patient?_has:Observation:subject:value-quantity=gt10") == 1);
  auto bad_has = [&](const std::string& query) { return c->get("/fhir/" + query, {{"Prefer", "handling=strict"}}).status; };
  CHECK(bad_has("Patient?_has:Observation:code:code=1") == 400);  // code is not a reference
  CHECK(bad_has("Patient?_has:Spaceship:subject:code=1") == 400);
  CHECK(bad_has("Patient?_has:Observation:subject") == 400);
}

TEST_CASE("search results: _include _revinclude paging sorting _summary _elements POST", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-results"));
  auto c = server.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(create(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Page)" + std::to_string(i) +
                                            R"("}],"birthDate":"200)" + std::to_string(i) + R"(-01-01"})"));
  }
  create(*c, "Observation", observation(ids[0], "2345-7", "5", "2024-01-01"));

  auto included = parse_json(c->get("/fhir/Observation?_include=Observation:subject").body);
  REQUIRE(included["entry"].Size() == 2);
  CHECK(str(included["entry"][0]["search"], "mode") == "match");
  CHECK(str(included["entry"][1]["search"], "mode") == "include");
  CHECK(str(included["entry"][1]["resource"], "id") == ids[0]);
  CHECK(included["total"].GetInt() == 1);
  auto revincluded = parse_json(c->get("/fhir/Patient?_id=" + ids[0] + "&_revinclude=Observation:subject").body);
  REQUIRE(revincluded["entry"].Size() == 2);
  CHECK(str(revincluded["entry"][1]["resource"], "resourceType") == "Observation");

  // Paging: follow "next" links until the end; every patient seen once.
  std::string url = "/fhir/Patient?_count=2&_sort=birthdate";
  std::vector<std::string> seen;
  for (int page = 0; page < 5 && !url.empty(); ++page) {
    auto r = c->get(url);
    REQUIRE(r.status == 200);
    auto doc = parse_json(r.body);
    CHECK(doc["total"].GetInt() == 5);
    if (doc.HasMember("entry")) {
      for (const auto& e : doc["entry"].GetArray()) seen.push_back(str(e["resource"], "id"));
    }
    url.clear();
    for (const auto& link : doc["link"].GetArray()) {
      if (str(link, "relation") == "next") url = str(link, "url").substr(str(link, "url").find("/fhir/"));
    }
  }
  CHECK(seen == ids);  // ascending birthdate is creation order
  auto descending = parse_json(c->get("/fhir/Patient?_sort=-birthdate&_count=1").body);
  CHECK(str(descending["entry"][0]["resource"], "id") == ids[4]);

  auto count_only = parse_json(c->get("/fhir/Patient?_summary=count").body);
  CHECK(count_only["total"].GetInt() == 5);
  CHECK(!count_only.HasMember("entry"));
  auto elements = parse_json(c->get("/fhir/Patient?_id=" + ids[1] + "&_elements=birthDate").body);
  const auto& subset = elements["entry"][0]["resource"];
  CHECK(subset.HasMember("birthDate"));
  CHECK(!subset.HasMember("name"));
  CHECK(str(subset["meta"]["tag"][0], "code") == "SUBSETTED");

  auto posted = c->post("/fhir/Patient/_search", "family=page3", {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(posted.status == 200);
  CHECK(parse_json(posted.body)["total"].GetInt() == 1);

  // Unknown parameters: ignored with a warning, or 400 under Prefer: handling=strict.
  auto lenient = c->get("/fhir/Patient?nonsense=1");
  REQUIRE(lenient.status == 200);
  auto lenient_doc = parse_json(lenient.body);
  CHECK(lenient_doc["total"].GetInt() == 5);
  CHECK(lenient.body.find("\"mode\":\"outcome\"") != std::string::npos);
  auto strict = c->get("/fhir/Patient?nonsense=1", {{"Prefer", "handling=strict"}});
  CHECK(strict.status == 400);
  CHECK(str(parse_json(strict.body), "resourceType") == "OperationOutcome");
  CHECK(c->get("/fhir/Patient?birthdate=notadate").status == 400);

  auto xml = c->get("/fhir/Patient?family=page2", {{"Accept", "application/fhir+xml"}});
  REQUIRE(xml.status == 200);
  CHECK(xml.body.find("<total value=\"1\"/>") != std::string::npos);
  CHECK(xml.body.find("<family value=\"Page2\"/>") != std::string::npos);
  // :iterate follows references from what was included: Observation -> Patient -> Practitioner.
  std::string doctor = create(*c, "Practitioner", R"({"resourceType":"Practitioner","name":[{"family":"Osei"}]})");
  std::string cared = create(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Cared"}],)"
                                            R"("generalPractitioner":[{"reference":"Practitioner/)" + doctor + R"("}]})");
  create(*c, "Observation", observation(cared, "718-7", "12", "2024-03-01"));
  auto types_of = [&](const std::string& query) {
    auto doc = parse_json(c->get("/fhir/" + query).body);
    std::string types;
    for (const auto& e : doc["entry"].GetArray()) types += str(e["resource"], "resourceType") + " ";
    return types;
  };
  CHECK(types_of("Observation?code=718-7&_include=Observation:subject&_include=Patient:general-practitioner") ==
        "Observation Patient ");
  CHECK(types_of("Observation?code=718-7&_include=Observation:subject&_include:iterate=Patient:general-practitioner") ==
        "Observation Patient Practitioner ");
  CHECK(types_of("Practitioner?_id=" + doctor + "&_revinclude=Patient:general-practitioner"
                 "&_revinclude:iterate=Observation:subject") == "Practitioner Patient Observation ");
}
