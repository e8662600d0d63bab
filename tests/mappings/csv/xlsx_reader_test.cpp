// XLSX workbooks as shelters save them: shared, rich and inline strings, numbers, dates
// by their cell style, booleans, errors, gaps between cells, several sheets; each value
// found again as `Client!C2`; and zip bombs and DTDs refused. The workbooks are built
// here with libarchive's zip writer.
#include <archive.h>
#include <archive_entry.h>
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "mappings/csv/table.h"
#include "support/test_support.h"

using namespace carebridge::mappings::csv;

namespace {

using Parts = std::vector<std::pair<std::string, std::string>>;
using Values = std::vector<std::string>;

// A zip of `parts`, deflated, in memory.
std::string zip(const Parts& parts) { return carebridge::testing::zip_of(parts); }

const char* kMain = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";
const char* kRelationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

std::string sheet_xml(const std::string& rows) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet ") + kMain +
         " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><dimension ref=\"A1:E6\"/>"
         "<sheetData>" + rows + "</sheetData></worksheet>";
}

// A workbook with the sheets "Client" and "Food bank", shared strings and four cell
// styles: 0 General, 1 dd/mm/yyyy (custom), 2 m/d/yy h:mm (built-in 22), 3 "Order "0
// (custom, not a date: its d is quoted).
Parts workbook_parts(const std::string& client_rows, const std::string& food_bank_rows = "") {
  std::string relationship = kRelationship;
  return {
      {"[Content_Types].xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
       "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
       "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
       "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
       "</Types>"},
      {"xl/workbook.xml",
       std::string("<workbook ") + kMain + " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
       "<workbookPr defaultThemeVersion=\"166925\"/><sheets><sheet name=\"Client\" sheetId=\"1\" r:id=\"rId1\"/>"
       "<sheet name=\"Food bank\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"" + relationship + "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
       "<Relationship Id=\"rId2\" Type=\"" + relationship + "worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
       "<Relationship Id=\"rId3\" Type=\"" + relationship + "styles\" Target=\"styles.xml\"/>"
       "<Relationship Id=\"rId4\" Type=\"" + relationship + "sharedStrings\" Target=\"sharedStrings.xml\"/>"
       "</Relationships>"},
      {"xl/sharedStrings.xml",
       std::string("<sst ") + kMain + " count=\"6\" uniqueCount=\"6\">"
       "<si><t>Name</t></si><si><t> Phone </t></si><si><t>DOB</t></si>"
       "<si><r><rPr><b/></rPr><t>Jos</t></r><r><t xml:space=\"preserve\">é Ruiz</t></r><rPh sb=\"0\" eb=\"1\"><t>ホセ</t></rPh></si>"
       "<si><t>Visit</t></si><si><t>line one_x000D_\nline two</t></si></sst>"},
      {"xl/styles.xml",
       std::string("<styleSheet ") + kMain + "><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy;@\"/>"
       "<numFmt numFmtId=\"165\" formatCode=\"&quot;Order d&quot;0\"/></numFmts>"
       "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
       "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/>"
       "<xf numFmtId=\"22\" applyNumberFormat=\"1\"><alignment horizontal=\"left\"/></xf><xf numFmtId=\"165\"/></cellXfs>"
       "</styleSheet>"},
      {"xl/worksheets/sheet1.xml", sheet_xml(client_rows)},
      {"xl/worksheets/sheet2.xml", sheet_xml(food_bank_rows)},
  };
}

std::string workbook(const std::string& client_rows, const std::string& food_bank_rows = "") {
  return zip(workbook_parts(client_rows, food_bank_rows));
}

std::vector<Table> read(const std::string& bytes, const ReadLimits& limits = {}) {
  auto tables = read_xlsx(bytes, limits);
  INFO(tables.message());
  REQUIRE(tables.ok());
  return std::move(tables).value();
}

std::string error(const std::string& bytes, const ReadLimits& limits = {}) {
  auto tables = read_xlsx(bytes, limits);
  REQUIRE_FALSE(tables.ok());
  return tables.message();
}

