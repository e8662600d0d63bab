// End to end: search with each parameter type, modifiers, prefixes, chains,
// _include/_revinclude (also with *), sorting, paging (stable while resources are
// added), _summary/_elements, POST _search and the handling of unknown parameters
// (lenient by default, strict on request).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "fhir_client.h"
#include "search_cases.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;
using carebridge::gateway::http::Headers;

namespace {


// Follows a search's next links from `url` (at most `most` pages): the ids matched, in the
// order shown, the number of pages, and the largest page's size. Each page says `total`.
struct Pages {
  std::vector<std::string> ids;
  int count = 0;
  size_t largest = 0;
};
Pages follow_pages(Client& c, std::string url, int most, int total) {
  Pages pages;
  for (; pages.count < most && !url.empty(); ++pages.count) {
    auto r = c.get(url);
    REQUIRE(r.status == 200);
    pages.largest = std::max(pages.largest, r.body.size());
    auto doc = parse_json(r.body);
    CHECK(doc["total"].GetInt() == total);
    if (doc.HasMember("entry")) {
      for (const auto& e : doc["entry"].GetArray()) pages.ids.push_back(str(e["resource"], "id"));
    }
    url.clear();
    for (const auto& link : doc["link"].GetArray()) {
      if (str(link, "relation") == "next") url = str(link, "url").substr(str(link, "url").find("/fhir/"));
    }
  }
  return pages;
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
  // string, token, reference, chains, date, quantity, uri, :missing, _id, _lastUpdated,
  // system search and _has (search_cases.cpp lists them with their totals).
  for (const auto& search : parameter_searches(http_send(*c))) CHECK(total(*c, search.query) == search.total);
  auto bad_has = [&](const std::string& query) { return c->get("/fhir/" + query, {{"Prefer", "handling=strict"}}).status; };
  CHECK(bad_has("Patient?_has:Observation:code:code=1") == 400);  // code is not a reference
  CHECK(bad_has("Patient?_has:Spaceship:subject:code=1") == 400);
  CHECK(bad_has("Patient?_has:Observation:subject") == 400);
  CHECK(bad_has("Observation?subject.nonsense=1") == 400);  // no target type has it
  CHECK(bad_has("Observation?subject:Spaceship.name=x") == 400);
  std::string deep = "Patient?link";
  for (int i = 0; i < 12; ++i) deep += ":Patient.link";
  CHECK(bad_has(deep + ":Patient.name=x") == 400);  // deeper than the limit
  // A set of codes this server cannot tell exactly is refused, not searched in part; even
  // when lenient (leaving the clause out would answer more than was asked).
  auto lenient = [&](const std::string& query) {
    auto r = c->get("/fhir/" + query);
    INFO(query << " -> " << r.body.substr(0, 300));
    CHECK(r.body.find("OperationOutcome") != std::string::npos);
    return r.status;
  };
  CHECK(lenient("Patient?gender:in=http://example.org/ValueSet/unknown") == 400);
  CHECK(lenient("Observation?code:in=http://hl7.org/fhir/ValueSet/observation-codes") == 400);  // all of LOINC
  CHECK(lenient("Observation?code:below=http://loinc.org|2345-7") == 400);  // LOINC is not held here
  CHECK(lenient("Encounter?class:below=_ActEncounterCode") == 400);  // no system
  CHECK(lenient("Patient?identifier:of-type=MR|1") == 400);  // system|code|value
  CHECK(lenient("?_type=Spaceship") == 400);
  CHECK(lenient("Patient?_type=Observation") == 400);
  // A modifier the parameter's type does not take is refused, not ignored (which answered
  // gender=fe for gender:contains=fe).
  CHECK(lenient("Patient?gender:contains=fe") == 400);
  CHECK(lenient("Patient?birthdate:exact=1980") == 400);
  CHECK(lenient("Patient?family:text=smith") == 400);
  CHECK(lenient("Observation?subject:below=Patient/1") == 400);
  CHECK(lenient("Patient?_id:exact=1") == 400);
  CHECK(lenient("Patient?_total=exact") == 400);  // none, estimate or accurate
  // An _include naming no reference parameter: refused when strict; else ignored with a
  // warning, and not in the self link as if it had been applied.
  CHECK(bad_has("Observation?_include=Observation:nonsense") == 400);
  CHECK(bad_has("Observation?_include=Observation:subject:Spaceship") == 400);
  CHECK(bad_has("Patient?_revinclude=Observation:code") == 400);  // not a reference parameter
  CHECK(bad_has("Observation?_include:nonsense=Observation:subject") == 400);
  CHECK(bad_has("Observation?_include=Observation:subject&_include:iterate=Patient:general-practitioner") == 200);
  auto ignored = c->get("/fhir/Observation?_include=Observation:nonsense&_count=1");
  REQUIRE(ignored.status == 200);
  auto bundle = parse_json(ignored.body);
  CHECK(str(bundle["link"][0], "url").find("_include") == std::string::npos);
  CHECK(ignored.body.find("nonsense") != std::string::npos);  // the warning's outcome entry names it
}

TEST_CASE("search results: _include _revinclude paging sorting _summary _elements POST", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-results"));
  auto c = server.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Page)" + std::to_string(i) +
                                            R"("}],"birthDate":"200)" + std::to_string(i) + R"(-01-01"})"));
  }
  created_id(*c, "Observation", observation(ids[0], "2345-7", "5", "2024-01-01"));

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
  std::vector<std::string> seen = follow_pages(*c, "/fhir/Patient?_count=2&_sort=birthdate", 5, 5).ids;
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
  auto bad_summary = c->get("/fhir/Patient?_summary=bogus");
  CHECK(bad_summary.status == 400);
  CHECK(bad_summary.body.find("_summary") != std::string::npos);

  auto xml = c->get("/fhir/Patient?family=page2", {{"Accept", "application/fhir+xml"}});
  REQUIRE(xml.status == 200);
  CHECK(xml.body.find("<total value=\"1\"/>") != std::string::npos);
  CHECK(xml.body.find("<family value=\"Page2\"/>") != std::string::npos);
  // :iterate follows references from what was included: Observation -> Patient -> Practitioner.
  std::string doctor = created_id(*c, "Practitioner", R"({"resourceType":"Practitioner","name":[{"family":"Osei"}]})");
  std::string cared = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Cared"}],)"
                                            R"("generalPractitioner":[{"reference":"Practitioner/)" + doctor + R"("}]})");
  created_id(*c, "Observation", observation(cared, "718-7", "12", "2024-03-01"));
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
  // Chains through two references, with and without the target types.
  CHECK(types_of("Observation?subject:Patient.general-practitioner:Practitioner.name=osei") == "Observation ");
  CHECK(types_of("Observation?subject.general-practitioner.family=osei") == "Observation ");
  CHECK(types_of("Observation?subject.general-practitioner.family=nobody").empty());
}

