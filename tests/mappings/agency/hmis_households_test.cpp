// The hmis spec on the independent export's households: each member's relationship to the
// head (RelationshipToHoH) on the household's Group, a household without one head warned
// of, and a member's exit ending that member's membership.
#include <catch2/catch.hpp>

#include "hmis_export.h"

using namespace carebridge::mappings;
using namespace carebridge::testing::hmis_export;
using carebridge::testing::bundle_of;

namespace {

// The fullUrl of the Patient with this PersonalID.
std::string patient_url(const rapidjson::Document& bundle, const std::string& client) {
  const auto* patient = by_identifier(bundle, "Patient").at(client);
  for (const auto& e : bundle["entry"].GetArray())
    if (&e["resource"] == patient) return str(e["fullUrl"]);
  return {};
}

// The household's member item for the client, or null.
const rapidjson::Value* member(const rapidjson::Document& bundle, const std::string& household, const std::string& client) {
  const auto* group = by_identifier(bundle, "Group").at(household);
  for (const auto& m : (*group)["member"].GetArray())
    if (str(m["entity"]["reference"]) == patient_url(bundle, client)) return &m;
  return nullptr;
}

// The relationship code the household's characteristics give the client ("" when none).
std::string relationship(const rapidjson::Document& bundle, const std::string& household, const std::string& client) {
  const auto* group = by_identifier(bundle, "Group").at(household);
  if (!group->HasMember("characteristic")) return {};
  for (const auto& c : (*group)["characteristic"].GetArray())
    if (str(c["valueReference"]["reference"]) == patient_url(bundle, client)) return str(c["code"]["coding"][0]["code"]);
  return {};
}

}  // namespace

TEST_CASE("hmis households: each member's relationship to the head is on the household, which has one head", "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name != "Enrollment.csv") continue;
    text = with_cell(text, "E-1011", "HouseholdID", "HH-5");     // a second head joins HH-5
    text = with_cell(text, "E-1006", "RelationshipToHoH", "5");  // HH-6's only member is not its head
    text = with_cell(text, "E-1002", "RelationshipToHoH", "7");  // no such relationship (list 3.15.1)
  }
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  CHECK(relationship(bundle, "HH-5", "C-102") == "1");  // head
  CHECK(relationship(bundle, "HH-5", "C-103") == "2");  // the head's child
  CHECK(relationship(bundle, "HH-5", "C-105") == "1");
  CHECK(relationship(bundle, "HH-6", "C-104") == "5");
  CHECK(relationship(bundle, "HH-3", "C-101").empty());  // 7 is left out, the membership kept
  REQUIRE(member(bundle, "HH-3", "C-101"));
  auto said = [&](const std::string& warning) {
    return std::count(c.mapped.warnings.begin(), c.mapped.warnings.end(), warning) == 1;
  };
  CHECK(said("Enrollment.csv: HouseholdID \"HH-5\" (rows 6, 7 and 13) should have one head of household (RelationshipToHoH 1); it has 2"));
  CHECK(said("Enrollment.csv: HouseholdID \"HH-6\" (row 8) should have one head of household (RelationshipToHoH 1); it has none"));
  CHECK(said("Enrollment.csv: HouseholdID \"HH-3\" (row 4) should have one head of household (RelationshipToHoH 1); it has none"));
  CHECK(std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(), [](const std::string& w) {
    return w.starts_with("Enrollment.csv row 4, column \"RelationshipToHoH\": \"7\" is not one of the allowed values");
  }));
  // Households with one head each are not warned of.
  CHECK(std::none_of(c.mapped.warnings.begin(), c.mapped.warnings.end(),
                     [](const std::string& w) { return w.find("HouseholdID \"HH-1\"") != std::string::npos; }));
}

TEST_CASE("hmis households: a member's exit ends that member's membership, not a deleted exit nor one before the entry",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Enrollment.csv") text = with_cell(text, "E-1011", "HouseholdID", "HH-5");
    if (name != "Exit.csv") continue;
    // C-103 (the head's child) leaves HH-5; C-105's exit is deleted; C-101's exit from HH-4 is
    // dated before the entry (refused, the enrollment kept).
    text = with_cells(text, "X-1", {{"EnrollmentID", "E-1005"}, {"PersonalID", "C-103"}, {"ExitDate", "2024-06-01"}}, "X-20");
    text = with_cells(text, "X-6", {{"DateDeleted", "2024-07-01 10:00:00"}});
    text = with_cells(text, "X-3", {{"ExitDate", "2024-01-01"}});
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);
  const auto* child = member(bundle, "HH-5", "C-103");
  REQUIRE(child);
  CHECK(str((*child)["period"]["start"]) == "2024-04-01");
  CHECK(str((*child)["period"]["end"]) == "2024-06-01");
  const auto* head = member(bundle, "HH-5", "C-102");
  REQUIRE(head);
  CHECK(!(*head)["period"].HasMember("end"));
  const auto* deleted_exit = member(bundle, "HH-5", "C-105");
  REQUIRE(deleted_exit);
  CHECK(!(*deleted_exit)["period"].HasMember("end"));
  const auto* early = member(bundle, "HH-4", "C-101");
  REQUIRE(early);
  CHECK(!(*early)["period"].HasMember("end"));
  CHECK(by_identifier(bundle, "EpisodeOfCare").count("E-1003"));
  CHECK(c.mapped.rejected.size() == 1);  // the early exit alone, at its ExitDate
  if (!c.mapped.rejected.empty()) CHECK(c.mapped.rejected.front().where.starts_with("Exit.csv row 4"));
  // Each member is in the household once.
  CHECK((*by_identifier(bundle, "Group").at("HH-5"))["member"].Size() == 3);
}

TEST_CASE("hmis households: a SQL dump's NULL is no HouseholdID and no name nor race text", "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    // Two enrollments of two clients in different households, as a SQL dump writes an empty cell.
    if (name == "Enrollment.csv") text = with_cell(with_cell(text, "E-1000", "HouseholdID", "NULL"), "E-1002", "HouseholdID", "NULL");
    if (name == "Client.csv") text = with_cells(text, "C-100", {{"MiddleName", "NULL"}, {"AdditionalRaceEthnicity", "NULL"}});
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);
  CHECK(!by_identifier(bundle, "Group").count("NULL"));  // it grouped the two strangers
  CHECK(by_identifier(bundle, "EpisodeOfCare").count("E-1000"));
  CHECK(by_identifier(bundle, "EpisodeOfCare").count("E-1002"));
  std::string patient = dump(*by_identifier(bundle, "Patient").at("C-100"));
  CHECK(patient.find("NULL") == std::string::npos);
  CHECK(patient.find("\"Elena\"") == std::string::npos);
}
