// CSV as shelters and food banks export it from Excel, LibreOffice or Google Sheets:
// byte order marks, Windows-1252, `;` and tab delimiters, quoted line breaks, ragged and
// empty rows, errors that say where, limits; and CSV written back without formulas.
#include <catch2/catch.hpp>

#include <string>

#include "mappings/csv/table.h"

using namespace carebridge::mappings::csv;

namespace {

Table read(const std::string& text, const ReadLimits& limits = {}) {
  auto table = read_csv(text, "Client.csv", limits);
  INFO(table.message());
  REQUIRE(table.ok());
  return std::move(table).value();
}

std::string error(const std::string& text, const ReadLimits& limits = {}) {
  auto table = read_csv(text, "Client.csv", limits);
  REQUIRE_FALSE(table.ok());
  return table.message();
}

using Values = std::vector<std::string>;

}  // namespace

TEST_CASE("a UTF-8 file with a byte order mark, names trimmed, rows findable", "[mappings][csv]") {
  Table t = read("\xEF\xBB\xBF Name , DOB \r\nJosé,2001-02-03\r\n");
  CHECK(t.name == "Client.csv");
  CHECK(t.source == Table::Source::Csv);
  CHECK(t.columns == Values{"Name", "DOB"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].values == Values{"José", "2001-02-03"});
  CHECK(t.rows[0].line == 2);
  CHECK(t.column(" dob") == 1);
  CHECK(t.column("phone") == std::string::npos);
  CHECK(t.locate(0, 1) == "Client.csv row 2, column \"DOB\"");
}

// A report tool writes "Entry Date", a SQL view ENTRY_DATE: both are HMIS's EntryDate (the
// export was refused: "the file has no column EntryDate, which must be there").
TEST_CASE("a header is found whatever its case and the spaces or underscores between its words", "[mappings][csv]") {
  Table t = read("Personal ID,ENTRY_DATE,Date_Updated , Project  ID\nC1,2024-01-01,2024-01-02,P1\n");
  CHECK(t.column("PersonalID") == 0);
  CHECK(t.column("EntryDate") == 1);
  CHECK(t.column("entry date") == 1);
  CHECK(t.column("DateUpdated") == 2);
  CHECK(t.column("ProjectID") == 3);
  CHECK(t.column("Entry") == std::string::npos);
  CHECK(t.column("EntryDates") == std::string::npos);
}

// A header copied from a web page or Word ends in a no-break space (U+00A0): the whole file
// was refused for want of "Client ID", which the header plainly showed.
TEST_CASE("a header with no-break spaces is the column its words name", "[mappings][csv]") {
  Table t = read("Client ID\xC2\xA0,Date\xC2\xA0of Birth,\xC2\xA0Phone\nC1,1990-01-01,555\n");
  CHECK(t.column("Client ID") == 0);
  CHECK(t.column("Date of Birth") == 1);
  CHECK(t.column("Phone") == 2);
  CHECK(t.column("Client") == std::string::npos);
}

TEST_CASE("bytes that are not UTF-8 are read as Windows-1252", "[mappings][csv]") {
  Table t = read("Name;Note\r\nJos\xe9;\x93hi\x94 \x80" "5\r\n");
  CHECK(t.columns == Values{"Name", "Note"});  // and `;` is the delimiter
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].values == Values{"José", "\u201Chi\u201D \u20AC5"});
}

TEST_CASE("the delimiter comes from the header line, outside quotes", "[mappings][csv]") {
  Table tabs = read("Name\tCity\tState\nAna\tSpringfield, IL\tIL\n");
  CHECK(tabs.columns == Values{"Name", "City", "State"});
  CHECK(tabs.rows[0].values == Values{"Ana", "Springfield, IL", "IL"});

  Table semicolons = read("\"Last, first\";Age;Bed\nDoe, Jane;40;3\n");
  CHECK(semicolons.columns == Values{"Last, first", "Age", "Bed"});
  CHECK(semicolons.rows[0].values == Values{"Doe, Jane", "40", "3"});

  Table tie = read("a;b,c\n1;2,3\n");  // one of each: `,` wins
  CHECK(tie.columns == Values{"a;b", "c"});
}