TEST_CASE("paging links stay on the matches of the first page while resources are added", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-paging"));
  auto c = server.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(created_id(*c, "Patient", patient_json("Paged" + std::to_string(i), "A")));
  // Newest first, three a page; more patients arrive between the pages.
  std::string url = "/fhir/Patient?_sort=-_lastUpdated&_count=3";
  std::vector<std::string> seen;
  for (int page = 0; page < 5 && !url.empty(); ++page) {
    auto r = c->get(url);
    REQUIRE(r.status == 200);
    auto doc = parse_json(r.body);
    CHECK(doc["total"].GetInt() == 7);
    if (doc.HasMember("entry")) {
      for (const auto& e : doc["entry"].GetArray()) seen.push_back(str(e["resource"], "id"));
    }
    url.clear();
    for (const auto& link : doc["link"].GetArray()) {
      if (str(link, "relation") == "next") url = str(link, "url").substr(str(link, "url").find("/fhir/"));
    }
    created_id(*c, "Patient", patient_json("Later" + std::to_string(page), "B"));
  }
  std::sort(seen.begin(), seen.end());
  std::sort(ids.begin(), ids.end());
  CHECK(seen == ids);  // each once, none of the later ones
  // A new search sees them all.
  CHECK(total(*c, "Patient?_sort=-_lastUpdated&_count=3") == 7 + 3);
}

