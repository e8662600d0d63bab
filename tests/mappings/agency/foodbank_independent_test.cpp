// The food-bank intake spec on sheets as spreadsheet programs export them, not as our
// sample writes them (tests/data/foodbank-independent): Excel's Windows-1252 CSV with
// dropped ZIP zeros, phones as number cells, trailing empty columns, a blank row, header
// cells in other case and spacing, N/A; Excel's "CSV UTF-8" with its BOM, 05-Mar-2024 and
// day-number dates, ZIP+4 and phones with extensions; LibreOffice in a German locale with
// `sep=;`, semicolons, decimal commas and dotted day-first dates. What a volunteer would
// notice: every row is taken, names and numbers are as written, and the rows that are
// wrong say their row, column and why.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <map>
#include <string>

#include "agency_test_support.h"
#include "mappings/agency/conversion.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::bundle_of;
using carebridge::testing::fixture;
using carebridge::testing::read_text;

namespace {

agency::AgencyConversion map_file(const std::string& name) {
  std::string bytes = read_text(fixture("foodbank-independent/" + name));
  return carebridge::testing::shipped_converter("foodbank-intake").convert_files({{name, bytes}}, "pantry-7");
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : ""; }

// What a volunteer checks of each client: "family|given|birthDate|gender|phone|email|postalCode".
std::map<std::string, std::string> clients(const rapidjson::Document& bundle) {
  std::map<std::string, std::string> out;
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    if (str(r["resourceType"]) != "Patient") continue;
    std::string phone, email;
    if (r.HasMember("telecom"))
      for (const auto& t : r["telecom"].GetArray()) (str(t["system"]) == "phone" ? phone : email) = str(t["value"]);
    std::string zip = r.HasMember("address") ? str(r["address"][0]["postalCode"]) : "";
    out[str(r["identifier"][0]["value"])] = str(r["name"][0]["family"]) + "|" + str(r["name"][0]["given"][0]) + "|" +
                                            str(r["birthDate"]) + "|" + str(r["gender"]) + "|" + phone + "|" + email + "|" + zip;
  }
  return out;
}

// Each visit's date and what its notes say, by client.
std::map<std::string, std::string> visits(const rapidjson::Document& bundle) {
  std::map<std::string, std::string> out;
  for (const auto& e : bundle["entry"].GetArray()) {
    const auto& r = e["resource"];
    if (str(r["resourceType"]) != "Procedure") continue;
    std::string text = str(r["performedDateTime"]);
    if (r.HasMember("note")) text += " " + str(r["note"][0]["text"]);
    std::string client = str(r["identifier"][0]["value"]);
    out[client.substr(0, client.find('/'))] = text;
  }
  return out;
}

void check_taken_whole(const agency::AgencyConversion& c, size_t rows) {
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  CHECK(c.file_errors.empty());
  CHECK(c.accepted_rows() == rows);
  REQUIRE(c.bundle);
}

}  // namespace

TEST_CASE("foodbank-intake independent: Excel's Windows-1252 CSV with its dropped zeros and N/A is taken whole", "[agency]") {
  auto c = map_file("excel-windows-1252.csv");
  check_taken_whole(c, 4);  // the blank row in the middle is no row
  auto bundle = bundle_of(c);
  auto people = clients(bundle);
  CHECK(people["FB-3001"] == "Núñez|José|1979-03-05|male|+16175550142||02139");  // E-mail N/A: none
  CHECK(people["FB-3002"] == "Núñez|María José|1981-11-22|female|+16175550143||02139");
  CHECK(people["FB-3003"] == "Brontë-Ängström|Zoë|1950-07-04|female|+16175550144|zoe@example.org|02143");
  CHECK(people["FB-3004"] == "Dubois-Cañas|Renée|1990-01-15|other|+16175550145 ext. 12||02118");
  auto visited = visits(bundle);
  CHECK(visited["FB-3001"] == "2024-03-05 24.5 pounds of food provided");
  CHECK(visited["FB-3002"] == "2024-03-05");  // 3/5/2024 0:00; Lbs n/a: no amount
  // HVS answers of N/A are no answers: no Observation for them.
  size_t observations = 0;
  for (const auto& e : bundle["entry"].GetArray())
    if (str(e["resource"]["resourceType"]) == "Observation")
      observations += str(e["resource"]["identifier"][0]["value"]).starts_with("FB-3002/");
  CHECK(observations == 0);
}

