// A spec's mistakes are found when it is read, each with the spec's file and line: an
// unknown column, a path FHIR does not have, a missing ConceptMap, a reference to nothing.
#include <catch2/catch.hpp>

#include <fstream>

#include "mappings/agency/mapper.h"
#include "mappings/agency/spec.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::temp_dir;

namespace {

// The issues of a spec whose resources are `resources` (JSON) and columns a Client ID and a name.
std::string problems(const std::string& resources, const std::string& extra_column = "") {
  auto dir = temp_dir("agency-spec");
  std::ofstream(dir / "spec.json") << R"({
  "name": "test",
  "identifierSystems": {"client": "urn:test:client"},
  "columns": [
    {"name": "Client ID", "key": "id", "required": true},
    {"name": "Name", "key": "name"})" + extra_column + R"(
  ],
  "resources": )" + resources + "\n}\n";
  auto spec = agency::load_spec(dir / "spec.json", core());
  std::string out;
  for (const auto& i : spec.issues()) out += i.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("agency spec: the shipped specs read without a mistake", "[agency]") {
  auto specs = agency::load_specs(agency::default_specs_dir(), core());
  std::string all;
  for (const auto& i : specs.issues()) all += i.message + "\n";
  INFO(all);
  REQUIRE(specs.ok());
  CHECK(!specs->empty());
}

TEST_CASE("agency spec: a sound spec has no problems", "[agency]") {
  CHECK(problems(R"([{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"},
    "set": {"name[0].text": "{name}", "active": true}}])") == "");
}

TEST_CASE("agency spec: mistakes are reported with the spec's file and line", "[agency]") {
  std::string found = problems(R"([
    {"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"},
     "set": {
       "name[0].text": "{nmae}",
       "birthdate": "{name}",
       "managingOrganization": "@org",
       "generalPractitioner[]": "@Practitioner:staff:{id}"
     }},
    {"id": "x", "type": "Patiant", "identity": {"value": "{id}"}},
    {"id": "n", "type": "Observation", "set": {"status": "final"}}
  ])", R"(,
    {"name": "Sex", "key": "sex", "type": "code", "conceptMap": "missing.conceptmap.json"})");
  CHECK(found.find("spec.json line 12: {nmae}: table \"test\" has no column with the key \"nmae\"") != std::string::npos);
  CHECK(found.find("spec.json line 13: \"birthdate\": Patient has no element \"birthdate\"") != std::string::npos);
  CHECK(found.find("line 14: @org: the table builds no resource called \"org\"") != std::string::npos);
  CHECK(found.find("line 15: @Practitioner:staff:{id}: the spec names no identifier system \"staff\"") != std::string::npos);
  CHECK(found.find("line 17: \"Patiant\" is not a FHIR resource type") != std::string::npos);
  CHECK(found.find("line 18: Observation \"n\" has no identity") != std::string::npos);
  CHECK(found.find("line 7: the ConceptMap missing.conceptmap.json is not beside the spec") != std::string::npos);
}

TEST_CASE("agency spec: a path through a list must say which item", "[agency]") {
  std::string found = problems(R"([{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"},
    "set": {"name.text": "{name}", "gender[0]": "{name}"}}])");
  CHECK(found.find("Patient.name repeats: say which one") != std::string::npos);
  CHECK(found.find("Patient.gender does not repeat") != std::string::npos);
}

TEST_CASE("agency spec: a date format or onError it does not know is refused, and the spec's folder named", "[agency]") {
  std::string found = problems(R"([{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"}}])",
                               R"(, {"name": "Born", "key": "born", "type": "date", "format": "dmy"})");
  CHECK(found.find("format is MDY or DMY") != std::string::npos);
  CHECK(found.find("/spec.json line") != std::string::npos);  // "<its folder>/spec.json": which spec
}

