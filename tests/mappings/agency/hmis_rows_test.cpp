// The hmis spec on the independent export, row by row: a row not taken takes the rows that
// refer to its record with it, the row that made a record invalid goes alone, a record's later
// version wins, and answers that cannot be read are lost alone — never the whole upload.
#include <catch2/catch.hpp>

#include "hmis_export.h"

using namespace carebridge::mappings;
using namespace carebridge::testing::hmis_export;
using carebridge::testing::bundle_of;
using carebridge::testing::core;

TEST_CASE("hmis independent export: a row not taken takes the rows that refer to its record with it, a misread row is "
          "rejected", "[agency][hmis]") {
  Files files = export_files("FY2024");
  auto clients = rows_of(files, "Client.csv");
  std::string bad = clients.front().at("PersonalID"), other = clients.back().at("PersonalID");
  std::set<std::string> its_enrollments;
  for (const auto& row : rows_of(files, "Enrollment.csv"))
    if (row.at("PersonalID") == bad) its_enrollments.insert(row.at("EnrollmentID"));
  auto before = by_identifier(bundle_of(hmis().convert_files(files, "local")), "EpisodeOfCare");
  REQUIRE(!its_enrollments.empty());
  for (auto& [name, text] : files) {
    if (name != "Client.csv") continue;
    text = with_cell(text, bad, "DOB", "1980-02-30");  // no such day: the client's row is not taken
    // A name with a comma not in quotes: one value more than the header has.
    text = with_cell(text, other, "LastName", "Lee, Jr", "C-MISREAD");
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);  // a Bundle the server can take: no reference to a record it will not have
  CHECK(!by_identifier(bundle, "Patient").count(bad));
  CHECK(!by_identifier(bundle, "Patient").count("C-MISREAD"));
  auto episodes = by_identifier(bundle, "EpisodeOfCare");
  for (const auto& [e, _] : before) CHECK(episodes.count(e) != its_enrollments.count(e));  // the others are all there
  CHECK(dump(bundle).find("%7C" + bad + "\"") == std::string::npos);
  size_t cascaded = 0, misread = 0;
  for (const auto& refused : c.mapped.rejected) {
    cascaded += refused.message.find("refers to the record of Client.csv row") != std::string::npos;
    misread += refused.message.find("values but the header names") != std::string::npos;
  }
  CHECK(cascaded >= its_enrollments.size());
  CHECK(misread == 1);
  size_t errors = 0;
  for (const auto& issue : validator().validate(*c.bundle->root())) errors += issue.severity == carebridge::fhir::model::Severity::Error;
  CHECK(errors == 0);
}

TEST_CASE("hmis independent export: a client whose enrollment's provider is not known is labelled as a victim service "
          "provider's", "[agency][hmis]") {
  // The enrollment names a project the export does not send: whether it is a victim service
  // provider's cannot be told, so its client's record is confined as if it were (fail closed).
  Files files = export_files("FY2024");
  auto before = bundle_of(hmis().convert_files(files, "local"));
  std::string client, enrollment;
  std::map<std::string, int> enrollments_of;
  for (const auto& row : rows_of(files, "Enrollment.csv")) ++enrollments_of[row.at("PersonalID")];
  for (const auto& [id, patient] : by_identifier(before, "Patient"))
    if (!has_label(*patient, kActCode, "ORCON") && enrollments_of[id] == 1) client = id;
  REQUIRE(!client.empty());
  for (const auto& row : rows_of(files, "Enrollment.csv"))
    if (row.at("PersonalID") == client) enrollment = row.at("EnrollmentID");
  for (auto& [name, text] : files)
    if (name == "Enrollment.csv") text = with_cell(text, enrollment, "ProjectID", "PRJ-ABSENT");
  auto c = hmis().convert_files(files, "local");
  auto patients = by_identifier(bundle_of(c), "Patient");
  REQUIRE(patients.count(client));
  CHECK(has_label(*patients.at(client), kConfidentiality, "R"));
  CHECK(has_label(*patients.at(client), kActCode, "ORCON"));
  // The other clients keep what they had.
  for (const auto& [id, patient] : by_identifier(before, "Patient"))
    if (id != client && patients.count(id)) CHECK(has_label(*patients.at(id), kActCode, "ORCON") == has_label(*patient, kActCode, "ORCON"));
}

