// The food-bank intake spec on sheets written the way intake volunteers write them: the
// golden sample maps to the Bundle checked in beside it and validates; bad rows are
// rejected with their row, column and reason while the others are taken; the same file
// gives the same Bundle; the HVS answers and the risk they show are right.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <set>

#include "fhir/json/json_writer.h"
#include "fhir/validation/validator.h"
#include "mappings/agency/conversion.h"
#include "mappings/agency/records.h"
#include "agency_test_support.h"
#include "support/test_support.h"

using namespace carebridge::mappings;
using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

using carebridge::testing::bundle_of;

namespace {

const agency::AgencyConverter& converter() { return carebridge::testing::shipped_converter("foodbank-intake"); }

constexpr const char* kHeader =
    "Client ID,First Name,Last Name,Date of Birth,Gender,Phone,Email,Street Address,City,State,ZIP,Household ID,"
    "Household Size,TEFAP Eligible,Eligibility Basis,Worried Food Would Run Out,Food Did Not Last,Visit Date,"
    "Pounds Distributed,Site\r\n";

agency::AgencyConversion convert(const std::string& csv_text, const std::string& name = "intake.csv") {
  return converter().convert_files({{name, csv_text}}, "pantry-7");
}


std::vector<const rapidjson::Value*> resources(const rapidjson::Document& bundle, const std::string& type) {
  std::vector<const rapidjson::Value*> out;
  for (const auto& e : bundle["entry"].GetArray())
    if (e["resource"]["resourceType"].GetString() == type) out.push_back(&e["resource"]);
  return out;
}

}  // namespace

TEST_CASE("foodbank-intake: the golden sample maps to the Bundle checked in beside it", "[agency]") {
  auto sample = project_sample("agency/foodbank-intake/intake-2026-11.csv");
  auto c = converter().convert_files({{"intake-2026-11.csv", read_text(sample)}}, "local");
  for (const auto& p : c.mapped.rejected) INFO(p.where << ": " << p.message);
  CHECK(c.mapped.rejected.empty());
  REQUIRE(c.bundle);
  std::string expected = read_text(project_sample("agency/foodbank-intake/intake-2026-11.expected.json"));
  rapidjson::Document want, got;
  want.Parse(expected.c_str());
  got.Parse(carebridge::fhir::json::write(*c.bundle->root()).c_str());
  CHECK(got == want);
  CHECK(c.mapped.rows == 4);
  CHECK(c.mapped.resources.at("Patient") == 4);
  CHECK(c.mapped.resources.at("Group") == 3);  // the Delgados' two rows make one household
}

