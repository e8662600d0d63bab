// The hmis spec on an export that lacks Export.csv, as a hand-made or partial export does:
// the HMIS CSV specification requires the file, but an agency that sends the others still has
// every live client and enrollment taken, told what the missing file leaves unknown.
#include <catch2/catch.hpp>

#include "hmis_export.h"

using namespace carebridge::mappings;
using namespace carebridge::testing::hmis_export;
using carebridge::testing::bundle_of;

namespace {

Files without_export(Files files) {
  std::erase_if(files, [](const auto& f) { return f.first == "Export.csv"; });
  return files;
}

// A gateway that holds nothing yet: a reference to a record the export does not make finds none.
struct EmptyGateway : agency::Records {
  std::optional<std::string> read(const std::string&, const std::string&) const override { return std::nullopt; }
  std::optional<bool> resolves(const std::string&) const override { return false; }
};

std::string family_of(const rapidjson::Value& patient) {
  if (!patient.HasMember("name")) return {};
  return str(patient["name"][0]["family"]);
}

}  // namespace

TEST_CASE("hmis without Export.csv: every live client and enrollment is taken, and the missing file is warned of",
          "[agency][hmis]") {
  for (const std::string year : {"FY2024", "FY2026"}) {
    INFO(year);
    auto whole = hmis().convert_files(export_files(year), "local");
    auto c = hmis().convert_files(without_export(export_files(year)), "local");
    for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
    CHECK(c.mapped.rejected.size() == whole.mapped.rejected.size());
    REQUIRE(c.bundle);
    for (const char* type : {"Patient", "EpisodeOfCare", "Encounter", "Group"}) {
      INFO(type);
      auto got = by_identifier(bundle_of(c), type), expected = by_identifier(bundle_of(whole), type);
      CHECK(got.size() == expected.size());
      for (const auto& [id, _] : expected) CHECK(got.count(id));
    }
    // Names and labels as with the file (the fixture's export is unhashed).
    auto patients = by_identifier(bundle_of(c), "Patient"), expected = by_identifier(bundle_of(whole), "Patient");
    for (const auto& [id, patient] : expected) {
      INFO(id);
      CHECK(family_of(*patients.at(id)) == family_of(*patient));
      CHECK(has_label(*patients.at(id), kActCode, "SDV") == has_label(*patient, kActCode, "SDV"));
    }
    CHECK(std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(), [](const std::string& w) {
      return w.starts_with("Export.csv was not sent") && w.find("hashes") != std::string::npos;
    }));
  }
}

TEST_CASE("hmis without Export.csv: a hashed name is never written as a name", "[agency][hmis]") {
  // A hashed export's names are SHA-256 digests (64 hex digits); without Export.csv's
  // HashStatus only their look tells them.
  const std::string digest = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
  Files files = without_export(export_files("FY2024"));
  for (auto& [name, text] : files)
    if (name == "Client.csv") text = with_cells(text, "C-100", {{"FirstName", digest}, {"LastName", digest}});
  auto c = hmis().convert_files(files, "local");
  auto patients = by_identifier(bundle_of(c), "Patient");
  REQUIRE(patients.count("C-100"));
  CHECK(!patients.at("C-100")->HasMember("name"));
  CHECK(dump(*patients.at("C-100")).find(digest) == std::string::npos);
  REQUIRE(patients.count("C-101"));
  CHECK(family_of(*patients.at("C-101")) == "O'Neil");
}

TEST_CASE("hmis without Export.csv: a SOUNDEX name (HashStatus 3) is never written as a name", "[agency][hmis]") {
  Files files = without_export(export_files("FY2024"));
  for (auto& [name, text] : files)
    if (name == "Client.csv") text = with_cells(text, "C-100", {{"FirstName", "M624"}, {"LastName", "Q536"}});
  auto c = hmis().convert_files(files, "local");
  auto patients = by_identifier(bundle_of(c), "Patient");
  REQUIRE(patients.count("C-100"));
  CHECK(!patients.at("C-100")->HasMember("name"));
  CHECK(dump(*patients.at("C-100")).find("Q536") == std::string::npos);
}