TEST_CASE("Excel's sep= line names the delimiter and is not the header, rows numbered as Excel shows them", "[mappings][csv]") {
  // Excel reads the sep= line and does not show it: the header is its row 1.
  Table t = read("sep=;\r\nName;Pounds\r\nAna;12,5\r\n");
  CHECK(t.columns == Values{"Name", "Pounds"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].values == Values{"Ana", "12,5"});
  CHECK(t.rows[0].line == 2);
  CHECK(t.locate(0, 1) == "Client.csv row 2, column \"Pounds\"");
  Table comma = read("sep=,\nName,City\nAna,Lyon\n");  // even when counting would pick the same
  CHECK(comma.columns == Values{"Name", "City"});
  Table value = read("sep=x,b\n1,2\n");  // a header that starts with "sep=" is a header
  CHECK(value.columns == Values{"sep=x", "b"});
}

TEST_CASE("quoted values keep quotes and line breaks, rows numbered as a spreadsheet shows them", "[mappings][csv]") {
  Table t = read("Name,Note\r\nAna,\"two\r\nlines\"\r\nBen,\"say \"\"hi\"\"\"\r\nCy,\"a\"b\r\n");
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0].values == Values{"Ana", "two\r\nlines"});
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[1].values == Values{"Ben", "say \"hi\""});
  CHECK(t.rows[1].line == 3);  // Ana's note over two lines is one row in a spreadsheet
  CHECK(t.rows[2].values == Values{"Cy", "ab"});  // text after a closing quote, as spreadsheets read it
  CHECK(t.locate(1, 1) == "Client.csv row 3, column \"Note\"");

  Table mac = read("a,b\r1,2\r\r3,4");  // lone CR line ends, no final line end
  REQUIRE(mac.rows.size() == 2);
  CHECK(mac.rows[1].values == Values{"3", "4"});
  CHECK(mac.rows[1].line == 4);
}

TEST_CASE("short rows are padded, a long row is a problem of that row alone", "[mappings][csv]") {
  Table t = read("a,b,c\n1\n1,2\n");
  CHECK(t.rows[0].values == Values{"1", "", ""});
  CHECK(t.rows[1].values == Values{"1", "2", ""});
  CHECK(t.rows[1].problem.empty());

  Table long_row = read("a,b,c,d,e,f,g,h\n1\n2\n3\n4\n5\n6,,,,,,,,9\n7\n");
  REQUIRE(long_row.rows.size() == 7);
  CHECK(long_row.rows[5].line == 7);
  CHECK(long_row.rows[5].problem ==
        "the row has 9 values but the header names 8 columns (is a value with a comma not in quotes?)");
  CHECK(long_row.rows[6].problem.empty());

  // Empty cells past the header, as spreadsheets export formatted empty columns, are not values.
  Table trailing = read("a,b,,\n1,2,,\n3,4\n");
  CHECK(trailing.columns == Values{"a", "b"});
  CHECK(trailing.rows[0].values == Values{"1", "2"});
}

TEST_CASE("rows with every value empty are left out, blank lines before the header too", "[mappings][csv]") {
  Table t = read("\n,,\na,b\n\n,\n1,2\n,,\n\"\",\n");
  CHECK(t.columns == Values{"a", "b"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].line == 6);
}

TEST_CASE("the header must name every column once", "[mappings][csv]") {
  CHECK(error("Name,,DOB\n") == "Client.csv row 1: column 2 (B) of the header has no name");
  CHECK(error("Name,DOB,name\n") == "Client.csv row 1: the header names \"name\" twice, in column 1 (A) and column 3 (C)");
  CHECK(error("") == "Client.csv has no header row: the file is empty");
  CHECK(error("\r\n,,\r\n") == "Client.csv has no header row: the file is empty");
}