TEST_CASE("_include and _revinclude with * follow every reference parameter", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-include-all"));
  auto c = server.client();
  std::string patient = created_id(*c, "Patient", patient_json("Okafor", "Ada"));
  std::string nurse = created_id(*c, "Practitioner", R"({"resourceType":"Practitioner","name":[{"family":"Lund"}]})");
  std::string team = created_id(*c, "CareTeam", R"({"resourceType":"CareTeam","status":"active","subject":{"reference":"Patient/)" +
                                                patient + R"("},"participant":[{"member":{"reference":"Practitioner/)" + nurse +
                                                R"("}}]})");
  auto entries = [&](const std::string& query) { return search_entries(*c, query); };
  CHECK(entries("CareTeam?_include=CareTeam:*") ==
        std::multiset<std::string>{"match CareTeam/" + team, "include Patient/" + patient, "include Practitioner/" + nurse});
  CHECK(entries("CareTeam?_include=CareTeam:*:Practitioner") ==
        std::multiset<std::string>{"match CareTeam/" + team, "include Practitioner/" + nurse});
  CHECK(entries("Practitioner?_revinclude=CareTeam:*") ==
        std::multiset<std::string>{"match Practitioner/" + nurse, "include CareTeam/" + team});
}

TEST_CASE("paging keeps its places when a resource already shown is updated", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-paging-updates"));
  auto c = server.client();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(created_id(*c, "Patient", patient_json("Steady" + std::to_string(i), "A")));
  std::string url = "/fhir/Patient?family=steady&_count=2";
  std::vector<std::string> seen;
  for (int page = 0; page < 5 && !url.empty(); ++page) {
    auto doc = parse_json(c->get(url).body);
    if (doc.HasMember("entry")) {
      for (const auto& e : doc["entry"].GetArray()) seen.push_back(str(e["resource"], "id"));
    }
    url.clear();
    for (const auto& link : doc["link"].GetArray()) {
      if (str(link, "relation") == "next") url = str(link, "url").substr(str(link, "url").find("/fhir/"));
    }
    if (page == 0) {  // the first patient shown changes between the pages
      std::string changed = R"({"resourceType":"Patient","id":")" + seen[0] +
                            R"(","name":[{"family":"Steady0","given":["Changed"]}],"gender":"female","birthDate":"1980-05-17"})";
      REQUIRE(c->put("/fhir/Patient/" + seen[0], changed, json_headers()).status == 200);
    }
  }
  CHECK(seen == ids);  // each once, in the order they were created
}

TEST_CASE("names in every Latin script Greek Cyrillic and NFD are found case and accent insensitively", "[gateway][e2e][search]") {
  // Hospitals send Šťastný, Łukasz, Nguyễn, decomposed Gonçalves and Иванов: a clerk types
  // them without the accents, in capitals, or composed where the record is decomposed.
  ServerProcess server(temp_dir("search-international-names"));
  auto c = server.client();
  for (const auto& search : international_name_searches(http_send(*c))) {
    CHECK(total(*c, search.query) == search.total);
  }
}

TEST_CASE("a page of large resources ends at max_response_bytes and the next page goes on from there", "[gateway][e2e][search]") {
  // A _count=1000 search of Synthea's clinical notes answered 85 MB in one page, past the
  // limit a batch keeps to; the page now ends early and its next link goes on after it.
  ServerProcess server(temp_dir("search-page-bytes"), R"({"limits":{"max_response_bytes":200000}})");
  auto c = server.client();
  std::set<std::string> made;
  for (int i = 0; i < 5; ++i) {
    made.insert(created_id(*c, "DocumentReference", R"({"resourceType":"DocumentReference","status":"current","content":[{"attachment":)"
                                                R"({"contentType":"text/plain","data":")" + std::string(100000, 'Q') + R"("}}]})"));
  }
  Pages pages = follow_pages(*c, "/fhir/DocumentReference?_count=10", 10, 5);
  CHECK(pages.largest < 400000);
  CHECK(pages.count == 3);  // two, two and one
  const auto& seen = pages.ids;
  CHECK(seen.size() == 5);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == made);
}

