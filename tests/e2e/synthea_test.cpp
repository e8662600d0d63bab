// End to end: Synthea output as hospitals send it (tests/data/synthea: 3.x with US
// Core profiles and conditional references to shared hospital and practitioner
// Bundles, and 2.x with everything inside each patient Bundle) is stored by a
// fresh server with no options, and searches by patient, category, code, date and
// _revinclude return what was sent. Expected counts are read from the fixtures.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;
namespace fs = std::filesystem;

namespace {

// The files of one set in the order an interface engine sends them: shared Bundles first.
std::vector<fs::path> bundles_of(const std::string& set) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fixture("synthea/" + set))) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  auto rank = [](const fs::path& p) {
    std::string name = p.filename().string();
    return name.starts_with("hospitalInformation") ? 0 : name.starts_with("practitionerInformation") ? 1 : 2;
  };
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    return std::make_pair(rank(a), a.filename()) < std::make_pair(rank(b), b.filename());
  });
  return files;
}

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

struct Sent {
  std::map<std::string, int> by_type;
  std::map<std::string, int> observations_by_category;
  std::map<std::string, int> conditions_by_code;
  int encounters_since_2015 = 0;
};

Sent what_was_sent(const rapidjson::Document& bundle) {
  Sent s;
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    std::string type = str(r, "resourceType");
    ++s.by_type[type];
    if (type == "Observation" && r.HasMember("category")) {
      for (const auto& cat : r["category"].GetArray()) {
        for (const auto& coding : cat["coding"].GetArray()) ++s.observations_by_category[str(coding, "code")];
      }
    }
    if (type == "Condition") ++s.conditions_by_code[str(r["code"]["coding"][0], "code")];
    if (type == "Encounter" && str(r["period"], "start") >= "2015") ++s.encounters_since_2015;
  }
  return s;
}

int total(Client& c, const std::string& query) {
  auto r = c.get("/fhir/" + query);
  INFO(query << " -> " << r.body.substr(0, 2000));
  REQUIRE(r.status == 200);
  return parse_json(r.body)["total"].GetInt();
}

void check_patient_searches(Client& c, const fs::path& file, const rapidjson::Document& response) {
  auto bundle = parse_json(read_text(file));
  Sent sent = what_was_sent(bundle);
  // Synthea writes the Patient first; its stored id is in the response's location.
  std::string location = str(response["entry"][0]["response"], "location");
  REQUIRE(location.starts_with("Patient/"));
  std::string patient = location.substr(0, location.find("/_history"));
  INFO(file.filename().string() << " as " << patient);
  for (const auto& [category, count] : sent.observations_by_category) {
    CHECK(total(c, "Observation?patient=" + patient + "&category=" + category + "&_count=1") == count);
  }
  CHECK(total(c, "Observation?subject=" + patient + "&_count=1") == sent.by_type["Observation"]);
  for (const auto& [code, count] : sent.conditions_by_code) {
    CHECK(total(c, "Condition?patient=" + patient + "&code=http://snomed.info/sct|" + code) == count);
  }
  CHECK(total(c, "Encounter?patient=" + patient + "&date=ge2015-01-01") == sent.encounters_since_2015);
  auto with_encounters = parse_json(c.get("/fhir/Patient?_id=" + patient.substr(8) + "&_revinclude=Encounter:patient&_count=500").body);
  CHECK(static_cast<int>(with_encounters["entry"].Size()) == 1 + sent.by_type["Encounter"]);
  CHECK(total(c, "Immunization?patient=" + patient) == sent.by_type["Immunization"]);
  CHECK(total(c, "ExplanationOfBenefit?patient=" + patient) == sent.by_type["ExplanationOfBenefit"]);
}

}  // namespace

TEST_CASE("Synthea 3.x Bundles are stored as published and searchable", "[gateway][e2e][synthea]") {
  ServerProcess server(temp_dir("synthea-3"));
  auto c = server.client();
  int practitioners = 0;
  for (const auto& file : bundles_of("v3")) {
    auto response = post_whole(*c, file);
    std::string name = file.filename().string();
    if (name.starts_with("practitionerInformation")) practitioners = what_was_sent(parse_json(read_text(file))).by_type["Practitioner"];
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
  auto again = post_whole(*c, bundles_of("v3")[0]);
  CHECK(str(again["entry"][0]["response"], "status") == "200 OK");
}

TEST_CASE("Synthea 2.x Bundles are stored as published and searchable", "[gateway][e2e][synthea]") {
  ServerProcess server(temp_dir("synthea-2"));
  auto c = server.client();
  for (const auto& file : bundles_of("v2")) {
    auto response = post_whole(*c, file);
    std::string name = file.filename().string();
    if (!name.starts_with("hospitalInformation") && !name.starts_with("practitionerInformation")) {
      check_patient_searches(*c, file, response);
    }
  }
}