TEST_CASE("an unclosed quote is refused at its row, without the value, the rows before it read", "[mappings][csv]") {
  // The quote runs to the end of the file: Ana's row stands, Ben's row (and Cy's, swallowed
  // into the open value) is refused, saying so.
  Table t = read("Name,Note\nAna,ok\nBen,\"Allergic to\nCy,x\n");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].values == Values{"Ana", "ok"});
  CHECK(t.rows[0].problem.empty());
  CHECK(t.rows[1].line == 3);
  CHECK(t.rows[1].problem.starts_with("a quoted value in column \"Note\" is never closed, so this row and every row after it"));
  CHECK(t.rows[1].problem.find("Allergic") == std::string::npos);
  // In the first row, nothing can be read: the file is refused.
  std::string message = error("Name,Note\nBen,\"Allergic to\nCy,x\n");
  CHECK(message == "Client.csv row 2, column \"Note\": a quoted value is never closed");
  CHECK(message.find("Allergic") == std::string::npos);
}

TEST_CASE("the limits stop reading with a clear error", "[mappings][csv]") {
  ReadLimits small;
  small.max_field = 10;
  CHECK(error("a,b\n1,12345678901\n", small) ==
        "Client.csv row 2, column \"b\": a value is longer than the limit of 10 bytes");
  CHECK(error("a,b\n1,\"12345678901\n", small) == "Client.csv row 2, column \"b\": a quoted value is never closed");
  // A stray quote closed rows later by another one: the value runs past the limit.
  CHECK(error("a,b\n1,\"2345\n6,7\n8,\"9\"\n", small) ==
        "Client.csv row 2, column \"b\": a value is longer than the limit of 10 bytes (is a quote left open?)");
  CHECK(read("a,b\n1,1234567890\n", small).rows.size() == 1);

  ReadLimits rows;
  rows.max_rows = 2;
  CHECK(error("a\n1\n2\n3\n", rows) == "Client.csv row 4: more than 2 rows, the limit for one file: send it in parts");

  ReadLimits columns;
  columns.max_columns = 3;
  CHECK(error("a,b,c,d\n", columns) == "Client.csv row 1: the header names more than 3 columns, the limit");

  ReadLimits bytes;
  bytes.max_bytes = 1024;
  CHECK(error(std::string(2048, 'a'), bytes) == "Client.csv is larger than the limit of 1 KB");

  // A field of 2 MB against the default 1 MB limit: an error, not a 2 MB value.
  auto huge = read_csv("a\n\"" + std::string(2 << 20, 'x') + "\"\n", "Client.csv");
  CHECK(huge.message() == "Client.csv row 2, column \"a\": a value is longer than the limit of 1 MB");
}

TEST_CASE("binary garbage is not a text file", "[mappings][csv]") {
  CHECK(error(std::string("\x7F" "ELF\0\0\x01\x02garbage", 14)) ==
        "Client.csv is not a text file (it holds NUL bytes); save the sheet as CSV");
  // A UTF-16 mark on bytes that do not read as UTF-16 (an odd count, a lone surrogate).
  CHECK(error(std::string("\xFF\xFEN\0a\0m", 7)) ==
        "Client.csv starts as UTF-16 text (Excel's \"Unicode Text\") but does not read as it; save it as \"CSV UTF-8\"");
  CHECK(error(std::string("\xFF\xFEN\0\x00\xD8\n\0", 8)).starts_with("Client.csv starts as UTF-16 text"));
  CHECK(error(std::string("\xFF\xFEN\0\0\0\n\0", 8)) == "Client.csv is not a text file (it holds NUL bytes); save the sheet as CSV");
}