const char* kClientRows =
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
    "<c r=\"D1\" t=\"s\"><v>4</v></c><c r=\"E1\" t=\"inlineStr\"><is><t>Order</t></is></c></row>"
    // B2 is missing: a gap
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"C2\" s=\"1\"><v>45292</v></c>"
    "<c r=\"D2\" s=\"2\"><v>45292.5</v></c><c r=\"E2\" s=\"3\"><v>42</v></c></row>"
    "<row r=\"3\"/><row r=\"4\"><c r=\"A4\" s=\"1\"/><c r=\"B4\" t=\"e\"><v>#N/A</v></c></row>"
    "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><r><t>An</t></r><r><t>a</t></r></is></c>"
    "<c r=\"B5\" t=\"str\"><f>\"+1 555 \"&amp;\"0100\"</f><v>+1 555 0100</v></c><c r=\"C5\" t=\"e\"><v>#VALUE!</v></c>"
    "<c r=\"D5\" t=\"b\"><v>1</v></c><c r=\"E5\"><v>0.30000000000000004</v></c></row>"
    "<row r=\"6\"><c r=\"A6\" t=\"s\"><v>5</v></c><c r=\"D6\" t=\"b\"><v>0</v></c></row>";

}  // namespace

TEST_CASE("a workbook's sheets as tables, values by cell type, places as cell references", "[mappings][csv]") {
  auto tables = read(workbook(kClientRows, "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Item</t></is></c></row>"
                                           "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Rice</t></is></c></row>"));
  REQUIRE(tables.size() == 2);
  const Table& client = tables[0];
  CHECK(client.name == "Client");
  CHECK(client.source == Table::Source::Sheet);
  CHECK(client.columns == Values{"Name", "Phone", "DOB", "Visit", "Order"});
  REQUIRE(client.rows.size() == 3);  // rows 3 and 4 hold nothing
  CHECK(client.rows[0].line == 2);
  CHECK(client.rows[0].values == Values{"José Ruiz", "", "2024-01-01", "2024-01-01T12:00:00", "42"});
  CHECK(client.rows[1].line == 5);
  CHECK(client.rows[1].values == Values{"Ana", "+1 555 0100", "", "true", "0.3"});
  CHECK(client.rows[2].values == Values{"line one\r\nline two", "", "", "false", ""});
  CHECK(client.locate(0, 2) == "Client!C2, column \"DOB\"");  // the cell, and the column a person knows it by
  CHECK(client.locate(1, 0) == "Client!A5, column \"Name\"");
  CHECK(client.column("phone") == 1);

  const Table& food = tables[1];
  CHECK(food.name == "Food bank");
  CHECK(food.columns == Values{"Item"});
  REQUIRE(food.rows.size() == 1);
  CHECK(food.locate(0, 0) == "'Food bank'!A2, column \"Item\"");
}

