// The hmis spec on an export written from the HUD HMIS CSV Format Specifications, not from
// our samples (tests/data/hmis-independent/FY2024 and FY2026): every file of the spec in
// HUD's column order, CRLF, a byte-order mark, quoted commas, deleted clients, enrollments
// and services, 8/9/99 in every kind of column, a victim service provider, HIV and domestic
// violence. What a user would notice: every live client and enrollment is there and nothing
// deleted, 8/9/99 never become a value, sensitive records carry their labels, and the
// Bundle validates.
#include <catch2/catch.hpp>

#include "hmis_export.h"

using namespace carebridge::mappings;
using namespace carebridge::testing::hmis_export;
using carebridge::testing::bundle_of;
using carebridge::testing::core;

TEST_CASE("hmis independent export: every live record is there, nothing deleted, and the Bundle validates",
          "[agency][hmis]") {
  for (const std::string year : {"FY2024", "FY2026"}) {
    INFO(year);
    Files files = export_files(year);
    auto c = hmis().convert_files(files, "local");
    for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
    CHECK(c.mapped.rejected.empty());
    CHECK(c.file_errors.empty());
    REQUIRE(c.bundle);
    size_t errors = 0;
    for (const auto& issue : validator().validate(*c.bundle->root())) {
      INFO(issue.expression << ": " << issue.message);
      errors += issue.severity == carebridge::fhir::model::Severity::Error;
    }
    CHECK(errors == 0);
    // Files the spec does not map (Inventory, User, CurrentLivingSituation...) are warned
    // about, never refused; Export.csv and Funder.csv are read.
    std::set<std::string> warned;
    for (const auto& w : c.mapped.warnings) warned.insert(w.substr(0, w.find(':')));
    for (const char* f : {"Inventory.csv", "User.csv", "CurrentLivingSituation.csv"}) CHECK(warned.count(f));
    CHECK(!warned.count("Export.csv"));
    CHECK(!warned.count("Funder.csv"));

    auto bundle = bundle_of(c);
    auto patients = by_identifier(bundle, "Patient");
    auto episodes = by_identifier(bundle, "EpisodeOfCare");
    auto encounters = by_identifier(bundle, "Encounter");
    auto organizations = by_identifier(bundle, "Organization");

    std::set<std::string> deleted_clients, gone_enrollments, deleted_orgs, gone_projects;
    for (const auto& o : rows_of(files, "Organization.csv")) {
      bool deleted = !o.at("DateDeleted").empty();
      if (deleted) deleted_orgs.insert(o.at("OrganizationID"));
      CHECK(organizations.count(o.at("OrganizationID")) == (deleted ? 0u : 1u));
    }
    for (const auto& p : rows_of(files, "Project.csv")) {
      bool gone = !p.at("DateDeleted").empty() || deleted_orgs.count(p.at("OrganizationID"));
      if (gone) gone_projects.insert(p.at("ProjectID"));
      CHECK(organizations.count(p.at("ProjectID")) == (gone ? 0u : 1u));
    }
    size_t live_clients = 0;
    for (const auto& client : rows_of(files, "Client.csv")) {
      bool deleted = !client.at("DateDeleted").empty();
      if (deleted) deleted_clients.insert(client.at("PersonalID"));
      live_clients += !deleted;
      INFO(client.at("PersonalID"));
      CHECK(patients.count(client.at("PersonalID")) == (deleted ? 0u : 1u));
    }
    CHECK(patients.size() == live_clients);
    CHECK(live_clients == 8);
    size_t live_enrollments = 0;
    for (const auto& e : rows_of(files, "Enrollment.csv")) {
      // E-1013 is at PRJ-9, the project of a deleted organization.
      bool gone = !e.at("DateDeleted").empty() || deleted_clients.count(e.at("PersonalID")) ||
                  gone_projects.count(e.at("ProjectID"));
      if (gone) gone_enrollments.insert(e.at("EnrollmentID"));
      live_enrollments += !gone;
      INFO(e.at("EnrollmentID"));
      REQUIRE(episodes.count(e.at("EnrollmentID")) == (gone ? 0u : 1u));
      if (gone) continue;
      // The EpisodeOfCare: the enrollment's identifier, its entry date, its project.
      const auto& episode = *episodes.at(e.at("EnrollmentID"));
      CHECK(str(episode["period"]["start"]) == e.at("EntryDate"));
      REQUIRE(episode.HasMember("managingOrganization"));
      std::string project_url = str(episode["managingOrganization"]["reference"]);
      bool is_project = false;
      for (const auto& entry : bundle["entry"].GetArray())
        if (str(entry["fullUrl"]) == project_url)
          is_project = str(entry["request"]["url"]).ends_with("hmis-project%7C" + e.at("ProjectID"));
      CHECK(is_project);
    }
    CHECK(episodes.size() == live_enrollments);
    CHECK(live_enrollments == 11);
    for (const auto& x : rows_of(files, "Exit.csv")) {
      if (gone_enrollments.count(x.at("EnrollmentID"))) continue;
      INFO(x.at("ExitID"));
      const auto& episode = *episodes.at(x.at("EnrollmentID"));
      CHECK(str(episode["status"]) == "finished");
      CHECK(str(episode["period"]["end"]) == x.at("ExitDate"));
    }
    for (const auto& s : rows_of(files, "Services.csv")) {
      bool gone = !s.at("DateDeleted").empty() || gone_enrollments.count(s.at("EnrollmentID"));
      INFO(s.at("ServicesID"));
      CHECK(encounters.count(s.at("ServicesID")) == (gone ? 0u : 1u));
    }
    // No row of a deleted record (nor a deleted client's or enrollment's) leaves a trace.
    std::string text = carebridge::fhir::json::write(*c.bundle->root());
    for (const char* id : {"C-106", "E-1007", "E-1008", "S-7", "S-8", "S-11", "HDV-7", "X-4", "X-9", "ORG-30", "PRJ-9"}) {
      INFO(id);
      CHECK(text.find(std::string("|") + id + "\"") == std::string::npos);
      CHECK(text.find(std::string("%7C") + id + "\"") == std::string::npos);
    }
    CHECK(text.find("Deleted") == std::string::npos);  // the deleted client's first name
  }
}