TEST_CASE("Excel's Unicode Text is read: UTF-16 in either byte order with tabs between the values", "[mappings][csv]") {
  // What "Save as Unicode Text (*.txt)" writes: a byte order mark, UTF-16LE, tabs, CRLF. It
  // was refused, asking a volunteer to save the sheet again.
  auto utf16 = [](std::u16string_view text, bool little) {
    std::string out = little ? "\xFF\xFE" : "\xFE\xFF";
    for (char16_t unit : text) {
      char low = static_cast<char>(unit & 0xFF), high = static_cast<char>(unit >> 8);
      out += little ? low : high;
      out += little ? high : low;
    }
    return out;
  };
  for (bool little : {true, false}) {
    Table t = read(utf16(u"Name\tDOB\tNote\r\nJosé Núñez\t1/2/2001\t\"a\tb\"\r\n李小龍\t3/4/2002\t🙂\r\n", little));
    CHECK(t.columns == Values{"Name", "DOB", "Note"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].values == Values{"José Núñez", "1/2/2001", "a\tb"});
    CHECK(t.rows[1].values == Values{"李小龍", "3/4/2002", "🙂"});
    CHECK(t.rows[1].line == 3);
  }
}

TEST_CASE("values that would run as formulas get a leading apostrophe", "[mappings][csv]") {
  CHECK(neutralise_formula("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")");
  CHECK(neutralise_formula("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0");
  CHECK(neutralise_formula("-2+3") == "'-2+3");
  CHECK(neutralise_formula("@SUM(1)") == "'@SUM(1)");
  CHECK(neutralise_formula("\t=1") == "'\t=1");
  CHECK(neutralise_formula("\r=1") == "'\r=1");
  CHECK(neutralise_formula("-") == "'-");
  // Numbers and phone numbers stay as they are.
  CHECK(neutralise_formula("-5") == "-5");
  CHECK(neutralise_formula("+1.5") == "+1.5");
  CHECK(neutralise_formula("+1 555 0100") == "+1 555 0100");
  CHECK(neutralise_formula("+1 (555) 010-0100") == "+1 (555) 010-0100");
  CHECK(neutralise_formula("Ana") == "Ana");
  CHECK(neutralise_formula("") == "");
  // A value that looks neutralised already gets another ', so that it reads back as itself.
  CHECK(neutralise_formula("'=1") == "''=1");
  CHECK(neutralise_formula("'quoted'") == "'quoted'");
}

TEST_CASE("a neutralised value reads back as it was written, so an export reads back the same", "[mappings][csv]") {
  std::vector<std::vector<std::string>> rows{{"=HYPERLINK(\"x\")", "-1+2", "@SUM(1,2)", "'=1", "'plain", "-5", "\t=1"}};
  Table t = read(write_csv({"A", "B", "C", "D", "E", "F", "G"}, rows));
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].values == Values{"=HYPERLINK(\"x\")", "-1+2", "@SUM(1,2)", "'=1", "'plain", "-5", "\t=1"});
  // A cell an agency typed with the same leading ' reads the same way: the ' is the neutraliser.
  CHECK(read("Name\r\n'+cmd\r\n").rows[0].values == Values{"+cmd"});
}

TEST_CASE("written CSV quotes where needed, uses CRLF and reads back the same", "[mappings][csv]") {
  CHECK(write_csv({"Name", "Age"}, {{"Ana", "40"}, {"Ben"}}) == "Name,Age\r\nAna,40\r\nBen,\r\n");

  std::vector<std::string> columns{"Name", "Note", "Phone", "Formula"};
  std::vector<std::vector<std::string>> rows{
      {"Doe, Jane", "say \"hi\"", "+1 555 0100", "=1+2"},
      {"José", "two\nlines", " padded ", "a;b\tc"},
      {"Ben"},
  };
  std::string text = write_csv(columns, rows);
  CHECK(text.starts_with("Name,Note,Phone,Formula\r\n\"Doe, Jane\",\"say \"\"hi\"\"\",+1 555 0100,'=1+2\r\n"));
  Table t = read(text);
  CHECK(t.columns == columns);
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0].values == Values{"Doe, Jane", "say \"hi\"", "+1 555 0100", "=1+2"});  // the ' undone
  CHECK(t.rows[1].values == rows[1]);
  CHECK(t.rows[1].line == 3);
  CHECK(t.rows[2].values == Values{"Ben", "", "", ""});
  CHECK(t.rows[2].line == 4);
}