TEST_CASE("hmis independent export: in a hashed export a birth date that is a digest is left out, the client kept",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  const std::string sha = "e38d49795b86a0a4e41c8848cb21a5275b9be0f8f716db9cdc00af4dc9aa173e";
  std::string client = rows_of(files, "Client.csv").front().at("PersonalID");
  for (auto& [name, text] : files) {
    if (name == "Export.csv") text.replace(text.find(",2,1,impl-"), 10, ",2,4,impl-");  // HashStatus 4
    if (name == "Client.csv") text = with_cell(text, client, "DOB", sha);
  }
  auto c = hmis().convert_files(files, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  auto patients = by_identifier(bundle_of(c), "Patient");
  REQUIRE(patients.count(client));
  CHECK(!patients.at(client)->HasMember("birthDate"));
  // Unhashed, the same cell is a mistake the row is refused for.
  files = export_files("FY2024");
  for (auto& [name, text] : files)
    if (name == "Client.csv") text = with_cell(text, client, "DOB", sha);
  CHECK(!hmis().convert_files(files, "local").mapped.rejected.empty());
}

TEST_CASE("hmis independent export: a row about another client than its enrollment's is refused", "[agency][hmis]") {
  Files files = export_files("FY2024");
  auto exits = rows_of(files, "Exit.csv");
  std::string exit = exits.front().at("ExitID"), enrollment = exits.front().at("EnrollmentID");
  std::string client = exits.front().at("PersonalID"), stranger;
  for (const auto& row : rows_of(files, "Client.csv"))
    if (row.at("PersonalID") != client && row.at("DateDeleted").empty()) stranger = row.at("PersonalID");
  for (auto& [name, text] : files)
    if (name == "Exit.csv") text = with_cell(text, exit, "PersonalID", stranger);
  auto c = hmis().convert_files(files, "local");
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected.front().where.starts_with("Exit.csv row 2, column \"PersonalID\""));
  CHECK(c.mapped.rejected.front().message.find("\"" + stranger + "\", but") != std::string::npos);
  auto bundle = bundle_of(c);
  std::string client_url;
  for (const auto& e : bundle["entry"].GetArray())
    if (&e["resource"] == by_identifier(bundle, "Patient").at(client)) client_url = str(e["fullUrl"]);
  auto episodes = by_identifier(bundle, "EpisodeOfCare");
  REQUIRE(episodes.count(enrollment));  // the enrollment stays its own client's, without the exit
  CHECK(str((*episodes.at(enrollment))["patient"]["reference"]) == client_url);
}

TEST_CASE("hmis independent export: an exit dated before its enrollment's entry is refused, the enrollment kept",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  auto exits = rows_of(files, "Exit.csv");
  std::string exit = exits.front().at("ExitID"), enrollment = exits.front().at("EnrollmentID");
  for (auto& [name, text] : files)
    if (name == "Exit.csv") text = with_cell(text, exit, "ExitDate", "2001-01-01");
  auto c = hmis().convert_files(files, "local");
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected.front().where == "Exit.csv row 2, column \"ExitDate\"");
  CHECK(c.mapped.rejected.front().message.find("per-1") != std::string::npos);
  auto episodes = by_identifier(bundle_of(c), "EpisodeOfCare");
  REQUIRE(episodes.count(enrollment));  // open, as if the exit had not come
  CHECK(!(*episodes.at(enrollment))["period"].HasMember("end"));
}

TEST_CASE("hmis independent export: a destination an exit may not have and a negative amount lose the answer, not the row",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  std::string exit = rows_of(files, "Exit.csv").front().at("ExitID");
  std::string income = rows_of(files, "IncomeBenefits.csv").front().at("IncomeBenefitsID");
  for (auto& [name, text] : files) {
    if (name == "Exit.csv") text = with_cell(text, exit, "Destination", "335");  // a living situation, never a destination
    if (name == "IncomeBenefits.csv") text = with_cell(text, income, "TotalMonthlyIncome", "-50.00");
  }
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto warned = [&](const std::string& text) {
    return std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
  };
  CHECK(warned("column \"Destination\": \"335\""));
  CHECK(warned("column \"TotalMonthlyIncome\""));
  CHECK(dump(bundle_of(c)).find("-50") == std::string::npos);
}