TEST_CASE("foodbank-intake: values as sheets write them are read, households gather their members", "[agency]") {
  auto c = convert(std::string(kHeader) +
                   "A1,Rosa,Castillo,3/4/1990,F,(617) 555-0100,,1 Main St,Boston,MA,2134,H1,2,yes,WIC,Often true,Never true,45292,10,\r\n"
                   "A2,Ana,Castillo,,f,,,1 Main St,Boston,MA,02134,H1,2,Y,WIC,,,11/5/2026,,\r\n");
  REQUIRE(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  auto patients = resources(bundle, "Patient");
  REQUIRE(patients.size() == 2);
  const auto& rosa = *patients[0];
  CHECK(std::string(rosa["birthDate"].GetString()) == "1990-03-04");
  CHECK(std::string(rosa["telecom"][0]["value"].GetString()) == "+16175550100");
  CHECK(std::string(rosa["address"][0]["postalCode"].GetString()) == "02134");  // the zero Excel dropped
  CHECK(std::string(rosa["identifier"][0]["system"].GetString()) == "urn:carebridge:agency:pantry-7:foodbank-client");
  auto groups = resources(bundle, "Group");
  REQUIRE(groups.size() == 1);
  CHECK((*groups[0])["member"].Size() == 2);
  CHECK((*groups[0])["quantity"].GetInt() == 2);
  // Excel's day number 45292 is 1 January 2024; "Often true" is the LOINC answer LA28397-0, and it means risk.
  bool risk = false;
  for (const auto* o : resources(bundle, "Observation")) {
    std::string code = (*o)["code"]["coding"][0]["code"].GetString();
    CHECK(std::string((*o)["effectiveDateTime"].GetString()) == "2024-01-01");
    if (code == "88122-7") CHECK(std::string((*o)["valueCodeableConcept"]["coding"][0]["code"].GetString()) == "LA28397-0");
    if (code == "88124-3") risk = std::string((*o)["valueCodeableConcept"]["coding"][0]["code"].GetString()) == "LA19952-3";
  }
  CHECK(risk);
}

// A workbook saved by pandas writes the Client ID column as floats (10232.0): that was a
// second client beside the 10232 of another month's sheet.
TEST_CASE("foodbank-intake: a client number a float column wrote is the same client", "[agency]") {
  auto c = convert(std::string(kHeader) +
                   "10232.0,Rosa,Castillo,3/4/1990,F,,,,,,,H1,1,yes,WIC,,,11/5/2026,,\r\n"
                   "10232,Rosa,Castillo,3/4/1990,F,,,,,,,H1,1,yes,WIC,,,12/3/2026,,\r\n");
  REQUIRE(c.mapped.rejected.empty());
  auto patients = resources(bundle_of(c), "Patient");
  REQUIRE(patients.size() == 1);
  CHECK(std::string((*patients[0])["identifier"][0]["value"].GetString()) == "10232");
}

TEST_CASE("foodbank-intake: each bad row is rejected with its row, column and reason, the others are taken", "[agency]") {
  auto c = convert(std::string(kHeader) +
                   "B1,Ok,Row,1/2/1970,M,,,,,,,H9,1,no,,,,11/5/2026,,\r\n"
                   "B2,Bad,Date,13/45/2020,M,,,,,,,H9,1,no,,,,11/5/2026,,\r\n"
                   ",No,Id,1/2/1970,Q,,,,,,,H9,1,no,,,,11/5/2026,,\r\n");
  REQUIRE(c.bundle);
  CHECK(c.accepted_rows() == 1);
  CHECK(c.mapped.rejected_rows.size() == 2);
  std::string all;
  for (const auto& p : c.mapped.rejected) all += p.where + ": " + p.message + "\n";
  INFO(all);
  CHECK(all.find("intake.csv row 3, column \"Date of Birth\": \"13/45/2020\" is not a date") != std::string::npos);
  CHECK(all.find("intake.csv row 4, column \"Client ID\": \"Client ID\" is required and is empty") != std::string::npos);
  CHECK(all.find("row 4, column \"Gender\": \"Q\" is not one of the allowed values") != std::string::npos);
  CHECK(resources(bundle_of(c), "Patient").size() == 1);
}

TEST_CASE("foodbank-intake: a row with more values than the header (an unquoted comma) is rejected alone", "[agency]") {
  auto c = convert(std::string(kHeader) +
                   "B1,Ok,Row,1/2/1970,M,,,,,,,H9,1,no,,,,11/5/2026,,\r\n"
                   "B2,Lee, Jr.,Sam,1/2/1970,M,,,,,,,H9,1,no,,,,11/5/2026,,Main St pantry\r\n"
                   "B3,Also,Ok,1/2/1971,F,,,,,,,H9,1,no,,,,11/5/2026,,\r\n");
  REQUIRE(c.bundle);
  std::string all;
  for (const auto& p : c.mapped.rejected) all += p.where + ": " + p.message + "\n";
  INFO(all);
  CHECK(c.accepted_rows() == 2);
  REQUIRE(c.mapped.rejected.size() == 1);
  CHECK(c.mapped.rejected[0].where == "intake.csv row 3");
  CHECK(c.mapped.rejected[0].message ==
        "the row has 21 values but the header names 20 columns (is a value with a comma not in quotes?)");
}

TEST_CASE("foodbank-intake: the same file gives the same Bundle, so sending it twice changes nothing", "[agency]") {
  std::string file = read_text(project_sample("agency/foodbank-intake/intake-2026-11.csv"));
  auto first = converter().convert_files({{"a.csv", file}}, "local");
  auto second = converter().convert_files({{"a.csv", file}}, "local");
  REQUIRE(first.bundle);
  REQUIRE(second.bundle);
  CHECK(carebridge::fhir::json::write(*first.bundle->root()) == carebridge::fhir::json::write(*second.bundle->root()));
  // Every entry is a conditional update on the agency's identifier, or a PUT to an id made from it.
  for (const auto& e : bundle_of(first)["entry"].GetArray()) CHECK(std::string(e["request"]["method"].GetString()) == "PUT");
}

TEST_CASE("foodbank-intake: a file without a required column is refused whole, saying which", "[agency]") {
  auto c = convert("First Name,Last Name\r\nAda,Lovelace\r\n");
  CHECK(!c.bundle);
  REQUIRE(!c.mapped.rejected.empty());
  CHECK(c.mapped.rejected[0].message == "the file has no column \"Client ID\", which must be there");
}

TEST_CASE("foodbank-intake: an upload past the rows one conversion may hold is refused before it is mapped", "[agency]") {
  std::string many = kHeader;
  for (int i = 0; i < 60; ++i) many += "R" + std::to_string(i) + ",A,B,1/2/1970,M,,,,,,,H" + std::to_string(i) + ",1,no,,,,11/5/2026,,\r\n";
  carebridge::mappings::csv::ReadLimits limits;
  limits.max_total_rows = 50;  // 60 rows in two files of 30, each under the file limit
  std::string half = many.substr(0, many.find("R30,"));
  std::string other = kHeader + many.substr(many.find("R30,"));
  auto c = converter().convert_files({{"a.csv", half}, {"b.csv", other}}, "pantry-7", limits);
  CHECK(!c.bundle);
  REQUIRE(c.file_errors.size() == 1);
  CHECK(c.file_errors[0] == "the files hold 60 rows together, more than the limit of 50 for one upload: send them in parts");
}

TEST_CASE("foodbank-intake: members' rows that give their household different sizes are taken with a warning naming both",
          "[agency]") {
  auto c = convert("Client ID,First Name,Last Name,Household ID,Household Size,TEFAP Eligible,Visit Date\r\n"
                   "Q1,A,B,HQ,4,Yes,1/6/2026\r\nQ2,C,B,HQ,2,Yes,1/6/2026\r\nQ3,D,B,HQ,,,1/7/2026\r\n",
                   "households.csv");
  CHECK(c.mapped.rejected.empty());
  std::string warnings;
  for (const auto& w : c.mapped.warnings) warnings += w + "\n";
  INFO(warnings);
  CHECK(warnings.find("households.csv row 3, column \"Household Size\": Household ID \"HQ\" is on row 2 too, with other values: "
                      "Household Size \"4\" there, \"2\" here; both rows are taken") != std::string::npos);
  CHECK(warnings.find("row 4") == std::string::npos);  // an empty size says nothing
}

TEST_CASE("foodbank-intake: a month's sheet listing a household's first member keeps the stored members in their order",
          "[agency]") {
  // The household as stored: Rosa then Tomas. December's sheet lists Rosa alone; the
  // Group must come out as stored (a new version only reordering its members is a change
  // every subscriber is told of, and alternating months would flip it each time).
  const std::string client = "urn:carebridge:agency:pantry-7:foodbank-client";
  auto patient = [&](const std::string& id, const std::string& number) {
    return R"({"resource": {"resourceType": "Patient", "id": ")" + id + R"(", "meta": {"versionId": "1"},
               "identifier": [{"system": ")" + client + R"(", "value": ")" + number + R"("}]}})";
  };
  auto records = agency::BundleRecords::from_json(
      R"({"resourceType": "Bundle", "type": "searchset", "entry": [)" + patient("p-rosa", "K1") + "," +
      patient("p-tomas", "K2") + R"(, {"resource": {"resourceType": "Group", "id": "g-71", "meta": {"versionId": "3"},
        "identifier": [{"system": "urn:carebridge:agency:pantry-7:foodbank-household", "value": "H-71"}],
        "type": "person", "actual": true, "name": "Household H-71", "quantity": 3,
        "member": [{"entity": {"reference": "Patient/p-rosa"}}, {"entity": {"reference": "Patient/p-tomas"}}]}}]})");
  REQUIRE(records.ok());
  auto c = converter().convert_files(
      {{"dec.csv", std::string(kHeader) + "K1,Rosa,Quispe,4/9/1979,F,,,,,,,H-71,3,,,,,12/1/2026,,\r\n"}}, "pantry-7", {},
      &*records);
  REQUIRE(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  auto groups = resources(bundle, "Group");
  REQUIRE(groups.size() == 1);
  const auto& members = (*groups[0])["member"];
  REQUIRE(members.Size() == 2);
  std::string rosa_entry;
  for (const auto& e : bundle["entry"].GetArray())
    if (std::string(e["resource"]["resourceType"].GetString()) == "Patient") rosa_entry = e["fullUrl"].GetString();
  CHECK(members[0]["entity"]["reference"].GetString() == rosa_entry);  // Rosa, as this sheet names her, first
  CHECK(std::string(members[1]["entity"]["reference"].GetString()) == "Patient/p-tomas");
  // Pinned to the version read, so a change made meanwhile is never overwritten.
  for (const auto& e : bundle["entry"].GetArray())
    if (std::string(e["resource"]["resourceType"].GetString()) == "Group") CHECK(e["request"]["ifMatch"] == "W/\"3\"");
  // Offline, without the stored records, the Group is a plain conditional update by its identifier.
  auto offline = converter().convert_files(
      {{"dec.csv", std::string(kHeader) + "K1,Rosa,Quispe,4/9/1979,F,,,,,,,H-71,3,,,,,12/1/2026,,\r\n"}}, "pantry-7");
  auto plain = bundle_of(offline);
  for (const auto& e : plain["entry"].GetArray()) {
    if (std::string(e["resource"]["resourceType"].GetString()) != "Group") continue;
    CHECK(e["request"]["url"] == "Group?identifier=urn:carebridge:agency:pantry-7:foodbank-household%7CH-71");
    CHECK_FALSE(e["request"].HasMember("ifMatch"));
    CHECK(e["resource"]["member"].Size() == 1);
  }
}

