// The hmis spec on HUD HMIS CSV exports (samples/agency/hmis/FY2024 and FY2026, a whole
// folder each): the FY2024 sample maps to the Bundle checked in beside it and validates;
// every live client and enrollment is there and no deleted record (nor a deleted client's
// enrollment); domestic violence and victim-service-provider records carry their labels;
// 8, 9 and 99 never become a value; FY2026 gives the same records. Then the engine
// features HMIS needs, on small specs: lookups across tables, codes that depend on another
// column, conditions with alternatives, joins.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "mappings/csv/table.h"
#include "agency_test_support.h"
#include "hmis_export.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;
using carebridge::testing::temp_dir;

using carebridge::testing::bundle_of;

namespace {

using carebridge::testing::kActCode;
using carebridge::testing::kConfidentiality;

const carebridge::fhir::validation::Validator& validator() { return carebridge::testing::agency_validator(); }

agency::AgencyConverter converter_for(const std::filesystem::path& spec_file) {
  auto spec = agency::load_spec(spec_file, core());
  INFO((spec.ok() ? "" : spec.message()));
  REQUIRE(spec.ok());
  return agency::AgencyConverter(core(), &validator(), std::make_shared<const agency::Spec>(*spec));
}

const agency::AgencyConverter& hmis() { return carebridge::testing::shipped_converter("hmis"); }

// Every file of an export folder, by name, as `carebridge map` reads a folder.
std::vector<std::pair<std::string, std::string>> folder(const std::filesystem::path& dir) {
  return carebridge::testing::folder_files(dir);
}

agency::AgencyConversion map_sample(const std::string& year) {
  return hmis().convert_files(folder(project_sample("agency/hmis/" + year)), "local");
}


// The sample's rows of one file, by column name.
std::vector<std::map<std::string, std::string>> rows_of(const std::string& year, const std::string& file) {
  return carebridge::testing::sample_rows("agency/hmis/" + year + "/" + file);
}

using carebridge::testing::hmis_export::by_identifier;  // resources by their agency identifier value
using carebridge::testing::hmis_export::str;


std::set<std::string> labels(const rapidjson::Value& resource) {
  std::set<std::string> out;
  if (!resource.HasMember("meta") || !resource["meta"].HasMember("security")) return out;
  for (const auto& l : resource["meta"]["security"].GetArray()) out.insert(str(l["system"]) + "|" + str(l["code"]));
  return out;
}

bool has_label(const rapidjson::Value& resource, const char* system, const char* code) {
  return labels(resource).count(std::string(system) + "|" + code) > 0;
}

// Every Coding below `v` (code systems and codes), wherever it is.
void codings(const rapidjson::Value& v, std::vector<std::pair<std::string, std::string>>& out) {
  if (v.IsArray())
    for (const auto& item : v.GetArray()) codings(item, out);
  if (!v.IsObject()) return;
  if (v.HasMember("system") && v.HasMember("code") && v["code"].IsString()) out.emplace_back(str(v["system"]), str(v["code"]));
  for (const auto& m : v.GetObject())
    if (std::string(m.name.GetString()) != "meta") codings(m.value, out);
}

}  // namespace

TEST_CASE("hmis: the FY2024 sample export maps to the Bundle checked in beside it", "[agency][hmis]") {
  auto c = map_sample("FY2024");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  CHECK(c.file_errors.empty());
  REQUIRE(c.bundle);
  std::string expected = read_text(project_sample("agency/hmis/FY2024.expected.json"));
  std::string difference = carebridge::testing::json_difference(expected, carebridge::fhir::json::write(*c.bundle->root()));
  INFO(difference);
  CHECK(difference.empty());
  // Export.csv is read (its HashStatus says whether names and SSNs are hashes): no warning.
  for (const auto& w : c.mapped.warnings) CHECK(!w.starts_with("Export.csv"));
}