TEST_CASE("search results: a count whatever the parameters' order, a format kept on every page, a reference with an id",
          "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-result-parameters"));
  auto c = server.client();
  for (int i = 0; i < 5; ++i) created_id(*c, "Patient", patient_json("Order" + std::to_string(i), "Ann"));
  for (const char* query : {"/fhir/Patient?_summary=count&_count=2", "/fhir/Patient?_count=2&_summary=count"}) {
    INFO(query);  // a count is no page, whichever parameter comes first
    auto counted = parse_json(c->get(query).body);
    CHECK(counted["total"].GetInt() == 5);
    CHECK(!counted.HasMember("entry"));
  }
  // A format asked for by parameter stays on the paging links.
  auto pretty = parse_json(c->get("/fhir/Patient?_count=2&_format=json&_pretty=true").body);
  for (const auto& link : pretty["link"].GetArray()) {
    INFO(str(link, "relation"));
    CHECK(str(link, "url").find("_format=json") != std::string::npos);
    CHECK(str(link, "url").find("_pretty=true") != std::string::npos);
  }
  // A reference that names a type and no id names no record: refused, not searched as nothing.
  CHECK(c->get("/fhir/Observation?patient=Patient/").status == 400);
}

TEST_CASE("token :in and :not-in a ValueSet a client stored", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-stored-valueset"));
  auto c = server.client();
  auto observation = [&](const char* code) {
    created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" +
                                  std::string(code) + R"("}]}})");
  };
  observation("8867-4");
  observation("2339-0");
  observation("8310-5");
  std::string vitals = created_id(*c, "ValueSet", R"({"resourceType":"ValueSet","url":"http://example.org/ValueSet/vitals","version":"2",)"
                                               R"("status":"active","compose":{"include":[{"system":"http://loinc.org",)"
                                               R"("concept":[{"code":"8867-4"},{"code":"8310-5"}]}]}})");
  created_id(*c, "ValueSet", R"({"resourceType":"ValueSet","url":"http://example.org/ValueSet/genders","status":"active",)"
                         R"("compose":{"include":[{"system":"http://hl7.org/fhir/administrative-gender"}],)"
                         R"("exclude":[{"system":"http://hl7.org/fhir/administrative-gender","concept":[{"code":"unknown"}]}]}})");
  created_id(*c, "Patient", R"({"resourceType":"Patient","gender":"female"})");
  created_id(*c, "Patient", R"({"resourceType":"Patient","gender":"unknown"})");
  CHECK(total(*c, "Observation?code:in=http://example.org/ValueSet/vitals") == 2);
  CHECK(total(*c, "Observation?code:in=http://example.org/ValueSet/vitals|2") == 2);
  CHECK(total(*c, "Observation?code:in=ValueSet/" + vitals) == 2);  // relative, by id
  CHECK(total(*c, "Observation?code:not-in=http://example.org/ValueSet/vitals") == 1);
  CHECK(total(*c, "Patient?gender:in=http://example.org/ValueSet/genders") == 1);  // a code system held in full, less one code
  // Still refused, never searched as empty: an unknown value set, another version, a deleted one.
  CHECK(c->get("/fhir/Observation?code:in=http://example.org/ValueSet/vitals|3").status == 400);
  CHECK(c->get("/fhir/Observation?code:in=http://example.org/ValueSet/none").status == 400);
  REQUIRE(c->del("/fhir/ValueSet/" + vitals).status == 204);
  CHECK(c->get("/fhir/Observation?code:in=ValueSet/" + vitals).status == 400);
}