TEST_CASE("hmis independent export: an empty file of the export is said, and the rest is taken", "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files)
    if (name == "Services.csv") text.clear();  // no services this period, and no header written
  auto c = hmis().convert_files(files, "local");
  CHECK(c.file_errors.empty());
  CHECK(c.mapped.rejected.empty());
  CHECK(std::count(c.mapped.warnings.begin(), c.mapped.warnings.end(), "Services.csv: the file is empty; nothing was read from it") == 1);
  CHECK(by_identifier(bundle_of(c), "EpisodeOfCare").size() > 0);
}

TEST_CASE("hmis independent export: a provider flag other than 0 or 1 takes nothing of that provider out unlabelled",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  std::string open_provider;
  for (const auto& row : rows_of(files, "Organization.csv"))
    if (row.at("VictimServiceProvider") == "0" && row.at("DateDeleted").empty()) open_provider = row.at("OrganizationID");
  std::set<std::string> its_projects, its_enrollments;
  for (const auto& row : rows_of(files, "Project.csv"))
    if (row.at("OrganizationID") == open_provider) its_projects.insert(row.at("ProjectID"));
  for (const auto& row : rows_of(files, "Enrollment.csv"))
    if (its_projects.count(row.at("ProjectID"))) its_enrollments.insert(row.at("EnrollmentID"));
  REQUIRE(!its_enrollments.empty());
  for (auto& [name, text] : files) {
    if (name != "Organization.csv") continue;
    size_t line = text.find("\n" + open_provider + ",");
    REQUIRE(line != std::string::npos);
    size_t flag = text.find(",0,", line);  // its VictimServiceProvider: the name before it is quoted
    REQUIRE(flag < text.find('\n', line + 1));
    text.replace(flag, 3, ",99,");  // no answer list 1.1 has
  }
  auto c = hmis().convert_files(files, "local");
  bool said = std::any_of(c.mapped.rejected.begin(), c.mapped.rejected.end(), [](const agency::RowProblem& p) {
    return p.where.starts_with("Organization.csv") && p.where.find("VictimServiceProvider") != std::string::npos;
  });
  CHECK(said);
  auto bundle = bundle_of(c);
  CHECK(!by_identifier(bundle, "Organization").count(open_provider));
  auto episodes = by_identifier(bundle, "EpisodeOfCare");
  for (const auto& e : its_enrollments) CHECK(!episodes.count(e));
}

TEST_CASE("hmis independent export: of two versions of a record the later DateUpdated is taken, whatever the row order",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  std::vector<std::string> live;  // live clients whose rows quote nothing (with_version splits at commas)
  std::string client_file;
  for (const auto& [name, text] : files)
    if (name == "Client.csv") client_file = text;
  for (const auto& row : rows_of(files, "Client.csv")) {
    size_t line = client_file.find("\n" + row.at("PersonalID") + ",");
    bool quoted = client_file.substr(line, client_file.find('\n', line + 1) - line).find('"') != std::string::npos;
    if (row.at("DateDeleted").empty() && !quoted) live.push_back(row.at("PersonalID"));
  }
  REQUIRE(live.size() >= 2);
  std::string renamed = live[0], deleted = live[1];
  std::string survivor_row = rows_of(files, "HealthAndDV.csv").front().at("HealthAndDVID");
  for (auto& [name, text] : files) {
    if (name == "Client.csv") {
      // An older version written after the newer one: not taken. A newer version that deletes.
      text = with_version(text, renamed, {{"FirstName", "Older"}, {"DateUpdated", "2001-01-01 00:00:00"}});
      text = with_version(text, deleted, {{"DateDeleted", "2030-01-02 00:00:00"}, {"DateUpdated", "2030-01-02 00:00:00"}});
    }
    if (name == "HealthAndDV.csv")  // an older answer after the newer one
      text = with_version(text, survivor_row, {{"DomesticViolenceSurvivor", "0"}, {"DateUpdated", "2001-01-01 00:00:00"}});
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);
  auto patients = by_identifier(bundle, "Patient");
  REQUIRE(patients.count(renamed));
  CHECK(dump(*patients.at(renamed)).find("Older") == std::string::npos);
  CHECK(!patients.count(deleted));  // its last version deletes it
  CHECK(dump(bundle).find("%7C" + deleted + "\"") == std::string::npos);  // nothing refers to it
  CHECK(std::count_if(c.mapped.warnings.begin(), c.mapped.warnings.end(), [](const std::string& w) {
          return w.find("an older version (by DateUpdated) of a record another row gives too") != std::string::npos;
        }) == 3);
  const auto* survivor = by_url(bundle, survivor_row);
  if (survivor) CHECK(dump(*survivor).find("LA32-8") == std::string::npos);  // not the older "No"
}