TEST_CASE("hmis independent export: 8, 9 and 99 are never a value", "[agency][hmis]") {
  for (const std::string year : {"FY2024", "FY2026"}) {
    INFO(year);
    auto bundle = bundle_of(hmis().convert_files(export_files(year), "local"));
    auto patients = by_identifier(bundle, "Patient");
    // C-102 answered nothing (name, SSN, DOB 8, race, gender and veteran status 99).
    const auto& c102 = *patients.at("C-102");
    for (const char* m : {"name", "birthDate", "gender", "extension"}) {
      INFO(m);
      CHECK(!c102.HasMember(m));
    }
    // C-104's DOB quality 9, C-105's 99 (with a DOB filled in anyway): no birth date.
    CHECK(!patients.at("C-104")->HasMember("birthDate"));
    CHECK(!patients.at("C-105")->HasMember("birthDate"));
    // C-105's NameDataQuality 9, with "Anonymous Client" in the name columns: no name.
    CHECK(!patients.at("C-105")->HasMember("name"));
    CHECK(patients.at("C-101")->HasMember("name"));
    CHECK(str((*patients.at("C-103"))["birthDate"]) == "2015-06-01");  // 2: approximate, still a date
    // A full SSN (leading zero kept) is an identifier; a partial one (quality 2) is not.
    std::string c100 = dump(*patients.at("C-100"));
    CHECK(c100.find("\"012345678\"") != std::string::npos);
    CHECK(dump(*patients.at("C-103")).find("us-ssn") == std::string::npos);
    for (const char* gone : {"Client/C-102/VeteranStatus", "Client/C-104/VeteranStatus", "Client/C-105/VeteranStatus",
                             "Enrollment/E-1003/Destination", "Enrollment/E-1006/Destination",
                             "HealthAndDV/HDV-4/DomesticViolenceSurvivor", "HealthAndDV/HDV-5/DomesticViolenceSurvivor",
                             "Disabilities/D-4", "Disabilities/D-8", "IncomeBenefits/I-5/Income",
                             "IncomeBenefits/I-4/Benefits", "IncomeBenefits/I-2/Insurance", "IncomeBenefits/I-3/Income"}) {
      INFO(gone);
      CHECK(by_url(bundle, gone) == nullptr);
    }
    // HDV-6: a survivor whose WhenOccurred is 9 and CurrentlyFleeing 99: only the answer.
    const auto* hdv6 = by_url(bundle, "HealthAndDV/HDV-6/DomesticViolenceSurvivor");
    REQUIRE(hdv6);
    CHECK(!hdv6->HasMember("component"));
    // D-7: T-cell availability 8, viral load 99, antiretrovirals 9: no component.
    const auto* d7 = by_url(bundle, "Disabilities/D-7");
    REQUIRE(d7);
    CHECK(!d7->HasMember("component"));
    // No answer anywhere is a missing-data code.
    std::vector<std::pair<std::string, std::string>> all;
    codings(bundle["entry"], all);
    for (const auto& [system, code] : all) {
      bool answer = system == "http://loinc.org" || system.ends_with("hmis-3.12.1") || system.ends_with("hmis-4.11.A") ||
                    system.ends_with("hmis-4.10.2") || system.ends_with("hmis-3.6.1") ||
                    system.find("2.16.840.1.113883.6.238") != std::string::npos || system.ends_with("administrative-gender");
      INFO(system << "|" << code);
      if (answer) CHECK((code != "8" && code != "9" && code != "99"));
    }
  }
}