TEST_CASE("hmis: every live client and enrollment is there, and nothing deleted", "[agency][hmis]") {
  for (const std::string year : {"FY2024", "FY2026"}) {
    INFO(year);
    auto c = map_sample(year);
    CHECK(c.mapped.rejected.empty());
    auto bundle = bundle_of(c);
    auto patients = by_identifier(bundle, "Patient");
    auto episodes = by_identifier(bundle, "EpisodeOfCare");
    auto encounters = by_identifier(bundle, "Encounter");
    std::set<std::string> deleted_clients, deleted_enrollments;
    for (const auto& client : rows_of(year, "Client.csv")) {
      bool deleted = !client.at("DateDeleted").empty();
      if (deleted) deleted_clients.insert(client.at("PersonalID"));
      CHECK(patients.count(client.at("PersonalID")) == (deleted ? 0u : 1u));
    }
    for (const auto& e : rows_of(year, "Enrollment.csv")) {
      bool gone = !e.at("DateDeleted").empty() || deleted_clients.count(e.at("PersonalID"));
      if (gone) deleted_enrollments.insert(e.at("EnrollmentID"));
      INFO(e.at("EnrollmentID"));
      CHECK(episodes.count(e.at("EnrollmentID")) == (gone ? 0u : 1u));
    }
    for (const auto& x : rows_of(year, "Exit.csv")) {
      if (deleted_enrollments.count(x.at("EnrollmentID"))) continue;
      REQUIRE(episodes.count(x.at("EnrollmentID")));
      const auto& episode = *episodes.at(x.at("EnrollmentID"));
      CHECK(str(episode["status"]) == "finished");
      CHECK(str(episode["period"]["end"]) == x.at("ExitDate"));
      CHECK(episode["period"].HasMember("start"));  // the Enrollment row and the Exit row make one EpisodeOfCare
    }
    for (const auto& s : rows_of(year, "Services.csv")) {
      bool gone = !s.at("DateDeleted").empty() || deleted_enrollments.count(s.at("EnrollmentID"));
      CHECK(encounters.count(s.at("ServicesID")) == (gone ? 0u : 1u));
    }
    // Nothing in the Bundle names a deleted client.
    std::string text = carebridge::fhir::json::write(*c.bundle->root());
    for (const auto& id : deleted_clients) CHECK(text.find("|" + id + "\"") == std::string::npos);
    CHECK(c.mapped.skipped == 5);
  }
}

TEST_CASE("hmis: domestic violence and a victim service provider's records are labelled", "[agency][hmis]") {
  auto bundle = bundle_of(map_sample("FY2024"));
  // Every HealthAndDV answer is SDV and R, whatever the answer.
  size_t dv = 0;
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    if (str(r["resourceType"]) != "Observation" || str(r["code"]["coding"][0]["code"]) != "HealthAndDV.DomesticViolenceSurvivor")
      continue;
    ++dv;
    CHECK(has_label(r, kActCode, "SDV"));
    CHECK(has_label(r, kConfidentiality, "R"));
  }
  CHECK(dv == 3);
  // Safe Passage (ORG-200) is a victim service provider: its clients, their enrollments and
  // everything recorded about them there is R and SDV; Harbor Light's are not.
  auto patients = by_identifier(bundle, "Patient");
  std::set<std::string> vsp_patients;
  for (const std::string id : {"C-1003", "C-1004"}) {
    REQUIRE(patients.count(id));
    CHECK(has_label(*patients.at(id), kConfidentiality, "R"));
    CHECK(has_label(*patients.at(id), kActCode, "SDV"));
  }
  CHECK(labels(*patients.at("C-1001")).empty());
  for (const auto& e : bundle["entry"].GetArray())
    if (&e["resource"] == patients.at("C-1003") || &e["resource"] == patients.at("C-1004")) vsp_patients.insert(str(e["fullUrl"]));
  size_t about_them = 0;
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    const rapidjson::Value* who = r.HasMember("subject") ? &r["subject"] : r.HasMember("patient") ? &r["patient"] : nullptr;
    if (!who || !vsp_patients.count(str((*who)["reference"]))) continue;
    ++about_them;
    INFO(str(r["resourceType"]) << " " << str(e["request"]["url"]));
    CHECK(has_label(r, kConfidentiality, "R"));
    CHECK(has_label(r, kActCode, "SDV"));
  }
  CHECK(about_them >= 8);  // veteran status, enrollments, destinations, a bed night, DV, income
  // The organization carries the kind the gateway's labelling rules confine.
  auto organizations = by_identifier(bundle, "Organization");
  CHECK(str((*organizations.at("ORG-200"))["type"][0]["coding"][0]["code"]) == "victim-service-provider");
  CHECK(!organizations.at("ORG-100")->HasMember("type"));
  // HIV: the HIV/AIDS disability and the HOPWA assistance; mental health and substance use too.
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    std::string url = str(e["request"]["url"]);
    if (url.ends_with("Disabilities/D-4005") || url.ends_with("I-6004/HIVAssistance")) CHECK(has_label(r, kActCode, "HIV"));
    if (url.ends_with("Disabilities/D-4006")) CHECK(has_label(r, kActCode, "PSY"));
    if (url.ends_with("Disabilities/D-4007")) CHECK(has_label(r, kActCode, "ETH"));
    if (url.ends_with("Disabilities/D-4002")) CHECK(labels(r).empty());
  }
}