TEST_CASE("hmis independent export: an amount that is no number loses that answer, not the income row", "[agency][hmis]") {
  Files files = export_files("FY2024");
  std::string income = rows_of(files, "IncomeBenefits.csv").front().at("IncomeBenefitsID");
  for (auto& [name, text] : files)
    if (name == "IncomeBenefits.csv") text = with_cell(text, income, "TotalMonthlyIncome", "12O0.00");  // a letter O
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  CHECK(std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(), [](const std::string& w) {
    return w.find("column \"TotalMonthlyIncome\"") != std::string::npos && w.find("left out") != std::string::npos;
  }));
}

TEST_CASE("hmis independent export: of two versions written the same day the later time wins, whatever the row order",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name != "Client.csv") continue;
    // C-108 deleted at 10:30 after its 09:30 version; C-104 deleted at 10:30 in the first row,
    // its 09:30 live version after it; C-107's later version as a spreadsheet writes the time.
    text = with_version(text, "C-108", {{"DateUpdated", "2024-08-01 10:30:00"}, {"DateDeleted", "2024-08-01 10:30:00"}});
    text = with_version(text, "C-104", {});
    text = with_cells(text, "C-104", {{"DateUpdated", "2024-08-01 10:30:00"}, {"DateDeleted", "2024-08-01 10:30:00"}});
    text = with_version(text, "C-107", {{"FirstName", "Rosalind"}, {"DateUpdated", "8/1/2024 10:30"}});
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);
  auto patients = by_identifier(bundle, "Patient");
  CHECK(!patients.count("C-108"));
  CHECK(!patients.count("C-104"));
  REQUIRE(patients.count("C-107"));
  CHECK(dump(*patients.at("C-107")).find("Rosalind") != std::string::npos);
  CHECK(dump(bundle).find("%7CC-104\"") == std::string::npos);  // nothing refers to the deleted client
}

TEST_CASE("hmis independent export: an SSN that is no number the SSA issues is left out with a warning, the client kept",
          "[agency][hmis]") {
  const std::vector<std::pair<std::string, std::string>> ssns = {
      {"C-100", "000000000"}, {"C-102", "12345678"}, {"C-107", "666123456"}, {"C-108", "12345"}, {"C-104", "123-45-6789"}};
  Files files = export_files("FY2024");
  for (auto& [name, text] : files)
    if (name == "Client.csv")
      for (const auto& [client, ssn] : ssns) text = with_cells(text, client, {{"SSN", ssn}, {"SSNDataQuality", "1"}});
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto patients = by_identifier(bundle_of(c), "Patient");
  for (const auto& [client, ssn] : ssns) {
    INFO(client << " " << ssn);
    REQUIRE(patients.count(client));
    std::string ids = dump((*patients.at(client))["identifier"]);
    bool valid = client == "C-104";
    CHECK((ids.find("us-ssn") != std::string::npos) == valid);
    if (valid) CHECK(ids.find("\"123456789\"") != std::string::npos);  // the dashes taken out
    bool warned = std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(), [&](const std::string& w) {
      return w.starts_with("Client.csv row ") && w.find("column \"SSN\": \"" + ssn + "\"") != std::string::npos &&
             w.ends_with("so it is left out");
    });
    CHECK(warned != valid);
  }
  // In a hashed export the SSN column holds digests: never an identifier, and nothing to warn of.
  files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Export.csv") text.replace(text.find(",2,1,impl-"), 10, ",2,4,impl-");  // HashStatus 4
    if (name == "Client.csv") text = with_cells(text, "C-100", {{"SSN", "9f86d081884c7d659a2feaa0c55ad015"}});
  }
  c = hmis().convert_files(files, "local");
  CHECK(std::none_of(c.mapped.warnings.begin(), c.mapped.warnings.end(),
                     [](const std::string& w) { return w.find("column \"SSN\"") != std::string::npos; }));
  CHECK(dump(bundle_of(c)).find("us-ssn") == std::string::npos);
}