TEST_CASE("hmis independent export: domestic violence, HIV and a victim service provider's records are labelled",
          "[agency][hmis]") {
  for (const std::string year : {"FY2024", "FY2026"}) {
    INFO(year);
    auto bundle = bundle_of(hmis().convert_files(export_files(year), "local"));
    // Every DomesticViolenceSurvivor answer, at any project.
    for (const char* dv : {"HDV-1", "HDV-2", "HDV-3", "HDV-6"}) {
      INFO(dv);
      const auto* r = by_url(bundle, std::string("HealthAndDV/") + dv + "/DomesticViolenceSurvivor");
      REQUIRE(r);
      CHECK(has_label(*r, kActCode, "SDV"));
      CHECK(has_label(*r, kConfidentiality, "R"));
    }
    // The HIV/AIDS disability (DisabilityType 8), at entry and at the annual assessment; HOPWA
    // services and assistance; the enrollment in an HIV-targeted project.
    for (const char* hiv : {"Disabilities/D-1", "Disabilities/D-7", "IncomeBenefits/I-3/HIVAssistance"}) {
      INFO(hiv);
      const auto* r = by_url(bundle, hiv);
      REQUIRE(r);
      CHECK(has_label(*r, kActCode, "HIV"));
      CHECK(has_label(*r, kConfidentiality, "R"));
    }
    auto encounters = by_identifier(bundle, "Encounter");
    CHECK(has_label(*encounters.at("S-4"), kActCode, "HIV"));   // HOPWA service (RecordType 143)
    CHECK(has_label(*encounters.at("S-12"), kActCode, "HIV"));  // HOPWA financial assistance (151)
    CHECK(has_label(*by_identifier(bundle, "EpisodeOfCare").at("E-1010"), kActCode, "HIV"));
    // Mental health and substance use.
    CHECK(has_label(*by_url(bundle, "Disabilities/D-2"), kActCode, "PSY"));
    CHECK(has_label(*by_url(bundle, "Disabilities/D-3"), kActCode, "ETH"));
    // A developmental disability of a client at an ordinary project: no label.
    const auto* d5 = by_url(bundle, "Disabilities/D-5");
    REQUIRE(d5);
    CHECK(!d5->HasMember("meta"));

    // Safe Passage (ORG-20) is a victim service provider: Rosa (C-107), her enrollment there,
    // its exit, bed night, disability, income, and her enrollment elsewhere's Patient are R and
    // SDV; the organization carries the kind the gateway confines.
    auto organizations = by_identifier(bundle, "Organization");
    CHECK(str((*organizations.at("ORG-20"))["type"][0]["coding"][0]["code"]) == "victim-service-provider");
    CHECK(!organizations.at("ORG-10")->HasMember("type"));
    auto patients = by_identifier(bundle, "Patient");
    std::string rosa_url;
    for (const auto& e : bundle["entry"].GetArray())
      if (&e["resource"] == patients.at("C-107")) rosa_url = str(e["fullUrl"]);
    const auto& rosa = *patients.at("C-107");
    CHECK(has_label(rosa, kConfidentiality, "R"));
    CHECK(has_label(rosa, kActCode, "SDV"));
    std::vector<const rapidjson::Value*> at_vsp = {by_identifier(bundle, "EpisodeOfCare").at("E-1009"), encounters.at("S-6"),
                                                   by_url(bundle, "Enrollment/E-1009/Destination"),
                                                   by_url(bundle, "Disabilities/D-6"), by_url(bundle, "IncomeBenefits/I-4/Income")};
    for (const auto* r : at_vsp) {
      REQUIRE(r);
      INFO(str((*r)["resourceType"]));
      CHECK(has_label(*r, kConfidentiality, "R"));
      CHECK(has_label(*r, kActCode, "SDV"));
    }
    // Maria (C-100) was never at a victim service provider: her Patient carries no label.
    CHECK(!patients.at("C-100")->HasMember("meta"));
    CHECK(!by_identifier(bundle, "EpisodeOfCare").at("E-1000")->HasMember("meta"));
  }
}

