// Uploads too large for one transaction, split into parts: each part within the records one
// transaction may hold, and every row in the part of the rows it makes or names records with
// — a client's visits, a household's members — so that no part replaces what another built.
// Converted part by part, the parts hold every row once and make the records the whole file
// makes.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "agency_test_support.h"
#include "hmis_export.h"
#include "mappings/agency/parts.h"
#include "mappings/csv/table.h"

using namespace carebridge::mappings;
using carebridge::testing::project_sample;
using carebridge::testing::shipped_converter;

namespace {

constexpr const char* kHeader =
    "Client ID,First Name,Last Name,Date of Birth,Gender,Phone,Email,Street Address,City,State,ZIP,Household ID,"
    "Household Size,TEFAP Eligible,Eligibility Basis,Worried Food Would Run Out,Food Did Not Last,Visit Date,"
    "Pounds Distributed,Site\r\n";

// Visits of `clients` people, in households of three, each client visiting on `visits` days;
// rows of a household far apart in the file (sorted by visit day, as exports sort them).
std::vector<csv::Table> intake(int clients, int visits) {
  std::string text = kHeader;
  for (int day = 1; day <= visits; ++day)
    for (int i = 0; i < clients; ++i)
      text += "C" + std::to_string(i) + ",Ana,Lee,1/2/1980,F,,,,,,,H" + std::to_string(i / 3) + ",3,yes,,Often true,,11/" +
              std::to_string(day) + "/2026,,\r\n";
  auto table = csv::read_csv(text, "intake.csv");
  REQUIRE(table.ok());
  return {std::move(*table)};
}

std::map<std::string, std::string> household_of_rows(const csv::Table& table) {
  std::map<std::string, std::string> out;  // line → household
  for (const auto& r : table.rows) out[std::to_string(r.line)] = r.values[11];
  return out;
}

}  // namespace

TEST_CASE("parts: rows that fit in one transaction make one part", "[agency][parts]") {
  const auto& spec = shipped_converter("foodbank-intake").spec();
  auto tables = intake(4, 1);
  auto parts = agency::split_into_parts(spec, tables, 20000);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].rows.size() == 4);
  CHECK(agency::split_into_parts(spec, tables, 0).size() == 1);  // no bound: offline
}

TEST_CASE("parts: a household's rows stay in one part however far apart they are in the file", "[agency][parts]") {
  const auto& spec = shipped_converter("foodbank-intake").spec();
  auto tables = intake(30, 2);  // 60 rows: 10 households of 3 people, each person twice
  size_t per_row = agency::records_per_row(spec.tables[0]);
  auto parts = agency::split_into_parts(spec, tables, 12 * per_row);  // a household's 6 rows, twice over
  REQUIRE(parts.size() == 5);
  auto household = household_of_rows(tables[0]);
  std::map<std::string, size_t> part_of_household;
  size_t rows = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    CHECK(parts[p].rows.size() * per_row <= 12 * per_row);
    CHECK(parts[p].context.empty());
    for (const auto& [file, line] : parts[p].rows) {
      ++rows;
      auto [it, added] = part_of_household.try_emplace(household[std::to_string(line)], p);
      CHECK(it->second == p);
    }
  }
  CHECK(rows == 60);
}

TEST_CASE("parts: converted one by one, the parts make the records the whole file makes", "[agency][parts]") {
  const auto& converter = shipped_converter("foodbank-intake");
  auto tables = intake(12, 2);
  auto whole = converter.convert(tables);
  REQUIRE(whole.bundle);
  auto parts = agency::split_into_parts(converter.spec(), tables, 6 * agency::records_per_row(converter.spec().tables[0]));
  REQUIRE(parts.size() == 4);
  agency::AgencyConversion total;
  for (const auto& part : parts) {
    auto c = converter.convert(tables, "local", nullptr, 0, &part);
    CHECK(c.bundle);
    CHECK(c.mapped.rows == part.rows.size());
    total.add(std::move(c));
  }
  CHECK(total.mapped.rows == 24);
  CHECK(total.accepted_rows() == 24);
  CHECK(total.mapped.resources == whole.mapped.resources);
}