TEST_CASE("hmis independent export: a total income is written only with an answer to IncomeFromAnySource",
          "[agency][hmis]") {
  // 99 (not collected) with 0.00, 9 (prefers not to answer) with 1500 and 8 with 700: the
  // total is not known, whatever the cell holds, and an income Observation of no answer and
  // no amount would say nothing. I-1 (Yes, 1250.50) keeps its total.
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name != "IncomeBenefits.csv") continue;
    text = with_cells(text, "I-3", {{"TotalMonthlyIncome", "0.00"}});
    text = with_cells(text, "I-2", {{"IncomeFromAnySource", "9"}, {"TotalMonthlyIncome", "1500"}});
    text = with_cells(text, "I-5", {{"TotalMonthlyIncome", "700"}});
  }
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  for (const char* unknown : {"I-3", "I-2", "I-5"}) {
    INFO(unknown);
    CHECK(!by_url(bundle, std::string("IncomeBenefits/") + unknown + "/Income"));
  }
  const auto* known = by_url(bundle, "IncomeBenefits/I-1/Income");
  REQUIRE(known);
  CHECK(dump((*known)["valueQuantity"]).find("1250.5") != std::string::npos);
}

TEST_CASE("hmis independent export: when domestic violence occurred and whether the client is fleeing are taken only "
          "from a survivor", "[agency][hmis]") {
  // HMIS asks WhenOccurred and CurrentlyFleeing only when DomesticViolenceSurvivor is 1: HDV-3
  // (No) and HDV-4 (not collected) answering them are left out with a warning; HDV-1 (Yes) keeps them.
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name != "HealthAndDV.csv") continue;
    text = with_cells(text, "HDV-3", {{"WhenOccurred", "2"}, {"CurrentlyFleeing", "1"}});
    text = with_cells(text, "HDV-4", {{"CurrentlyFleeing", "1"}});
  }
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  const auto* no = by_url(bundle, "HealthAndDV/HDV-3/DomesticViolenceSurvivor");
  REQUIRE(no);
  CHECK(!no->HasMember("component"));
  const auto* yes = by_url(bundle, "HealthAndDV/HDV-1/DomesticViolenceSurvivor");
  REQUIRE(yes);
  CHECK((*yes)["component"].Size() == 2);
  auto warned = [&](const std::string& cell) {
    return std::count_if(c.mapped.warnings.begin(), c.mapped.warnings.end(), [&](const std::string& w) {
      return w.starts_with(cell) && w.find("is answered only when DomesticViolenceSurvivor is 1") != std::string::npos;
    });
  };
  CHECK(warned("HealthAndDV.csv row 4, column \"WhenOccurred\": \"2\" is left out") == 1);
  CHECK(warned("HealthAndDV.csv row 4, column \"CurrentlyFleeing\": \"1\" is left out") == 1);
  CHECK(warned("HealthAndDV.csv row 5, column \"CurrentlyFleeing\": \"1\" is left out") == 1);  // said, not lost in silence
  CHECK(warned("HealthAndDV.csv row 2") == 0);
}

