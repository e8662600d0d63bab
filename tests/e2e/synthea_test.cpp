// End to end: Synthea output as hospitals send it (tests/data/synthea: 3.x with US
// Core profiles and conditional references to shared hospital and practitioner
// Bundles, and 2.x with everything inside each patient Bundle) is stored by a
// fresh server with no options, and searches by patient, category, code, date and
// _revinclude return what was sent. Expected counts are read from the fixtures.
#include <catch2/catch.hpp>

#include <filesystem>

#include "fhir_client.h"
#include "search_cases.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;
namespace fs = std::filesystem;

namespace {

// Posts a Bundle; requires every entry to be answered 2xx. Returns the response.
rapidjson::Document post_whole(Client& c, const fs::path& file) {
  std::string body = read_text(file);
  auto r = c.post("/fhir", body, json_headers());
  INFO(file.filename().string() << ": " << r.body.substr(0, 3000));
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  size_t sent = parse_json(body)["entry"].Size();
  REQUIRE(doc["entry"].Size() == sent);
  for (const auto& e : doc["entry"].GetArray()) {
    std::string status = str(e["response"], "status");
    INFO(status << " " << r.body.substr(0, 3000));
    REQUIRE((status.starts_with("200") || status.starts_with("201")));
  }
  return doc;
}

int practitioners_in(const rapidjson::Document& bundle) {
  int n = 0;
  for (const auto& e : bundle["entry"].GetArray()) n += str(e["resource"], "resourceType") == "Practitioner";
  return n;
}

int encounters_in(const rapidjson::Document& bundle) {
  int n = 0;
  for (const auto& e : bundle["entry"].GetArray()) n += str(e["resource"], "resourceType") == "Encounter";
  return n;
}

int total(Client& c, const std::string& query) {
  auto r = c.get("/fhir/" + query);
  INFO(query << " -> " << r.body.substr(0, 2000));
  REQUIRE(r.status == 200);
  return parse_json(r.body)["total"].GetInt();
}

void check_patient_searches(Client& c, const fs::path& file, const rapidjson::Document& response) {
  auto bundle = parse_json(read_text(file));
  // Synthea writes the Patient first; its stored id is in the response's location.
  std::string location = str(response["entry"][0]["response"], "location");
  REQUIRE(location.starts_with("Patient/"));
  std::string patient = location.substr(0, location.find("/_history"));
  INFO(file.filename().string() << " as " << patient);
  // By patient, category, code and date, with the totals read from the Bundle (search_cases.cpp).
  for (const auto& search : synthea_patient_searches(bundle, patient)) {
    if (search.total >= 0) CHECK(total(c, search.query) == search.total);
  }
  auto with_encounters = parse_json(c.get("/fhir/Patient?_id=" + patient.substr(8) + "&_revinclude=Encounter:patient&_count=500").body);
  CHECK(static_cast<int>(with_encounters["entry"].Size()) == 1 + encounters_in(bundle));
}

}  // namespace

TEST_CASE("Synthea 3.x Bundles are stored as published and searchable", "[gateway][e2e][synthea]") {
  ServerProcess server(temp_dir("synthea-3"));
  auto c = server.client();
  int practitioners = 0;
  for (const auto& file : synthea_bundles("v3")) {
    auto response = post_whole(*c, file);
    std::string name = file.filename().string();
    if (name.starts_with("practitionerInformation")) practitioners = practitioners_in(parse_json(read_text(file)));
    if (!name.starts_with("hospitalInformation") && !name.starts_with("practitionerInformation")) {
      check_patient_searches(*c, file, response);
    }
  }
  // Conditional references resolved to the shared Practitioners, each stored once.
  CHECK(total(*c, "Practitioner") == practitioners);
  auto encounter = parse_json(c->get("/fhir/Encounter?_count=1").body);
  std::string performer = str(encounter["entry"][0]["resource"]["participant"][0]["individual"], "reference");
  CHECK(performer.starts_with("Practitioner/"));
  CHECK(c->get("/fhir/" + performer).status == 200);
  // Posting the shared Bundles again changes nothing (their entries are conditional creates).
  auto again = post_whole(*c, synthea_bundles("v3")[0]);
  CHECK(str(again["entry"][0]["response"], "status") == "200 OK");
}

TEST_CASE("Synthea 2.x Bundles are stored as published and searchable", "[gateway][e2e][synthea]") {
  ServerProcess server(temp_dir("synthea-2"));
  auto c = server.client();
  for (const auto& file : synthea_bundles("v2")) {
    auto response = post_whole(*c, file);
    std::string name = file.filename().string();
    if (!name.starts_with("hospitalInformation") && !name.starts_with("practitionerInformation")) {
      check_patient_searches(*c, file, response);
    }
  }
}