TEST_CASE("foodbank-intake: a sheet whose dates are written day first is read day first throughout", "[agency]") {
  // A European export: 15/08/2011 can only be day first, so 09/04/1979 on the row above is
  // the 9th of April, and the visit on 03/11/2026 the 3rd of November — not September and March.
  std::string header = "Client ID,First Name,Last Name,Date of Birth,Household ID,Visit Date\r\n";
  auto c = convert(header + "K1,Rosa,Quispe,09/04/1979,H-71,03/11/2026\r\nK3,Ines,Quispe,15/08/2011,H-71,03/11/2026\r\n",
                   "intake-eu.csv");
  REQUIRE(c.mapped.rejected.empty());
  auto bundle = bundle_of(c);
  std::set<std::string> births, visits;
  for (const auto* p : resources(bundle, "Patient")) births.insert((*p)["birthDate"].GetString());
  for (const auto* p : resources(bundle, "Procedure")) visits.insert((*p)["performedDateTime"].GetString());
  CHECK(births == std::set<std::string>{"1979-04-09", "2011-08-15"});
  CHECK(visits == std::set<std::string>{"2026-11-03"});
  std::string warnings;
  for (const auto& w : c.mapped.warnings) warnings += w + "\n";
  CHECK(warnings.find("intake-eu.csv: dates such as \"15/08/2011\" are written day first") != std::string::npos);
  // A sheet that also writes a date only month first (8/15/2011) says both: each date is read as written.
  auto us = convert(header + "K1,Rosa,Quispe,09/04/1979,H-71,8/15/2026\r\nK3,Ines,Quispe,15/08/2011,H-71,8/15/2026\r\n");
  REQUIRE(us.mapped.rejected.size() == 1);
  CHECK(us.mapped.rejected[0].where == "intake.csv row 3, column \"Date of Birth\"");
  CHECK(bundle_of(us)["entry"][0]["resource"]["birthDate"] == "1979-09-04");
}