TEST_CASE("hmis: 8, 9 and 99 (doesn't know, prefers not to answer, not collected) are never a value", "[agency][hmis]") {
  for (const std::string year : {"FY2024", "FY2026"}) {
    INFO(year);
    auto bundle = bundle_of(map_sample(year));
    std::set<std::string> urls;
    for (const auto& e : bundle["entry"].GetArray()) urls.insert(str(e["request"]["url"]));
    auto has = [&](const std::string& end) {
      for (const auto& u : urls)
        if (u.ends_with(end)) return true;
      return false;
    };
    CHECK(!has("Client/C-1004/VeteranStatus"));  // 99
    CHECK(!has("Client/C-1006/VeteranStatus"));  // 9
    CHECK(has("Client/C-1002/VeteranStatus"));
    CHECK(!has("HealthAndDV/H-8003/DomesticViolenceSurvivor"));  // 9
    CHECK(!has("HealthAndDV/H-8004/DomesticViolenceSurvivor"));  // 8
    CHECK(!has("Disabilities/D-4004"));                         // 8
    CHECK(!has("IncomeBenefits/I-6003/Income"));                // 99
    CHECK(!has("Enrollment/E-5007/Destination"));               // 99
    // Sparrow (C-1006) answered nothing: no birth date, race, gender or sex.
    const auto& sparrow = *by_identifier(bundle, "Patient").at("C-1006");
    CHECK(!sparrow.HasMember("birthDate"));
    CHECK(!sparrow.HasMember("extension"));
    CHECK(!sparrow.HasMember("gender"));
    // No answer code anywhere is a missing-data code.
    std::vector<std::pair<std::string, std::string>> all;
    codings(bundle["entry"], all);
    for (const auto& [system, code] : all) {
      bool answer_list = system == "http://loinc.org" || system.ends_with("hmis-3.12.1") || system.ends_with("hmis-4.11.A") ||
                         system.ends_with("hmis-4.10.2") || system.ends_with("hmis-3.6.1") || system.find("2.16.840.1.113883.6.238") != std::string::npos;
      if (answer_list) CHECK((code != "8" && code != "9" && code != "99"));
    }
  }
}

TEST_CASE("hmis: FY2026 gives the same records, with Sex as Patient.gender and no gender identity", "[agency][hmis]") {
  auto fy2024 = map_sample("FY2024"), fy2026 = map_sample("FY2026");
  CHECK(fy2026.mapped.rejected.empty());
  auto a = bundle_of(fy2024), b = bundle_of(fy2026);
  REQUIRE(a["entry"].Size() == b["entry"].Size());
  for (rapidjson::SizeType i = 0; i < a["entry"].Size(); ++i)
    CHECK(str(a["entry"][i]["request"]["url"]) == str(b["entry"][i]["request"]["url"]));
  auto patients24 = by_identifier(a, "Patient"), patients26 = by_identifier(b, "Patient");
  CHECK(!patients24.at("C-1001")->HasMember("gender"));
  CHECK(str((*patients26.at("C-1001"))["gender"]) == "female");
  CHECK(str((*patients26.at("C-1002"))["gender"]) == "male");
  CHECK(!patients26.at("C-1008")->HasMember("gender"));  // Sex 9
  // HispanicLatinao (FY2026's name) is read as HispanicLatinaeo was.
  std::string c1007 = carebridge::fhir::json::write(*fy2026.bundle->root());
  CHECK(c1007.find("2135-2") != std::string::npos);
  for (const auto& [id, patient] : patients26)
    if (patient->HasMember("extension"))
      for (const auto& ext : (*patient)["extension"].GetArray()) CHECK(!str(ext["url"]).ends_with("us-core-genderIdentity"));
}