TEST_CASE("agency spec: with onError file, one bad row rejects the whole file and every reason is listed", "[agency]") {
  auto dir = temp_dir("agency-whole-file");
  std::ofstream(dir / "spec.json") << R"({
  "name": "roster", "onError": "file",
  "identifierSystems": {"client": "urn:test:client"},
  "columns": [{"name": "Client ID", "key": "id", "required": true}, {"name": "DOB", "key": "dob", "type": "date"}],
  "resources": [{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"}, "set": {"birthDate": "{dob}"}}]
})";
  auto spec = agency::load_spec(dir / "spec.json", core());
  REQUIRE(spec.ok());
  agency::Mapper mapper(std::make_shared<const agency::Spec>(*spec));
  auto table = csv::read_csv("Client ID,DOB\r\nA1,1/2/1990\r\nA2,13/45/1990\r\n,1/3/1990\r\nA4,1/4/1990\r\n", "roster.csv");
  REQUIRE(table.ok());
  auto mapped = mapper.map({*table});
  CHECK(mapped.bundle.empty());  // nothing is taken, not even the good rows
  REQUIRE(mapped.rejected.size() == 2);
  CHECK(mapped.rejected[0].where == "roster.csv row 3, column \"DOB\"");
  CHECK(mapped.rejected[1].where == "roster.csv row 4, column \"Client ID\"");
}

TEST_CASE("agency spec: a list inside an object value sets each item, as a list at the top of set does", "[agency]") {
  auto dir = temp_dir("agency-list-in-object");
  std::ofstream(dir / "spec.json") << R"({
  "name": "hours",
  "identifierSystems": {"site": "urn:test:site"},
  "columns": [{"name": "Site", "key": "id", "required": true}, {"name": "Opens", "key": "opens", "type": "time"}],
  "resources": [{"id": "l", "type": "Location", "identity": {"system": "site", "value": "{id}"},
    "set": {"name": "{id}", "hoursOfOperation[]": {"daysOfWeek[]": ["sat", "sun"], "openingTime": "{opens}"}}}]
})";
  auto spec = agency::load_spec(dir / "spec.json", core());
  REQUIRE(spec.ok());
  agency::Mapper mapper(std::make_shared<const agency::Spec>(*spec));
  auto table = csv::read_csv("Site,Opens\r\nNorth,9:30\r\n", "sites.csv");
  REQUIRE(table.ok());
  auto mapped = mapper.map({*table}, {}, "local", true);
  REQUIRE(mapped.rejected.empty());
  CHECK(mapped.bundle.find(R"("hoursOfOperation":[{"daysOfWeek":["sat","sun"],"openingTime":"09:30:00"}])") != std::string::npos);
}

TEST_CASE("agency spec: an unknown-code rule other than \"leave out\" is refused with its line", "[agency]") {
  const std::string resources = R"([{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"}}])";
  CHECK(problems(resources, R"(,
    {"name": "Sex", "key": "sex", "type": "code", "values": {"F": "female"}, "unknown": "leave out"})") == "");
  std::string found = problems(resources, R"(,
    {"name": "Sex", "key": "sex", "type": "code", "values": {"F": "female"}, "unknown": "drop"})");
  CHECK(found.find("column \"Sex\": unknown is \"leave out\"") != std::string::npos);
  CHECK(found.find("line 7") != std::string::npos);
}

TEST_CASE("agency spec: a spec that is not JSON is refused naming its folder, not only spec.json", "[agency]") {
  auto dir = temp_dir("agency-bad-json");
  std::ofstream(dir / "spec.json") << "{\n  \"name\": \"broken\",\n  \"columns\": [{\"name\": \"A\"} {\"name\": \"B\"}]\n}\n";
  auto spec = agency::load_spec(dir / "spec.json", core());
  REQUIRE(!spec.ok());
  INFO(spec.message());
  CHECK(spec.message().starts_with((dir.filename() / "spec.json").string() + ": line 3"));
}

TEST_CASE("agency spec: a resource written with update \"create\" is a conditional create", "[agency]") {
  auto dir = temp_dir("agency-create-only");
  std::ofstream(dir / "spec.json") << R"({
  "name": "asks",
  "identifierSystems": {"ask": "urn:test:ask"},
  "columns": [{"name": "Ask", "key": "id", "required": true}],
  "resources": [{"id": "t", "type": "Task", "identity": {"system": "ask", "value": "{id}"}, "update": "create",
    "set": {"status": "requested", "intent": "order"}}]
})";
  auto spec = agency::load_spec(dir / "spec.json", core());
  REQUIRE(spec.ok());
  agency::Mapper mapper(std::make_shared<const agency::Spec>(*spec));
  auto table = csv::read_csv("Ask\r\nA-1\r\n", "asks.csv");
  REQUIRE(table.ok());
  auto mapped = mapper.map({*table}, {}, "local", true);
  REQUIRE(mapped.rejected.empty());
  CHECK(mapped.bundle.find(R"("request":{"method":"POST","url":"Task","ifNoneExist":"identifier=urn:test:ask%7CA-1"})") !=
        std::string::npos);

  // Only an identifier can say whether the record is there already.
  std::string found = problems(R"([{"id": "p", "type": "Patient", "identity": {"value": "{id}"}, "update": "create"}])");
  CHECK(found.find("update \"create\" needs an identity with a system") != std::string::npos);
}