TEST_CASE("token :below and :above in a CodeSystem a client stored", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-stored-codesystem"));
  auto c = server.client();
  created_id(*c, "CodeSystem", R"({"resourceType":"CodeSystem","url":"http://example.org/fhir/CodeSystem/needs","status":"active",)"
                           R"("content":"complete","concept":[{"code":"food","display":"Food","concept":[)"
                           R"({"code":"food-infant","display":"Infant formula"},{"code":"food-pantry","display":"Pantry"}]},)"
                           R"({"code":"housing","display":"Housing"}]})");
  auto condition = [&](const char* code) {
    created_id(*c, "Condition", R"({"resourceType":"Condition","subject":{"reference":"Patient/p"},"code":{"coding":[)"
                                R"({"system":"http://example.org/fhir/CodeSystem/needs","code":")" + std::string(code) + R"("}]}})");
  };
  condition("food-infant");
  condition("food");
  condition("housing");
  CHECK(total(*c, "Condition?code:below=http://example.org/fhir/CodeSystem/needs|food") == 2);
  CHECK(total(*c, "Condition?code:above=http://example.org/fhir/CodeSystem/needs|food-infant") == 2);
  CHECK(total(*c, "Condition?code:below=http://example.org/fhir/CodeSystem/needs|housing") == 1);
  // A code system the server has neither in its definitions nor stored is still refused.
  CHECK(c->get("/fhir/Condition?code:below=http://example.org/fhir/CodeSystem/other|food").status == 400);
}

TEST_CASE("a search in a patient's compartment finds what that patient's compartment holds", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-compartment"));
  auto c = server.client();
  std::string ann = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Ann"}]})");
  std::string bob = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Bob"}]})");
  created_id(*c, "Observation", observation(ann, "2339-0", "90", "2024-01-01"));
  created_id(*c, "Observation", observation(ann, "8867-4", "70", "2024-01-02"));
  created_id(*c, "Observation", observation(bob, "2339-0", "95", "2024-01-03"));
  created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"seen by"},)"
                            R"("performer":[{"reference":"Patient/)" + ann + R"("}]})");
  CHECK(total(*c, "Patient/" + ann + "/Observation") == 3);  // subject or performer
  CHECK(total(*c, "Patient/" + ann + "/Observation?code=2339-0") == 1);
  CHECK(total(*c, "Patient/" + bob + "/Observation") == 1);
  CHECK(total(*c, "Patient/nobody/Observation") == 0);
  auto r = c->post("/fhir/Patient/" + ann + "/Observation/_search", "code=8867-4", {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(r.status == 200);
  CHECK(parse_json(r.body)["total"].GetInt() == 1);
  auto page = c->get("/fhir/Patient/" + ann + "/Observation?_count=1");
  REQUIRE(page.status == 200);
  CHECK(str(parse_json(page.body)["link"][0], "url").find("/Patient/" + ann + "/Observation?") != std::string::npos);
  CHECK(c->get("/fhir/Patient/" + ann + "/Organization").status == 400);  // never in a patient's compartment
  CHECK(c->get("/fhir/Encounter/e1/Observation").status == 200);  // R4's other compartments too
  CHECK(c->get("/fhir/Basic/b1/Observation").status == 400);       // no such compartment
  auto metadata = parse_json(c->get("/fhir/metadata").body);
  REQUIRE(metadata["rest"][0].HasMember("compartment"));
  std::string listed;
  for (const auto& url : metadata["rest"][0]["compartment"].GetArray()) listed += std::string(url.GetString()) + " ";
  CHECK(listed.find("http://hl7.org/fhir/CompartmentDefinition/patient ") != std::string::npos);
  CHECK(listed.find("http://hl7.org/fhir/CompartmentDefinition/encounter ") != std::string::npos);
}

TEST_CASE("_elements names qualified by a type trim only resources of that type", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-elements-qualified"));
  auto c = server.client();
  std::string ann = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Ann"}],"gender":"female"})");
  created_id(*c, "Observation", observation(ann, "2339-0", "90", "2024-01-01"));
  auto r = c->get("/fhir/Observation?_elements=Observation.subject,Patient.name&_include=Observation:subject");
  REQUIRE(r.status == 200);
  auto bundle = parse_json(r.body);
  REQUIRE(bundle["entry"].Size() == 2);
  const auto& obs = bundle["entry"][0]["resource"];
  const auto& patient = bundle["entry"][1]["resource"];
  CHECK(obs.HasMember("subject"));
  CHECK_FALSE(obs.HasMember("valueQuantity"));
  CHECK(patient.HasMember("name"));
  CHECK_FALSE(patient.HasMember("gender"));
  // Names without a type subset the matches only: the included Patient comes whole.
  auto plain = parse_json(c->get("/fhir/Observation?_elements=subject&_include=Observation:subject").body);
  REQUIRE(plain["entry"].Size() == 2);
  CHECK_FALSE(plain["entry"][0]["resource"].HasMember("valueQuantity"));
  CHECK(plain["entry"][1]["resource"].HasMember("gender"));
  CHECK(plain["entry"][1]["resource"].HasMember("name"));
}