TEST_CASE("hmis: the people enrolled together are a household Group, labelled as their enrollments are",
          "[agency][hmis]") {
  auto bundle = bundle_of(map_sample("FY2024"));
  auto households = by_identifier(bundle, "Group");
  REQUIRE(households.count("HH-303"));
  const auto& survivors = *households.at("HH-303");  // at the victim service provider
  CHECK(survivors["member"].Size() == 2);
  std::string labels;
  for (const auto& l : survivors["meta"]["security"].GetArray()) labels += str(l["code"]) + " ";
  CHECK(labels.find("ORCON") != std::string::npos);
  CHECK(!households.at("HH-301")->HasMember("meta"));
}

// ---- The engine features HMIS needs, on specs written for the test.

namespace {

// A spec of two tables: people, and visits that look up their person's site and the
// site's flag through people; `extra` adds to the visit table's columns.
std::filesystem::path lookup_spec(const std::string& extra_columns = "", const std::string& person_lookup = "",
                                  const std::string& person_labels = "[]") {
  auto dir = temp_dir("agency-lookup");
  std::ofstream(dir / "spec.json") << R"({
  "name": "lookup-test",
  "identifierSystems": {"person": "urn:carebridge:agency:{agency}:test-person", "visit": "urn:carebridge:agency:{agency}:test-visit"},
  "tables": [
    {"name": "People", "files": ["people.csv"],
     "columns": [
       {"name": "PersonID", "key": "person_id", "required": true},
       {"name": "Flag", "key": "flag", "type": "code", "values": {"1": {"code": "yes", "display": "Flagged"}, "0": "no"}},
       {"name": "Deleted", "key": "deleted"})" + person_lookup + R"(
     ],
     "resources": [{"id": "p", "type": "Patient", "identity": {"system": "person", "value": "{person_id}"},
                    "security": )" + person_labels + R"(, "set": {"active": true}}]},
    {"name": "Visits", "files": ["visits.csv"],
     "columns": [
       {"name": "VisitID", "key": "visit_id", "required": true},
       {"name": "PersonID", "key": "person_id"},
       {"name": "Kind", "key": "kind", "type": "code", "values": {"A": "a", "B": "b"}},
       {"name": "Detail", "key": "detail", "type": "code", "conceptMap": "detail.conceptmap.json", "dependsOn": "kind"},
       {"name": "Flag of the person", "key": "flag", "lookup": {"table": "People", "key": "person_id", "by": "person_id", "column": "flag"}},
       {"name": "Person deleted", "key": "person_deleted", "lookup": {"table": "People", "key": "person_id", "by": "person_id", "column": "deleted"}})" +
                                      extra_columns + R"(
     ],
     "skip": {"any": [{"present": ["person_deleted"]}, {"column": "kind", "in": ["b"]}]},
     "resources": [{"id": "e", "type": "Encounter", "identity": {"system": "visit", "value": "{visit_id}"},
       "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R", "when": {"column": "flag", "in": ["yes"]}}],
       "set": {"status": "finished", "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
               "subject": "@Patient:person:{person_id}", "type[0].text": {"join": ["{flag|display}", "{detail|display}"], "separator": "; "},
               "type[0].coding[0]": {"system": "{detail|system}", "code": "{detail}"}}}]}
  ]
}
)";
  std::ofstream(dir / "detail.conceptmap.json") << R"({"resourceType": "ConceptMap", "group": [
    {"target": "urn:test:a-details", "element": [{"code": "1", "target": [{"code": "a1", "display": "First of A", "dependsOn": [{"property": "Kind", "value": "A"}]}]}]},
    {"target": "urn:test:b-details", "element": [{"code": "1", "target": [{"code": "b1", "display": "First of B", "dependsOn": [{"property": "Kind", "value": "B"}]}]}]}
  ]})";
  return dir / "spec.json";
}