TEST_CASE("hmis without Organization.csv or Project.csv: every record is taken and kept to the sender as a victim service provider's",
          "[agency][hmis]") {
  // Whether a project is a victim service provider's is not known: every record the export
  // makes is confined (R, SDV, ORCON), never shared on a guess; nothing is refused for it.
  auto whole = hmis().convert_files(export_files("FY2024"), "local");
  for (const std::string missing : {"Organization.csv", "Project.csv"}) {
    INFO(missing);
    Files files = export_files("FY2024");
    std::erase_if(files, [&](const auto& f) { return f.first == missing; });
    EmptyGateway gateway;
    auto c = hmis().convert_files(files, "local", {}, &gateway);
    for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
    CHECK(c.mapped.rejected.size() == whole.mapped.rejected.size());
    REQUIRE(c.bundle);
    auto bundle = bundle_of(c);
    for (const char* type : {"Patient", "EpisodeOfCare", "Encounter", "Observation"}) {
      INFO(type);
      // Every record made with the file is there (an enrollment at a project of a deleted
      // organization too: without the file the deletion is not known).
      auto got = by_identifier(bundle, type);
      for (const auto& [id, _] : by_identifier(bundle_of(whole), type)) CHECK(got.count(id));
      for (const auto& [id, r] : got) {
        INFO(id);
        CHECK(has_label(*r, kActCode, "ORCON"));
        // Episodes and services name their project when Project.csv gives it (or the gateway
        // holds it: this one holds nothing).
        bool projects = missing != "Project.csv";
        if (std::string(type) == "EpisodeOfCare") CHECK(r->HasMember("managingOrganization") == projects);
        if (std::string(type) == "Encounter") CHECK(r->HasMember("serviceProvider") == projects);
      }
    }
    for (const auto& [id, project] : by_identifier(bundle, "Organization")) CHECK(!project->HasMember("partOf"));
    CHECK(std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(),
                      [&](const std::string& w) { return w.starts_with(missing + " was not sent"); }));
  }
}

TEST_CASE("hmis: files without ExportIDs are the export's when Export.csv has one row", "[agency][hmis]") {
  // A file whose ExportID column is left out or empty claims no other export: with one
  // Export row it is that export's (its HashStatus read), as a row naming it would be.
  Files files = export_files("FY2024");
  auto whole = hmis().convert_files(files, "local");
  // ExportID is each file's last column: each line loses its last cell.
  auto drop_last_column = [](const std::string& text) {
    std::string out;
    for (size_t at = 0, end; at < text.size(); at = end + 1) {
      end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(at, end - at);
      out += line.substr(0, line.rfind(',')) + "\r\n";
    }
    return out;
  };
  for (auto& [name, text] : files)
    if (name == "Client.csv" || name == "Enrollment.csv") text = drop_last_column(text);
  auto c = hmis().convert_files(files, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.size() == whole.mapped.rejected.size());
  REQUIRE(c.bundle);
  for (const char* type : {"Patient", "EpisodeOfCare"}) {
    auto got = by_identifier(bundle_of(c), type);
    for (const auto& [id, _] : by_identifier(bundle_of(whole), type)) CHECK(got.count(id));
  }
  auto patients = by_identifier(bundle_of(c), "Patient");
  REQUIRE(patients.count("C-100"));
  CHECK(patients.at("C-100")->HasMember("name"));
}

TEST_CASE("hmis: an enrollment whose project the export lacks is taken confined, naming it only if the gateway holds it",
          "[agency][hmis]") {
  // E-1000 names PRJ-99, which Project.csv does not list: whether it is a victim service
  // provider's is not known, so the episode is confined; it is not lost.
  Files files = export_files("FY2024");
  for (auto& [name, text] : files)
    if (name == "Enrollment.csv") text = with_cell(text, "E-1000", "ProjectID", "PRJ-99");
  EmptyGateway gateway;
  auto c = hmis().convert_files(files, "local", {}, &gateway);
  for (const auto& p : c.mapped.rejected) CHECK(p.where.find("E-1000") == std::string::npos);
  auto episodes = by_identifier(bundle_of(c), "EpisodeOfCare");
  REQUIRE(episodes.count("E-1000"));
  CHECK(has_label(*episodes.at("E-1000"), kActCode, "ORCON"));
  CHECK(!episodes.at("E-1000")->HasMember("managingOrganization"));
  REQUIRE(episodes.count("E-1001"));
  CHECK(episodes.at("E-1001")->HasMember("managingOrganization"));
  CHECK(std::any_of(c.mapped.warnings.begin(), c.mapped.warnings.end(), [](const std::string& w) {
    return w.starts_with("Enrollment.csv row 2") && w.find("\"PRJ-99\"") != std::string::npos && w.find("left out") != std::string::npos;
  }));
}