TEST_CASE("date serials in the 1900 system, with its 29 February that never was", "[mappings][csv]") {
  std::string cells;
  const char* serials[] = {"1", "59", "60", "61", "45292", "45292.75", "0.75", "-3", "3000000"};
  for (int i = 0; i < 9; ++i)
    cells += "<row r=\"" + std::to_string(i + 2) + "\"><c r=\"A" + std::to_string(i + 2) + "\" s=\"1\"><v>" + serials[i] + "</v></c></row>";
  auto tables = read(workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>2</v></c></row>" + cells));
  Values dates;
  for (const auto& row : tables[0].rows) dates.push_back(row.values[0]);
  CHECK(dates == Values{"1900-01-01", "1900-02-28", "60", "1900-03-01", "2024-01-01", "2024-01-01T18:00:00",
                        "18:00:00", "-3", "3000000"});
}

TEST_CASE("errors in a sheet name the cell, never its value", "[mappings][csv]") {
  // A value right of the last named column.
  CHECK(error(workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
                       "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"C2\" t=\"s\"><v>3</v></c></row>")) ==
        "Client!C2: a value in column C, which has no name in the header (row 1)");
  // A header cell left empty between names, and a name used twice.
  CHECK(error(workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row>")) ==
        "Client!B1: the column has no name (the header cell is empty)");
  CHECK(error(workbook("<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>NAME</t></is></c></row>")) ==
        "Client!B2: the column name \"NAME\" is used twice (also in A2)");
  CHECK(error(workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row>")) ==
        "Client!A1: the cell points to a shared string the workbook does not have");
  ReadLimits small;
  small.max_field = 4;
  CHECK(error(workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
                       "<row r=\"7\"><c r=\"A7\" t=\"s\"><v>3</v></c></row>"), small) ==
        "Client!A7: a value is longer than the limit of 4 bytes");
}

TEST_CASE("a workbook part with a DTD is refused (no entity expansion)", "[mappings][csv]") {
  Parts parts = workbook_parts("");
  parts[5].second =
      "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;\">]>"
      "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>";
  std::string message = error(zip(parts));
  CHECK(message.find("the sheet \"Client\" is not readable XML") == 0);
  CHECK(message.find("DTD") != std::string::npos);
}

TEST_CASE("zip bombs stop at the unzipped limit", "[mappings][csv]") {
  ReadLimits limits;
  limits.max_unzipped = 1 << 20;
  Parts one = workbook_parts(kClientRows);
  one.emplace_back("xl/media/image1.png", std::string(2 << 20, '\0'));  // 2 MB of zeros: a few KB zipped
  std::string bytes = zip(one);
  CHECK(bytes.size() < 64 * 1024);
  CHECK(error(bytes, limits) == "the zip entry xl/media/image1.png would unzip to more than 1 MB, the limit");

  Parts many = workbook_parts(kClientRows);  // each part under the limit, together over it
  for (int i = 0; i < 3; ++i) many.emplace_back("xl/media/image" + std::to_string(i) + ".png", std::string(400 << 10, '\0'));
  CHECK(error(zip(many), limits) == "the zip unzips to more than 1 MB, the limit (reached in xl/media/image2.png)");

  CHECK(read(zip(many)).size() == 2);  // within the default limit the same workbook reads

  Parts crowded = workbook_parts(kClientRows);
  for (int i = 0; crowded.size() <= 10'000; ++i) crowded.emplace_back("xl/media/" + std::to_string(i), "");
  CHECK(error(zip(crowded)) == "the zip holds more than 10000 entries, the limit");
}

// A small workbook whose sheet unzips to far more than any sheet holds is refused as it is
// unzipped, at 100 times its own size past the first 64 MB, not read whole into memory.
TEST_CASE("a workbook unzipping to a hundred times its size past 64 MB is a zip bomb", "[mappings][csv]") {
  Parts bomb = workbook_parts(kClientRows);
  bomb.emplace_back("xl/media/padding.xml", std::string(size_t{70} << 20, ' '));
  std::string bytes = zip(bomb);
  REQUIRE(bytes.size() < (size_t{1} << 20));
  std::string message = error(bytes);
  CHECK(message.find("100 times the file's own size (a zip bomb?)") != std::string::npos);
  CHECK(message.find("more than 64 MB") != std::string::npos);
}

TEST_CASE("a zip that is not a workbook, and bytes that are not a zip", "[mappings][csv]") {
  CHECK(error(zip({{"content.xml", "<office:document-content/>"}})).find("not an Excel workbook") != std::string::npos);
  CHECK(error("PK\x03\x04 not really a zip").find("not a readable zip") != std::string::npos);
}

TEST_CASE("zipped export: a zip of CSV files reads as one table per file, named as the files are", "[csv]") {
  std::string bytes = zip({{"export/Client.csv", "PersonalID,FirstName\r\nP1,Ana\r\n"},
                           {"export/Enrollment.csv", "EnrollmentID,PersonalID\r\nE1,P1\r\n"},
                           {"__MACOSX/export/._Client.csv", "junk"},
                           {"export/README.txt", "not a table"}});
  auto tables = read_tables(bytes, "hmis-export.zip");
  INFO((tables.ok() ? "" : tables.message()));
  REQUIRE(tables.ok());
  REQUIRE(tables->size() == 2);
  CHECK((*tables)[0].name == "Client.csv");
  CHECK((*tables)[1].name == "Enrollment.csv");
  CHECK((*tables)[0].locate(0, 1) == "Client.csv row 2, column \"FirstName\"");
}

TEST_CASE("zipped export: a zip bomb of CSV files stops at the limit", "[csv]") {
  ReadLimits limits;
  limits.max_unzipped = 1 << 20;
  std::string bytes = zip({{"Client.csv", "PersonalID\r\n" + std::string(2 << 20, '1') + "\r\n"}});
  auto tables = read_tables(bytes, "bomb.zip", limits);
  REQUIRE(!tables.ok());
  CHECK(tables.message().find("bomb.zip: the zip entry Client.csv would unzip to more than") != std::string::npos);
}