TEST_CASE("foodbank-intake independent: Excel's CSV UTF-8 with every way of writing a date is taken whole", "[agency]") {
  auto c = map_file("excel-utf8-bom.csv");
  check_taken_whole(c, 4);
  auto bundle = bundle_of(c);
  auto people = clients(bundle);
  CHECK(people["FB-4001"] == "Šimić|Đorđe|1985-02-28|male|+16175550150|djordje@example.org|02139-1234");
  CHECK(people["FB-4002"] == "Ó Briain|Siobhán|1990-03-05|female|+16175550151||02139-1234");  // 05-Mar-1990
  CHECK(people["FB-4003"] == "Thị Lan|Nguyễn|1990-01-01|female|+16175550152||02118");          // Excel's day 32874
  CHECK(people["FB-4004"] == "Okafor|Amara|1970-03-05|female|+16175550153 ext. 3|amara@example.org|02118-4410");
  auto visited = visits(bundle);
  CHECK(visited["FB-4002"] == "2024-03-05");
  CHECK(visited["FB-4003"] == "2024-03-05 15.75 pounds of food provided");  // Excel's day 45356
  CHECK(visited["FB-4004"] == "2024-03-06 9 pounds of food provided");      // March 6, 2024
}

TEST_CASE("foodbank-intake independent: a European LibreOffice sheet keeps its decimal commas and day-first dates", "[agency]") {
  auto c = map_file("libreoffice-semicolon.csv");
  check_taken_whole(c, 3);
  auto bundle = bundle_of(c);
  auto people = clients(bundle);
  CHECK(people["FB-5001"] == "Müller|Jürgen|1966-03-05|male|+49301234567||02139");  // 05.03.1966: 5 March
  CHECK(people["FB-5003"] == "Åberg|Søren|1955-12-24|male|||02139");
  auto visited = visits(bundle);
  CHECK(visited["FB-5001"] == "2024-03-05 12.5 pounds of food provided");  // 12,5, never 125
  CHECK(visited["FB-5002"] == "2024-03-05 0.75 pounds of food provided");
  CHECK(visited["FB-5003"] == "2024-03-06 1250.5 pounds of food provided");  // 1.250,5
}

TEST_CASE("foodbank-intake independent: rows that are wrong say their row, column and why, the others are taken", "[agency]") {
  auto c = map_file("refused-rows.csv");
  CHECK(c.accepted_rows() == 1);
  CHECK(c.mapped.rejected_rows.size() == 3);
  std::map<std::string, std::string> why;
  for (const auto& p : c.mapped.rejected) why[p.where] = p.message;
  CHECK(why["refused-rows.csv row 2, column \"Visit Date\""] ==
        "\"13/45/2024\" is not a date (write it as 2024-01-31 or 1/31/2024)");
  CHECK(why["refused-rows.csv row 3, column \"Gender\""].starts_with("\"Q\" is not one of the allowed values (f, female,"));
  CHECK(why["refused-rows.csv row 4, column \"Phone\""] ==
        "\"ask the front desk\" is not a phone number (write it as (617) 555-0142, or +44 20 7946 0958 from abroad)");
  CHECK(clients(bundle_of(c)).count("FB-6004") == 1);
}

TEST_CASE("foodbank-intake: a workbook's instructions sheet beside its intake sheet is passed over with a warning, not refused",
          "[agency]") {
  // Excel templates keep a "Read me" tab before the data: it holds no column the mapping reads.
  using Table = carebridge::mappings::csv::Table;
  Table read_me{"Read me", Table::Source::Sheet, {"Fill one row per visit"}, {{2, {"Do not change the headers"}, {}}}};
  Table intake{"Intake", Table::Source::Sheet, {"Client ID", "First Name", "Last Name", "Household ID", "Visit Date"},
               {{2, {"C-1", "Ana", "Ruiz", "H-1", "1/6/2026"}, {}}}};
  auto& converter = carebridge::testing::shipped_converter("foodbank-intake");
  auto c = converter.convert({read_me, intake}, "pantry-7");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  CHECK(c.mapped.resources.at("Patient") == 1);
  bool told = false;
  for (const auto& w : c.mapped.warnings) told = told || w.starts_with("Read me: the sheet has none of the columns");
  CHECK(told);
  // A workbook whose only sheet has none of them is still refused, column by column.
  auto alone = converter.convert({read_me}, "pantry-7");
  CHECK(alone.mapped.rejected.size() == 5);
}