TEST_CASE("a reference to another server's patient is not this server's patient of the same id", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-foreign-reference"));
  auto c = server.client();
  std::string ann = created_id(*c, "Patient", R"({"resourceType":"Patient","name":[{"family":"Ann"}]})");
  created_id(*c, "Observation", observation(ann, "2339-0", "90", "2024-01-01"));
  std::string elsewhere = "http://elsewhere.example.org/fhir/Patient/" + ann;
  std::string foreign = created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
                                                   R"("subject":{"reference":")" + elsewhere + R"("}})");
  CHECK(total(*c, "Observation?subject=Patient/" + ann) == 1);
  CHECK(total(*c, "Observation?subject=" + elsewhere) == 1);
  CHECK(total(*c, "Observation?subject:Patient.name=ann") == 1);
  CHECK(total(*c, "Patient?_has:Observation:subject:_id=" + foreign) == 0);
  CHECK(total(*c, "Patient/" + ann + "/Observation") == 1);
  auto r = c->get("/fhir/Observation?_id=" + foreign + "&_include=Observation:subject");
  REQUIRE(r.status == 200);
  CHECK(parse_json(r.body)["entry"].Size() == 1);  // the match alone: its subject is not here
}

TEST_CASE("quantities in several units of one dimension are found in any of them and sorted as written",
          "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-ucum"));
  auto c = server.client();
  auto weight = [&](const std::string& value, const std::string& code) {
    return created_id(*c, "Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"weight"},)"
                                     R"("valueQuantity":{"value":)" + value + R"(,"system":"http://unitsofmeasure.org","code":")" +
                                         code + R"("}})");
  };
  std::string kg = weight("2", "kg"), g = weight("1500", "g"), mg = weight("3", "mg");
  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    auto bundle = parse_json(c->get("/fhir/Observation?" + query).body);
    for (const auto& e : bundle["entry"].GetArray()) out.push_back(str(e["resource"], "id"));
    return out;
  };
  CHECK(ids("value-quantity=gt1|http://unitsofmeasure.org|kg&_sort=value-quantity") == std::vector<std::string>{kg, g});
  CHECK(ids("value-quantity=1500000|http://unitsofmeasure.org|mg") == std::vector<std::string>{g});
  // The values as written: 2, 3, 1500 (canonical rows would put 3 mg first and 2 kg last).
  CHECK(ids("_sort=value-quantity") == std::vector<std::string>{kg, mg, g});
  CHECK(ids("_sort=-value-quantity") == std::vector<std::string>{g, mg, kg});
}

// :in tests a Coding's membership by system and code (search.html#token): a Coding written
// without its system is in no value set, as system|code does not find it either.
TEST_CASE(":in finds a Coding by system and code, never one without its system", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-in-needs-system"));
  auto c = server.client();
  auto observation = [](const std::string& coding) {
    return R"({"resourceType":"Observation","status":"final","category":[{"coding":[)" + coding +
           R"(]}],"code":{"text":"pantry visits"},"subject":{"reference":"Patient/p1"}})";
  };
  std::string with = created_id(*c, "Observation", observation(
      R"({"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"social-history"})"));
  std::string without = created_id(*c, "Observation", observation(R"({"code":"social-history"})"));
  auto found = c->get("/fhir/Observation?category:in=http://hl7.org/fhir/ValueSet/observation-category");
  REQUIRE(found.status == 200);
  CHECK(found.body.find(with) != std::string::npos);
  CHECK(found.body.find(without) == std::string::npos);
}

// US Core's parameters name a choice by its typed name (us-core-condition-asserted-date:
// `Condition.extension.where(url=...).valueDateTime`); their values are indexed as FHIR's own.
TEST_CASE("a US Core parameter whose expression names a choice by its type finds its values", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-typed-choice"));
  auto c = server.client();
  std::string asserted = created_id(*c, "Condition", R"({"resourceType":"Condition","code":{"text":"asthma"},)"
                                                      R"("extension":[{"url":"http://hl7.org/fhir/StructureDefinition/condition-assertedDate",)"
                                                      R"("valueDateTime":"2001-02-03"}],"subject":{"reference":"Patient/p1"}})");
  created_id(*c, "Condition", R"({"resourceType":"Condition","code":{"text":"flu"},"subject":{"reference":"Patient/p1"}})");
  auto found = parse_json(c->get("/fhir/Condition?asserted-date=2001-02-03").body);
  REQUIRE(found["total"].GetInt() == 1);
  CHECK(str(found["entry"][0]["resource"], "id") == asserted);
  CHECK(parse_json(c->get("/fhir/Condition?asserted-date=ge2002").body)["total"].GetInt() == 0);
  CHECK(parse_json(c->get("/fhir/Condition?asserted-date:missing=true").body)["total"].GetInt() == 1);
}