TEST_CASE("hmis independent export: what is recorded at a project HOPWA funds is labelled HIV, whatever its target "
          "population", "[agency][hmis]") {
  // Harbor Light Rapid Re-Housing (PRJ-2, TargetPopulation 4) gets a HOPWA Permanent Housing
  // grant (Funder 15): its enrollments (E-1001, E-1006, exited) and their services reveal that
  // the client lives with HIV/AIDS. The shelter (PRJ-1), funded by ESG, does not.
  for (const std::string year : {"FY2024", "FY2026"}) {
    INFO(year);
    Files files = export_files(year);
    for (auto& [name, text] : files)
      if (name == "Funder.csv") text = with_cells(text, "F-2", {{"ProjectID", "PRJ-2"}, {"Funder", "15"}}, "F-3");
    auto c = hmis().convert_files(files, "local");
    CHECK(c.mapped.rejected.empty());
    auto bundle = bundle_of(c);
    auto episodes = by_identifier(bundle, "EpisodeOfCare");
    auto encounters = by_identifier(bundle, "Encounter");
    std::vector<const rapidjson::Value*> hopwa = {episodes.at("E-1001"), episodes.at("E-1006"), encounters.at("S-3"),
                                                  encounters.at("S-10")};
    for (const auto* r : hopwa) {
      REQUIRE(r);
      INFO(str((*r)["resourceType"]));
      CHECK(has_label(*r, kActCode, "HIV"));
      CHECK(has_label(*r, kConfidentiality, "R"));
    }
    CHECK(!has_label(*episodes.at("E-1000"), kActCode, "HIV"));
    CHECK(!has_label(*encounters.at("S-1"), kActCode, "HIV"));
  }
}