std::string spec_problems(const std::filesystem::path& file) {
  auto spec = agency::load_spec(file, core());
  std::string out;
  for (const auto& i : spec.issues()) out += i.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("agency lookups: a column takes its value from another table's row, codes depend on another column", "[agency][hmis]") {
  auto c = converter_for(lookup_spec());
  auto result = c.convert_files({{"people.csv", "PersonID,Flag,Deleted\r\nP1,1,\r\nP2,0,\r\nP3,1,2024-01-01\r\n"},
                                 {"visits.csv", "VisitID,PersonID,Kind,Detail\r\nV1,P1,A,1\r\nV2,P2,A,\r\nV3,P3,A,1\r\n"
                                                "V4,P2,B,1\r\nV5,P2,A,7\r\n"}});
  // V5: 7 is no detail of kind A, said in the agency's words.
  REQUIRE(result.mapped.rejected.size() == 1);
  CHECK(result.mapped.rejected[0].message == "\"7\" is not one of the allowed values when \"Kind\" is \"A\" (1)");
  auto bundle = bundle_of(result);
  auto visits = by_identifier(bundle, "Encounter");
  // V3's person is deleted and V4 is of kind B: both skipped by the condition's alternatives.
  CHECK(visits.size() == 2);
  CHECK(result.mapped.skipped == 2);
  const auto& v1 = *visits.at("V1");
  CHECK(has_label(v1, kConfidentiality, "R"));  // the flag looked up from P1
  CHECK(str(v1["type"][0]["text"]) == "Flagged; First of A");
  CHECK(str(v1["type"][0]["coding"][0]["system"]) == "urn:test:a-details");
  CHECK(str(v1["type"][0]["coding"][0]["code"]) == "a1");
  CHECK(labels(*visits.at("V2")).empty());
}

TEST_CASE("agency lookups: several matching rows, and a preferred value", "[agency][hmis]") {
  // Each person looks up the flag of their visits: any visit flagged 'yes' wins.
  std::string person_lookup = R"(,
       {"name": "Any visit flagged", "key": "visit_flag", "lookup": {"table": "Visits", "key": "person_id", "by": "person_id", "column": "visit_flag", "prefer": ["yes"]}})";
  std::string visit_flag = R"(,
       {"name": "VisitFlag", "key": "visit_flag", "type": "code", "values": {"1": "yes", "0": "no"}})";
  std::string label = R"([{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SDV",
                           "when": {"column": "visit_flag", "in": ["yes"]}}])";
  auto file = lookup_spec(visit_flag, person_lookup, label);
  auto spec = agency::load_spec(file, core());
  INFO((spec.ok() ? "" : spec.message()));
  REQUIRE(spec.ok());
  // The lookup reads as the column it takes from: a Code column, so a condition tests its code.
  const agency::Column* looked_up = spec->tables[0].column("visit_flag");
  REQUIRE(looked_up);
  CHECK(looked_up->type == agency::ValueType::Code);
  auto c = converter_for(file);
  auto result = c.convert_files({{"people.csv", "PersonID,Flag,Deleted\r\nP1,0,\r\nP2,0,\r\n"},
                                 {"visits.csv", "VisitID,PersonID,Kind,VisitFlag\r\nV1,P1,A,0\r\nV2,P1,A,1\r\nV3,P1,A,0\r\n"
                                                "V4,P2,A,0\r\n"}});
  CHECK(result.mapped.rejected.empty());
  auto people = by_identifier(bundle_of(result), "Patient");
  CHECK(has_label(*people.at("P1"), kActCode, "SDV"));  // P1's second visit is flagged: preferred over the first
  CHECK(labels(*people.at("P2")).empty());
}

