// The hmis spec on the independent export when links between its files break: a client
// whose enrollments cannot be found is labelled as a victim service provider's when that
// cannot be ruled out, and what hangs off an enrollment not taken is not taken either.
#include <catch2/catch.hpp>

#include "hmis_export.h"

using namespace carebridge::mappings;
using namespace carebridge::testing::hmis_export;
using carebridge::testing::bundle_of;

namespace {

bool confined(const rapidjson::Value& r) {
  return has_label(r, kConfidentiality, "R") && has_label(r, kActCode, "SDV") && has_label(r, kActCode, "ORCON");
}

// C-100 is enrolled only at ordinary shelters (ORG-10): unlabelled when its enrollments are read.
const std::string kPlainClient = "C-100";

}  // namespace

TEST_CASE("hmis fail closed: without its enrollments a client is labelled as a victim service provider's",
          "[agency][hmis]") {
  auto before = by_identifier(bundle_of(hmis().convert_files(export_files("FY2024"), "local")), "Patient");
  REQUIRE(before.count(kPlainClient));
  REQUIRE(!confined(*before.at(kPlainClient)));
  // Enrollment.csv missing from the zip, written empty by a failed job, or with its PersonalID
  // column headed otherwise (the file is refused): no client's providers can be told.
  for (const std::string how : {"missing", "empty", "ClientID"}) {
    Files files = export_files("FY2024");
    std::erase_if(files, [&](const auto& f) { return how == "missing" && f.first == "Enrollment.csv"; });
    for (auto& [name, text] : files) {
      if (name != "Enrollment.csv") continue;
      if (how == "empty") text.clear();
      else text.replace(text.find("PersonalID"), 10, "ClientID");
    }
    auto patients = by_identifier(bundle_of(hmis().convert_files(files, "local")), "Patient");
    INFO("Enrollment.csv " << how);
    REQUIRE(patients.count(kPlainClient));
    for (const auto& [id, patient] : patients) CHECK(confined(*patient));
  }
}

TEST_CASE("hmis fail closed: a client no enrollment names exactly is labelled when the export has a victim service provider",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files)
    if (name == "Enrollment.csv")  // the enrollments name the client in other letters (IDs match exactly)
      for (const char* e : {"E-1000", "E-1001"}) text = with_cell(text, e, "PersonalID", "c-100");
  auto c = hmis().convert_files(files, "local");
  auto patients = by_identifier(bundle_of(c), "Patient");
  REQUIRE(patients.count(kPlainClient));
  CHECK(confined(*patients.at(kPlainClient)));
  auto bundle = bundle_of(c);
  const auto* veteran = by_url(bundle, "Client/C-100/VeteranStatus");
  REQUIRE(veteran);
  CHECK(confined(*veteran));
  CHECK(std::any_of(c.mapped.rejected.begin(), c.mapped.rejected.end(), [](const agency::RowProblem& p) {
    return p.where.starts_with("Enrollment.csv") && p.message.find("\"c-100\"") != std::string::npos;
  }));

  // With no victim service provider in the export, a client without enrollments is no one's.
  files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Organization.csv") text.replace(text.find("ORG-20,Safe Passage Alliance,1,"), 31, "ORG-20,Safe Passage Alliance,0,");
    if (name == "Enrollment.csv")
      for (const char* e : {"E-1000", "E-1001"}) text = with_cell(text, e, "PersonalID", "c-100");
  }
  patients = by_identifier(bundle_of(hmis().convert_files(files, "local")), "Patient");
  REQUIRE(patients.count(kPlainClient));
  CHECK(!has_label(*patients.at(kPlainClient), kActCode, "ORCON"));
}

TEST_CASE("hmis fail closed: what hangs off an enrollment not taken is not taken, nor applied to the stored episode",
          "[agency][hmis]") {
  // E-1009 (C-107 at the victim service provider) has an exit, a service, a DV answer, a
  // disability and an income row.
  const std::vector<std::pair<std::string, std::string>> children = {
      {"X-5", "Exit.csv"}, {"S-6", "Services.csv"}, {"HDV-2", "HealthAndDV.csv"}, {"D-6", "Disabilities.csv"}, {"I-4", "IncomeBenefits.csv"}};
  for (const std::string how : {"EntryDate", "header"}) {
    Files files = export_files("FY2024");
    for (auto& [name, text] : files) {
      if (name != "Enrollment.csv") continue;
      if (how == "EntryDate") text = with_cell(text, "E-1009", "EntryDate", "2024-02-30");  // no such day
      else text.replace(text.find("PersonalID"), 10, "ClientID");  // the whole file is refused
    }
    auto c = hmis().convert_files(files, "local");
    auto bundle = bundle_of(c);
    INFO("the enrollment refused for its " << how);
    CHECK(!by_identifier(bundle, "EpisodeOfCare").count("E-1009"));  // no episode of status and end alone
    std::string written = dump(bundle);
    for (const auto& [child, file] : children) {
      INFO(child);
      CHECK(written.find(child) == std::string::npos);
      CHECK(std::any_of(c.mapped.rejected.begin(), c.mapped.rejected.end(), [&](const agency::RowProblem& p) {
        return p.where.starts_with(file) && p.where.find("EnrollmentID") != std::string::npos &&
               p.message.find("\"E-1009\"") != std::string::npos && p.message.find("was not taken") != std::string::npos;
      }));
    }
  }
}