TEST_CASE("hmis independent export: an exit to a psychiatric or substance use facility, and sensitive RHY and HOPWA "
          "services, are labelled", "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Exit.csv") {
      text = with_cell(text, "X-1", "Destination", "204");  // psychiatric hospital or other psychiatric facility
      text = with_cell(text, "X-3", "Destination", "205");  // substance abuse treatment facility or detox center
    }
    if (name == "Services.csv") {
      text = with_cells(text, "S-1", {{"RecordType", "142"}, {"TypeProvided", "28"}});  // RHY: STD testing
      text = with_cells(text, "S-2", {{"RecordType", "142"}, {"TypeProvided", "13"}});  // RHY: pre-natal care
      text = with_cells(text, "S-5", {{"RecordType", "142"}, {"TypeProvided", "14"}});  // RHY: health/medical care
      text = with_cell(text, "S-4", "TypeProvided", "10");                             // HOPWA: mental health care
      text = with_cell(text, "S-4", "TypeProvided", "12", "S-20");                     // HOPWA: substance use services
    }
  }
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  auto labelled = [&](const rapidjson::Value* r, std::initializer_list<const char*> codes) {
    REQUIRE(r);
    CHECK(has_label(*r, kConfidentiality, "R"));
    for (const char* code : codes) {
      INFO(code);
      CHECK(has_label(*r, kActCode, code));
    }
  };
  labelled(by_url(bundle, "Enrollment/E-1000/Destination"), {"PSY"});
  labelled(by_url(bundle, "Enrollment/E-1003/Destination"), {"ETH"});
  auto encounters = by_identifier(bundle, "Encounter");
  labelled(encounters.at("S-1"), {"STD"});
  labelled(encounters.at("S-2"), {"SEX"});
  labelled(encounters.at("S-4"), {"HIV", "PSY"});
  labelled(encounters.at("S-20"), {"HIV", "ETH"});
  CHECK(!encounters.at("S-5")->HasMember("meta"));
  const auto* street = by_url(bundle, "Enrollment/E-1002/Destination");  // an exit to the street: nothing
  REQUIRE(street);
  CHECK(!street->HasMember("meta"));
}

TEST_CASE("hmis independent export: a hashed export (HashStatus 4) writes no name and no SSN", "[agency][hmis]") {
  Files files = export_files("FY2024");
  const std::string sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  for (auto& [name, text] : files) {
    if (name == "Export.csv") {
      const std::string unhashed = ",2,1,impl-";  // ExportDirective 2, HashStatus 1
      auto at = text.find(unhashed);
      REQUIRE(at != std::string::npos);
      text.replace(at, unhashed.size(), ",2,4,impl-");
    }
    if (name == "Client.csv") {
      const std::string clear = "C-100,Maria,Elena,Delgado-Ruiz,,1,012345678,1,";
      auto at = text.find(clear);
      REQUIRE(at != std::string::npos);
      text.replace(at, clear.size(), "C-100," + sha + ",," + sha + ",,1,5678" + sha + ",1,");
    }
  }
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  auto patients = by_identifier(bundle, "Patient");
  REQUIRE(patients.count("C-100"));
  const auto& maria = *patients.at("C-100");
  CHECK(!maria.HasMember("name"));
  CHECK(dump(maria).find("us-ssn") == std::string::npos);
  CHECK(str(maria["birthDate"]) == "1986-03-14");  // what is not hashed is still there
  CHECK(patients.size() == 8);
}

TEST_CASE("hmis independent export: an exit without its enrollment is refused, never written over the stored episode",
          "[agency][hmis]") {
  // A delta export (ExportDirective 1) may carry an Exit whose Enrollment did not change. Alone,
  // the exit's EpisodeOfCare would replace the stored one, without its entry date and project.
  Files files = export_files("FY2024");
  size_t exit_rows = rows_of(files, "Exit.csv").size();
  for (auto& [name, text] : files) {
    if (name != "Exit.csv") continue;
    std::string line = text.substr(text.rfind("X-9,E-1008,C-106,"));
    line.replace(0, std::string("X-9,E-1008,C-106,").size(), "X-99,E-9999,C-100,");
    text += line;
  }
  auto c = hmis().convert_files(files, "local");
  // One row refused, for each thing it needs from its enrollment (its entry, who may see it).
  REQUIRE(c.mapped.rejected_rows.size() == 1);
  for (const auto& refused : c.mapped.rejected) {
    CHECK(refused.where == "Exit.csv row " + std::to_string(exit_rows + 2) + ", column \"EnrollmentID\"");
    CHECK(refused.message.find("no Enrollment row has EnrollmentID \"E-9999\"") != std::string::npos);
  }
  auto bundle = bundle_of(c);
  CHECK(!by_identifier(bundle, "EpisodeOfCare").count("E-9999"));
  CHECK(by_identifier(bundle, "EpisodeOfCare").count("E-1000"));  // the other rows are taken
}