TEST_CASE("foodbank-intake: a form without a required field says so in a form's words", "[agency]") {
  auto one = converter().convert_files(
      {{"intake-form.json", R"({"Client ID": "K-701", "First Name": "Lan", "Household ID": "H-80", "Visit Date": "2026-12-02",
                               "Favorite Color": "blue"})"}},
      "pantry-7");
  REQUIRE(one.mapped.rejected.size() == 1);
  CHECK(one.mapped.rejected[0].where == "intake-form.json: form field \"Last Name\"");
  CHECK(one.mapped.rejected[0].message == "\"Last Name\" is required and is empty");
  std::string warnings;
  for (const auto& w : one.mapped.warnings) warnings += w + "\n";
  CHECK(warnings.find("intake-form.json: the field \"Favorite Color\" is not one the mapping reads") != std::string::npos);
  auto several = converter().convert_files(
      {{"forms.json", R"([{"Client ID": "K-1", "First Name": "A", "Household ID": "H", "Visit Date": "2026-12-02"},
                         {"Client ID": "K-2", "First Name": "B", "Household ID": "H", "Visit Date": "2026-12-02"}])"}},
      "pantry-7");
  REQUIRE(several.mapped.rejected.size() == 1);
  CHECK(several.mapped.rejected[0].message == "no form has the field \"Last Name\", which must be there");
}