TEST_CASE("hmis independent export: a date after the export's end is warned of, a birth date after it left out",
          "[agency][hmis]") {
  // The export ends 2024-07-31 (ExportEndDate).
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Client.csv") text = with_cell(text, "C-102", "DOB", "2031-05-05");
    if (name == "Enrollment.csv") text = with_cell(text, "E-1004", "EntryDate", "2030-01-01");
    if (name == "Services.csv") text = with_cell(text, "S-9", "DateProvided", "2031-01-01");
  }
  auto c = hmis().convert_files(files, "local");
  CHECK(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  auto said = [&](const std::string& warning) {
    return std::count(c.mapped.warnings.begin(), c.mapped.warnings.end(), warning) == 1;
  };
  CHECK(said("Client.csv row 4, column \"DOB\": \"2031-05-05\" is after the export's ExportEndDate, 2024-07-31, so it is left out"));
  CHECK(said("Enrollment.csv row 6, column \"EntryDate\": \"2030-01-01\" is after the export's ExportEndDate, 2024-07-31"));
  CHECK(said("Services.csv row 10, column \"DateProvided\": \"2031-01-01\" is after the export's ExportEndDate, 2024-07-31"));
  auto patients = by_identifier(bundle, "Patient");
  REQUIRE(patients.count("C-102"));
  CHECK(!patients.at("C-102")->HasMember("birthDate"));
  auto episodes = by_identifier(bundle, "EpisodeOfCare");
  REQUIRE(episodes.count("E-1004"));  // kept, as the sender wrote it
  CHECK(str((*episodes.at("E-1004"))["period"]["start"]) == "2030-01-01");
  // No date passes the end of an export whose records all fall within it.
  auto plain = hmis().convert_files(export_files("FY2024"), "local");
  CHECK(std::none_of(plain.mapped.warnings.begin(), plain.mapped.warnings.end(),
                     [](const std::string& w) { return w.find("is after") != std::string::npos; }));
  // Without an ExportEndDate, a birth date is still never after today.
  files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Export.csv") text.replace(text.find(",2023-10-01,2024-07-31,"), 23, ",2023-10-01,,");
    if (name == "Client.csv") text = with_cell(text, "C-102", "DOB", "2099-05-05");
  }
  c = hmis().convert_files(files, "local");
  CHECK(std::count(c.mapped.warnings.begin(), c.mapped.warnings.end(),
                   "Client.csv row 4, column \"DOB\": \"2099-05-05\" is after today, so it is left out") == 1);
}

TEST_CASE("hmis independent export: a move-in date is where the episode turns from waitlist to active, when it is one",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name != "Enrollment.csv") continue;
    text = with_cell(text, "E-1006", "MoveInDate", "2024-04-01");  // before its entry (2024-05-10): left out
    text = with_cell(text, "E-1000", "MoveInDate", "2024-01-20");  // an emergency shelter's (PRJ-1): never asked
  }
  auto c = hmis().convert_files(files, "local");
  auto episodes = by_identifier(bundle_of(c), "EpisodeOfCare");
  // E-1001, at the rapid re-housing project PRJ-2 (ProjectType 13), moved in on 2024-04-01.
  const auto& housed = *episodes.at("E-1001");
  REQUIRE(housed.HasMember("statusHistory"));
  CHECK(str(housed["statusHistory"][0]["status"]) == "waitlist");
  CHECK(str(housed["statusHistory"][0]["period"]["start"]) == "2024-02-20");
  CHECK(str(housed["statusHistory"][0]["period"]["end"]) == "2024-04-01");
  CHECK(str(housed["statusHistory"][1]["status"]) == "active");
  CHECK(str(housed["statusHistory"][1]["period"]["start"]) == "2024-04-01");
  CHECK(!episodes.at("E-1006")->HasMember("statusHistory"));
  CHECK(!episodes.at("E-1000")->HasMember("statusHistory"));
  std::string warnings;
  for (const auto& w : c.mapped.warnings) warnings += w + "\n";
  CHECK(warnings.find("\"2024-04-01\" is before EntryDate, 2024-05-10, so it is left out") != std::string::npos);
  CHECK(warnings.find("permanent housing") != std::string::npos);
}