TEST_CASE("hmis independent export: a code HUD's lists do not have loses the answer, not the row", "[agency][hmis]") {
  // A destination and a project type from a newer list than the mapping knows.
  Files files = export_files("FY2024");
  auto replace_in = [&](const std::string& file, const std::string& from, const std::string& to) {
    for (auto& [name, text] : files) {
      if (name != file) continue;
      auto at = text.find(from);
      REQUIRE(at != std::string::npos);
      text.replace(at, from.size(), to);
    }
  };
  replace_in("Exit.csv", "X-2,E-1002,C-101,2023-12-01,116,", "X-2,E-1002,C-101,2023-12-01,436,");
  replace_in("Project.csv", "PRJ-1,ORG-10,Harbor Light Emergency Shelter,,2015-07-01,,1,0,",
             "PRJ-1,ORG-10,Harbor Light Emergency Shelter,,2015-07-01,,1,15,");
  auto c = hmis().convert_files(files, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  auto warned = [&](const std::string& text) {
    return std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(), [&](const std::string& w) { return w.starts_with(text); });
  };
  CHECK(warned("Exit.csv row 3, column \"Destination\": \"436\" is not one of the allowed values"));
  CHECK(warned("Project.csv row 2, column \"ProjectType\": \"15\""));
  auto bundle = bundle_of(c);
  auto episodes = by_identifier(bundle, "EpisodeOfCare");
  REQUIRE(episodes.count("E-1002"));
  CHECK(str((*episodes.at("E-1002"))["period"]["end"]) == "2023-12-01");  // the exit is still taken
  CHECK(episodes.count("E-1000"));  // and the enrollments at the project
  size_t errors = 0;
  for (const auto& issue : validator().validate(*c.bundle->root())) errors += issue.severity == carebridge::fhir::model::Severity::Error;
  CHECK(errors == 0);
}

TEST_CASE("hmis independent export: what exporters do to rows (a deleted copy, NULL, currency, a service without its enrollment)",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  size_t episodes = by_identifier(bundle_of(hmis().convert_files(files, "local")), "EpisodeOfCare").size();
  std::string client = rows_of(files, "Client.csv").front().at("PersonalID");
  std::string income = rows_of(files, "IncomeBenefits.csv").front().at("IncomeBenefitsID");
  std::string service = rows_of(files, "Services.csv").front().at("ServicesID");
  std::string enrollment = rows_of(files, "Enrollment.csv").front().at("EnrollmentID");
  for (auto& [name, text] : files) {
    // An old deleted copy of a live client: the client and all it has stay.
    if (name == "Client.csv") text = with_cell(text, client, "DateDeleted", "2023-01-01 00:00:00", client);
    // SQL Server's NULL for an empty cell, and a sheet's currency format.
    if (name == "Client.csv") text = with_cell(text, client, "DateDeleted", "NULL");
    if (name == "IncomeBenefits.csv") text = with_cell(text, income, "TotalMonthlyIncome", "$1250.50");
    // A service whose enrollment the export does not send cannot be labelled: refused, said.
    if (name == "Services.csv") text = with_cell(text, service, "EnrollmentID", "E-ABSENT", "S-LONELY");
    // An enrollment of a client the export does not have would fail the whole upload: refused.
    if (name == "Enrollment.csv") text = with_cell(text, enrollment, "PersonalID", "C-ABSENT", "E-ORPHAN");
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);
  CHECK(by_identifier(bundle, "EpisodeOfCare").size() == episodes);
  CHECK(by_identifier(bundle, "Patient").count(client));
  REQUIRE(c.mapped.rejected_rows.size() == 2);
  for (const auto& refused : c.mapped.rejected) {
    INFO(refused.where << ": " << refused.message);
    bool service_row = refused.where.starts_with("Services.csv");
    CHECK((service_row || refused.where.starts_with("Enrollment.csv")));
    CHECK(refused.message.find(service_row ? "no Enrollment row has EnrollmentID \"E-ABSENT\""
                                           : "no Client row has PersonalID \"C-ABSENT\"") != std::string::npos);
  }
  CHECK(!by_identifier(bundle, "EpisodeOfCare").count("E-ORPHAN"));
}