namespace {

// Converts the export whole and in parts of at most `max_records`: the parts hold each row
// once, the organizations and projects in the first part and read by the others, and
// together take and refuse the rows the whole conversion does, making the same records.
size_t same_in_parts(const std::vector<std::pair<std::string, std::string>>& files, size_t max_records) {
  const auto& converter = shipped_converter("hmis");
  auto read = converter.read_files(files);
  REQUIRE(read.errors.empty());
  auto whole = converter.convert(read.tables);
  REQUIRE(whole.bundle);
  auto parts = agency::split_into_parts(converter.spec(), read.tables, max_records);
  REQUIRE(parts.size() > 1);
  std::set<agency::RowRef> seen, not_taken;
  agency::AgencyConversion total;
  for (size_t p = 0; p < parts.size(); ++p) {
    for (const auto& row : parts[p].rows) CHECK(seen.insert(row).second);  // each row in one part
    for (const auto& [file, line] : parts[p].context) CHECK((file == "Organization.csv" || file == "Project.csv"));
    CHECK(parts[p].context.empty() == (p == 0));
    parts[p].excluded = not_taken;  // as the gateway does: what an earlier part refused stays refused
    auto c = converter.convert(read.tables, "local", nullptr, 0, &parts[p]);
    not_taken.insert(c.mapped.rejected_rows.begin(), c.mapped.rejected_rows.end());
    total.add(std::move(c));
  }
  CHECK(total.mapped.rows == whole.mapped.rows);
  CHECK(total.mapped.skipped == whole.mapped.skipped);
  CHECK(total.accepted_rows() == whole.accepted_rows());
  CHECK(total.mapped.rejected_rows == whole.mapped.rejected_rows);
  CHECK(total.mapped.resources == whole.mapped.resources);
  return whole.mapped.rejected_rows.size();
}

}  // namespace

TEST_CASE("parts: an HMIS export is split by client and household with its organizations and projects read by every part",
          "[agency][parts]") {
  auto files = carebridge::testing::folder_files(project_sample("agency/hmis/FY2024"));
  CHECK(same_in_parts(files, 60) == 0);

  // A project refused for a missing OrganizationID: its enrollments, in later parts, are refused as they are whole.
  for (auto& [name, text] : files)
    if (name == "Project.csv") {
      size_t at = text.find("PRJ-120,ORG-100,");
      REQUIRE(at != std::string::npos);
      text.replace(at, 16, "PRJ-120,,");
    }
  CHECK(same_in_parts(files, 60) > 1);
}

TEST_CASE("parts: an enrollment is never in a part before its project's, however many projects the export has",
          "[agency][parts]") {
  // With more projects than a tenth of a part, Project.csv is not read by every part: each
  // project goes with (or before) its enrollments, whose episodes name it, or storing the
  // part would fail for a project the gateway does not hold yet.
  auto files = carebridge::testing::folder_files(project_sample("agency/hmis/FY2024"));
  const auto& converter = shipped_converter("hmis");
  auto read = converter.read_files(files);
  REQUIRE(read.errors.empty());
  auto parts = agency::split_into_parts(converter.spec(), read.tables, 30);
  REQUIRE(parts.size() > 1);
  std::map<agency::RowRef, size_t> part_of;
  for (size_t p = 0; p < parts.size(); ++p)
    for (const auto& row : parts[p].rows) part_of[row] = p;
  auto project_cells = [&](const std::string& file) {
    std::map<std::string, std::vector<size_t>> out;  // ProjectID → lines
    for (const auto& t : read.tables) {
      if (t.name != file) continue;
      size_t column = std::find(t.columns.begin(), t.columns.end(), "ProjectID") - t.columns.begin();
      for (const auto& r : t.rows) out[r.values.at(column)].push_back(r.line);
    }
    return out;
  };
  auto projects = project_cells("Project.csv");
  size_t checked = 0;
  for (const auto& [project, enrollments] : project_cells("Enrollment.csv")) {
    INFO(project);
    REQUIRE(projects.count(project));
    size_t project_part = part_of.at({"Project.csv", projects.at(project).front()});
    for (size_t line : enrollments) {
      CHECK(project_part <= part_of.at({"Enrollment.csv", line}));
      ++checked;
    }
  }
  CHECK(checked > 3);
}