TEST_CASE("hmis independent export: HIV answers on a row about another disability are left out, never written unlabelled",
          "[agency][hmis]") {
  Files files = export_files("FY2024");
  for (auto& [name, text] : files)  // D-6 is a developmental disability (7) at an ordinary project
    if (name == "Disabilities.csv")
      text = with_cells(text, "D-6", {{"TCellCount", "180"}, {"ViralLoad", "5000"}, {"AntiRetroviral", "1"}});
  auto c = hmis().convert_files(files, "local");
  const auto* disability = by_identifier(bundle_of(c), "Observation").at("Disabilities/D-6");
  std::string written = dump(*disability);
  CHECK(written.find("TCellCount") == std::string::npos);
  CHECK(written.find("ViralLoad") == std::string::npos);
  CHECK(written.find("AntiRetroviral") == std::string::npos);
  CHECK(!has_label(*disability, kActCode, "HIV"));  // nothing about HIV is left in it
  size_t told = 0;
  for (const auto& w : c.mapped.warnings) told += w.starts_with("Disabilities.csv row 7") && w.find("HIV/AIDS") != std::string::npos;
  CHECK(told == 3);
}

TEST_CASE("hmis independent export: IDs a spreadsheet rounded to scientific notation are refused and no two clients merge",
          "[agency][hmis]") {
  // Client.csv and Enrollment.csv re-saved by Excel: two clients' long PersonalIDs both became
  // 4E+15, so C-100's and C-101's rows (and their enrollments) would be one person.
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Client.csv") text = with_cell(with_cell(text, "C-100", "PersonalID", "4E+15"), "C-101", "PersonalID", "4E+15");
    if (name == "Enrollment.csv") text = with_cell(text, "E-1002", "PersonalID", "4E+15");
  }
  auto c = hmis().convert_files(files, "local");
  auto bundle = bundle_of(c);
  CHECK(!by_identifier(bundle, "Patient").count("4E+15"));
  CHECK(!by_identifier(bundle, "EpisodeOfCare").count("E-1002"));
  CHECK(std::any_of(c.mapped.rejected.begin(), c.mapped.rejected.end(), [](const agency::RowProblem& p) {
    return p.where.starts_with("Client.csv") && p.where.ends_with("column \"PersonalID\"") &&
           p.message.find("a number a spreadsheet rounded") != std::string::npos;
  }));
}

TEST_CASE("hmis independent export: a PersonalID or EnrollmentID given to two people at the same moment is refused at its row",
          "[agency][hmis]") {
  // C-100's ID on a second row of the same DateUpdated naming someone else, and E-1002 (C-101's)
  // again as C-100's: two people under one ID, which were made one record without a word.
  Files files = export_files("FY2024");
  for (auto& [name, text] : files) {
    if (name == "Client.csv") text = with_version(text, "C-100", {{"FirstName", "Pedro"}, {"LastName", "Alvarez"}, {"DOB", "2001-09-09"}});
    if (name == "Enrollment.csv") text = with_version(text, "E-1002", {{"PersonalID", "C-100"}});
  }
  auto c = hmis().convert_files(files, "local");
  auto refused = [&](const std::string& file, const std::string& column) {
    return std::any_of(c.mapped.rejected.begin(), c.mapped.rejected.end(), [&](const agency::RowProblem& p) {
      return p.where.starts_with(file + " row ") && p.where.ends_with("column \"" + column + "\"") &&
             p.message.find("conflicting duplicate") != std::string::npos;
    });
  };
  CHECK(refused("Client.csv", "FirstName"));
  CHECK(refused("Enrollment.csv", "PersonalID"));
  auto bundle = bundle_of(c);
  const auto& maria = *by_identifier(bundle, "Patient").at("C-100");
  CHECK(dump(maria["name"]).find("Pedro") == std::string::npos);
  CHECK(str(maria["birthDate"]) == "1986-03-14");
  const auto& episode = *by_identifier(bundle, "EpisodeOfCare").at("E-1002");
  const auto* james = by_identifier(bundle, "Patient").at("C-101");
  std::string james_url;
  for (const auto& e : bundle["entry"].GetArray())
    if (&e["resource"] == james) james_url = str(e["fullUrl"]);
  CHECK(str(episode["patient"]["reference"]) == james_url);  // still C-101's
}