TEST_CASE("agency spec: deletes names the table's own resources and needs a skip", "[agency]") {
  const std::string patient = R"([{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"}}])";
  CHECK(problems(patient + R"(,
  "skip": {"present": ["name"]},
  "deletes": {"resources": ["p"]})") == "");
  std::string found = problems(patient + R"(,
  "deletes": {"when": {"present": ["gone"]}, "resources": ["q"]})");
  CHECK(found.find("line 9: \"deletes\" in table \"test\", which has no \"skip\"") != std::string::npos);
  CHECK(found.find("line 9: the condition names \"gone\", which is not a column key of \"test\"") != std::string::npos);
  CHECK(found.find("line 9: \"deletes\" names \"q\", which is not a resource of table \"test\"") != std::string::npos);
}

TEST_CASE("agency spec: a dependent of what a row deletes is of a resource it deletes and names a type and a system",
          "[agency]") {
  const std::string patient = R"([{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"}}])";
  CHECK(problems(patient + R"(,
  "skip": {"present": ["name"]},
  "deletes": {"resources": ["p"], "dependents": [{"of": "p", "type": "Encounter", "search": "subject", "system": "client"}]})") == "");
  std::string found = problems(patient + R"(,
  "skip": {"present": ["name"]},
  "deletes": {"resources": ["p"], "dependents": [{"of": "q", "type": "Encountre", "system": "visit", "then": "drop"}]})");
  CHECK(found.find("a dependent is \"of\" \"q\", which \"deletes\" does not name") != std::string::npos);
  CHECK(found.find("a dependent's type \"Encountre\" is not a FHIR resource type") != std::string::npos);
  CHECK(found.find("a dependent names no \"search\" parameter") != std::string::npos);
  CHECK(found.find("a dependent's system \"visit\" is not one of the spec's identifierSystems") != std::string::npos);
  CHECK(found.find("a dependent's \"then\" is \"trim\" or left out (deleted), not \"drop\"") != std::string::npos);
}

// "none" where the language says "not" made a condition that always holds, silently: the
// HMIS spec's full-refresh rule did nothing until a test caught it.
TEST_CASE("agency spec: a condition's unknown key is a mistake, not a condition that always holds", "[agency]") {
  std::string found = problems(R"([{"id": "p", "type": "Patient", "identity": {"system": "client", "value": "{id}"},
    "when": {"none": [{"column": "name", "in": ["x"]}]}}])");
  CHECK(found.find("a condition has \"none\", which is none of its keys") != std::string::npos);
}

TEST_CASE("agency spec: a dependent found by another record or an extension names real elements", "[agency]") {
  const std::string patient = R"([{"id": "p", "type": "EpisodeOfCare", "identity": {"system": "client", "value": "{id}"}}])";
  CHECK(problems(patient + R"(,
  "skip": {"present": ["name"]},
  "deletes": {"resources": ["p"], "dependents": [{"of": "p", "type": "Observation", "search": "subject", "by": "patient",
    "system": "client", "linked": "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare"}]})") == "");
  std::string found = problems(patient + R"(,
  "skip": {"present": ["name"]},
  "deletes": {"resources": ["p"], "dependents": [{"of": "p", "type": "Observation", "search": "subject", "by": "patinet",
    "system": "client", "linked": "workflow-episodeOfCare"}]})");
  CHECK(found.find("a dependent's \"by\" is an element of the deleted EpisodeOfCare") != std::string::npos);
  CHECK(found.find("a dependent's \"linked\" is an extension's url") != std::string::npos);
}
