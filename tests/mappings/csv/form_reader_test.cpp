// Form submissions as JSON: one object, or a list of them whose fields together are the
// columns; values kept as text; nested values refused naming the field; and read_tables
// telling a workbook, a form and CSV apart.
#include <catch2/catch.hpp>

#include <string>

#include "mappings/csv/table.h"

using namespace carebridge::mappings::csv;

namespace {

using Values = std::vector<std::string>;

Table read(const std::string& json) {
  auto table = read_form(json);
  INFO(table.message());
  REQUIRE(table.ok());
  return std::move(table).value();
}

std::string error(const std::string& json, const ReadLimits& limits = {}) {
  auto table = read_form(json, "form", limits);
  REQUIRE_FALSE(table.ok());
  return table.message();
}

}  // namespace

TEST_CASE("one form: fields are the columns, values kept as text", "[mappings][csv]") {
  Table t = read(R"({"Name": "Ana", " DOB ": "2001-02-03", "Beds": 2.50, "Consent": true, "Notes": null})");
  CHECK(t.source == Table::Source::Form);
  CHECK(t.columns == Values{"Name", "DOB", "Beds", "Consent", "Notes"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].values == Values{"Ana", "2001-02-03", "2.50", "true", ""});
  CHECK(t.rows[0].line == 1);  // never 0, which callers keep for "the whole file"
  CHECK(t.locate(0, 1) == "form field \"DOB\"");
}

TEST_CASE("a list of forms: the union of their fields in first-seen order", "[mappings][csv]") {
  Table t = read(R"([{"Name": "Ana"}, {"DOB": "1990-05-06", "name": "Ben"}, {"Name": null}, {"Phone": "+1 555 0100"}])");
  CHECK(t.columns == Values{"Name", "DOB", "Phone"});  // "name" is the Name column
  REQUIRE(t.rows.size() == 3);  // the third form holds nothing
  CHECK(t.rows[0].values == Values{"Ana", "", ""});
  CHECK(t.rows[1].values == Values{"Ben", "1990-05-06", ""});
  CHECK(t.rows[2].values == Values{"", "", "+1 555 0100"});
  CHECK(t.locate(1, 1) == "form 2, field \"DOB\"");
  CHECK(t.locate(2, 2) == "form 4, field \"Phone\"");

  auto named = read_form(R"([{"a": 1}, {"a": 2}])", "intake.json");
  REQUIRE(named.ok());
  CHECK(named->locate(1, 0) == "intake.json: form 2, field \"a\"");
}

TEST_CASE("nested values and other shapes are errors naming the field", "[mappings][csv]") {
  CHECK(error(R"({"Name": "Ana", "Address": {"City": "Springfield"}})") ==
        "form field \"Address\": the value is an object; a form's values are text, numbers, true, false or null");
  CHECK(error(R"([{"Name": "Ana"}, {"Name": "Ben", "Phones": ["1", "2"]}])") ==
        "form 2, field \"Phones\": the value is a list; a form's values are text, numbers, true, false or null");
  CHECK(error(R"([{"Name": "Ana"}, "Ben"])") == "form 2 is not an object of fields");
  CHECK(error(R"("Ana")") == "form: a form is a JSON object of fields, or a list of them");
  CHECK(error(R"({"Name": "Ana", "name": "Ben"})") == "form field \"name\": the field is given twice");
  CHECK(error(R"({"Name": "Ana",)").find("form is not valid JSON (at byte ") == 0);
  ReadLimits small;
  small.max_field = 3;
  CHECK(error(R"([{"Name": "Ana"}, {"Name": "Bernadette"}])", small) ==
        "form 2, field \"Name\": a value is longer than the limit of 3 bytes");
  // Deep nesting is refused at its first level, without recursion.
  CHECK(error("[" + std::string(100000, '[')).find("form 1 is not an object") == 0);
}

TEST_CASE("read_tables tells a form, a workbook and CSV apart", "[mappings][csv]") {
  auto form = read_tables(" \n[{\"Name\": \"Ana\"}]", "intake.json");
  REQUIRE(form.ok());
  CHECK(form->at(0).source == Table::Source::Form);

  auto csv = read_tables("Name,DOB\nAna,2001-02-03\n", "Client.csv");
  REQUIRE(csv.ok());
  CHECK(csv->at(0).source == Table::Source::Csv);
  CHECK(csv->at(0).name == "Client.csv");

  auto zip = read_tables("PK\x03\x04 not a workbook", "Client.xlsx");
  REQUIRE_FALSE(zip.ok());
  CHECK(zip.message().find("Client.xlsx: the file is not a readable zip") == 0);

  auto xls = read_tables(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10), "Client.xls");
  REQUIRE_FALSE(xls.ok());
  CHECK(xls.message().find("Excel 97-2003") != std::string::npos);
}