TEST_CASE("agency lookups: mistakes are found when the spec is read", "[agency][hmis]") {
  std::string found = spec_problems(lookup_spec(R"(,
       {"name": "Nowhere", "key": "nowhere", "lookup": {"table": "Places", "key": "id", "by": "person_id", "column": "x"}},
       {"name": "Bad key", "key": "bad", "lookup": {"table": "People", "key": "nope", "by": "visit", "column": "flag"}},
       {"name": "Detail again", "key": "detail2", "type": "code", "values": {"1": "x"}, "dependsOn": "kinds"})"));
  INFO(found);
  CHECK(found.find("the lookup of \"Nowhere\" names the table \"Places\", which the spec does not have") != std::string::npos);
  CHECK(found.find("the lookup of \"Bad key\": table \"People\" has no column with the key \"nope\"") != std::string::npos);
  CHECK(found.find("the lookup of \"Bad key\": table \"Visits\" has no column with the key \"visit\"") != std::string::npos);
  CHECK(found.find("\"Detail again\" depends on \"kinds\", which is not a column of the file") != std::string::npos);
  // A lookup that leads back to itself: people take a visit's value that visits take from people.
  std::string loop = spec_problems(lookup_spec(R"(,
       {"name": "Loop", "key": "loop", "lookup": {"table": "People", "key": "person_id", "by": "person_id", "column": "loop"}})",
                                               R"(,
       {"name": "Loop", "key": "loop", "lookup": {"table": "Visits", "key": "person_id", "by": "person_id", "column": "loop"}})"));
  CHECK(loop.find("leads back to itself") != std::string::npos);
}

TEST_CASE("agency lookups: a lookup of the whole table, and a row found that was not taken", "[agency][hmis]") {
  // Every person is labelled when any visit is of kind B; a visit whose person's row was not
  // taken is not taken either.
  std::string person_lookup = R"(,
       {"name": "Any visit of kind B", "key": "any_b", "lookup": {"table": "Visits", "column": "kind", "prefer": ["b"]}})";
  std::string visit_row = R"(,
       {"name": "The visit's person", "key": "person_row", "required": true,
        "lookup": {"table": "People", "key": "person_id", "by": "person_id", "column": "person_id", "taken": true}})";
  std::string label = R"([{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SDV",
                           "when": {"column": "any_b", "in": ["b"]}}])";
  auto c = converter_for(lookup_spec(visit_row, person_lookup, label));
  auto result = c.convert_files({{"people.csv", "PersonID,Flag,Deleted\r\nP1,7,\r\nP2,0,\r\n"},
                                 {"visits.csv", "VisitID,PersonID,Kind\r\nV1,P1,A\r\nV2,P2,A\r\nV3,P2,B\r\n"}});
  auto bundle = bundle_of(result);
  auto people = by_identifier(bundle, "Patient");
  REQUIRE(people.count("P2"));
  CHECK(has_label(*people.at("P2"), kActCode, "SDV"));  // V3 is of kind B (and skipped: it is still read)
  CHECK(by_identifier(bundle, "Encounter").count("V2"));
  CHECK(!by_identifier(bundle, "Encounter").count("V1"));
  CHECK(std::any_of(result.mapped.rejected.begin(), result.mapped.rejected.end(), [](const agency::RowProblem& p) {
    return p.where == "visits.csv row 2, column \"PersonID\"" &&
           p.message == "\"The visit's person\": the People row with PersonID \"P1\" (people.csv row 2) was not taken (see "
                        "that row's reason), so neither is this one";
  }));
  // Without visits, no visit is of kind B.
  result = c.convert_files({{"people.csv", "PersonID,Flag,Deleted\r\nP2,0,\r\n"}});
  people = by_identifier(bundle_of(result), "Patient");
  REQUIRE(people.count("P2"));
  CHECK(labels(*people.at("P2")).empty());
}

TEST_CASE("agency lookups: a lookup by half a key, or asking for a row taken from a later table, is refused", "[agency][hmis]") {
  std::string found = spec_problems(lookup_spec("", R"(,
       {"name": "Half", "key": "half", "lookup": {"table": "Visits", "key": "person_id", "column": "kind"}},
       {"name": "Too early", "key": "early", "lookup": {"table": "Visits", "key": "person_id", "by": "person_id", "column": "kind", "taken": true}})"));
  INFO(found);
  CHECK(found.find("the lookup of \"Half\" names \"key\" without \"by\": both, or neither for the whole table") != std::string::npos);
  CHECK(found.find("the lookup of \"Too early\" asks for a row taken from \"Visits\", which is not mapped before \"People\"") !=
        std::string::npos);
}

TEST_CASE("agency dates: an order between dates names a date column of the table", "[agency]") {
  std::string found = spec_problems(lookup_spec("", R"(,
       {"name": "Seen", "key": "seen", "type": "date", "notBefore": "nowhere"},
       {"name": "Odd", "key": "odd", "notAfter": "flag"})"));
  INFO(found);
  CHECK(found.find("\"Seen\" has notBefore \"nowhere\", which is not a column of the table") != std::string::npos);
  CHECK(found.find("\"Odd\" has notAfter, which only a date column can have, naming a date column") != std::string::npos);
}