TEST_CASE("hmis fail closed: a row whose ExportID names no Export.csv row is not mixed into the export", "[agency][hmis]") {
  // A row of another export run (or another source, whose IDs may name other people) in any
  // file is refused at its ExportID, as a client's row is, and what hangs off it goes with it.
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Enrollment.csv") text = with_cell(text, "E-1001", "ExportID", "EXP-2023-12");
    if (name == "HealthAndDV.csv") text = with_cell(text, "HDV-3", "ExportID", "EXP-2023-12");
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);
  CHECK(!by_identifier(bundle, "EpisodeOfCare").count("E-1001"));
  CHECK(!by_identifier(bundle, "Encounter").count("S-3"));  // its service
  CHECK(by_identifier(bundle, "EpisodeOfCare").count("E-1000"));
  CHECK(!by_url(bundle, "HealthAndDV/HDV-3/DomesticViolenceSurvivor"));
  for (const char* file : {"Enrollment.csv", "HealthAndDV.csv"}) {
    INFO(file);
    CHECK(std::any_of(c.mapped.rejected.begin(), c.mapped.rejected.end(), [&](const agency::RowProblem& p) {
      return p.where.starts_with(file) && p.where.ends_with("column \"ExportID\"") &&
             p.message.find("no Export row has ExportID \"EXP-2023-12\"") != std::string::npos;
    }));
  }
}

TEST_CASE("hmis fail closed: of two versions made at the same moment one a victim service provider's the provider's labels win",
          "[agency][hmis]") {
  // ORG-20, PRJ-3 and E-1009 each sent twice with the same DateUpdated, first as an ordinary
  // provider's, then as the victim service provider's: which version is current cannot be told.
  for (const std::string file : {"Organization.csv", "Project.csv", "Enrollment.csv"}) {
    Files files = export_files("FY2024");
    for (auto& [name, text] : files) {
      if (name != file) continue;
      if (file == "Organization.csv")
        text = with_version(with_cell(text, "ORG-20", "VictimServiceProvider", "0"), "ORG-20", {{"VictimServiceProvider", "1"}});
      if (file == "Project.csv") text = with_version(with_cell(text, "PRJ-3", "OrganizationID", "ORG-10"), "PRJ-3", {{"OrganizationID", "ORG-20"}});
      if (file == "Enrollment.csv") text = with_version(with_cell(text, "E-1009", "ProjectID", "PRJ-1"), "E-1009", {{"ProjectID", "PRJ-3"}});
    }
    auto bundle = bundle_of(hmis().convert_files(files, "local"));
    INFO(file);
    CHECK(confined(*by_identifier(bundle, "EpisodeOfCare").at("E-1009")));
    CHECK(confined(*by_identifier(bundle, "Encounter").at("S-6")));  // its service
  }
}

TEST_CASE("hmis fail closed: of two versions of a project made at the same moment one for people with HIV the HIV labels win",
          "[agency][hmis]") {
  // PRJ-1 sent twice with the same DateUpdated: TargetPopulation 4 (not applicable), then 3.
  Files files = export_files("FY2024");
  for (auto& [name, text] : files)
    if (name == "Project.csv") text = with_version(text, "PRJ-1", {{"TargetPopulation", "3"}});
  auto bundle = bundle_of(hmis().convert_files(files, "local"));
  CHECK(has_label(*by_identifier(bundle, "EpisodeOfCare").at("E-1000"), kActCode, "HIV"));
  CHECK(has_label(*by_identifier(bundle, "Encounter").at("S-1"), kActCode, "HIV"));  // its service
  REQUIRE(by_url(bundle, "Enrollment/E-1000/Destination"));
  CHECK(has_label(*by_url(bundle, "Enrollment/E-1000/Destination"), kActCode, "HIV"));  // its exit
}

TEST_CASE("hmis fail closed: an exit to a HOPWA project from another (destination 327 or 426) is labelled HIV",
          "[agency][hmis]") {
  // E-1000 is at an ordinary project; moving from one HOPWA-funded project to HOPWA housing
  // says the client lives with HIV, whatever the project the exit is from.
  for (const std::string destination : {"327", "426"}) {
    Files files = export_files("FY2024");
    for (auto& [name, text] : files)
      if (name == "Exit.csv") text = with_cell(text, "X-1", "Destination", destination);
    auto bundle = bundle_of(hmis().convert_files(files, "local"));
    INFO(destination);
    REQUIRE(by_url(bundle, "Enrollment/E-1000/Destination"));
    CHECK(has_label(*by_url(bundle, "Enrollment/E-1000/Destination"), kActCode, "HIV"));
    CHECK(has_label(*by_url(bundle, "Enrollment/E-1000/Destination"), kConfidentiality, "R"));
  }
}

TEST_CASE("hmis: a deleted HOPWA funder row does not label the project's records HIV, a live one does", "[agency][hmis]") {
  for (const std::string deleted : {"2024-06-30 12:00:00", ""}) {
    Files files = export_files("FY2024");
    for (auto& [name, text] : files)
      if (name == "Funder.csv")
        text += "F-3,PRJ-1,13,,HOPWA-PH-09,2023-07-01,,2024-01-02 08:00:00,2024-08-01 09:30:00,U-7," + deleted + ",EXP-2024-08\n";
    auto bundle = bundle_of(hmis().convert_files(files, "local"));
    INFO("DateDeleted '" << deleted << "'");
    CHECK(has_label(*by_identifier(bundle, "EpisodeOfCare").at("E-1000"), kActCode, "HIV") == deleted.empty());
    CHECK(has_label(*by_identifier(bundle, "Encounter").at("S-1"), kActCode, "HIV") == deleted.empty());
  }
}
