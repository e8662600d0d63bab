// Agency data as read from a CSV file, a spreadsheet or a form: a header of column names
// and rows of values (UTF-8), each value findable by where it came from — the CSV row and
// column name, or the spreadsheet cell (`Client!C14`), or the form field — so that every
// error the mapping reports points a volunteer to the place to fix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"

namespace carebridge::mappings::csv {

struct Table {
  enum class Source { Csv, Sheet, Form };
  struct Row {
    size_t line = 0;                  // the row's number in its source (the header is 1)
    std::vector<std::string> values;  // one per column, "" when the row has fewer
    // Why the row cannot be read as the header says (more values than columns: a comma
    // outside quotes, most likely), in plain words; the row is rejected, the others are not.
    std::string problem;
  };

  std::string name;                  // the file's or the sheet's name ("Client.csv", "Client")
  Source source = Source::Csv;
  std::vector<std::string> columns;  // header names as written (trimmed)
  std::vector<Row> rows;             // rows with every value empty are left out

  // The index of a column by name (case-insensitive, surrounding spaces ignored), or npos.
  size_t column(std::string_view name) const;
  // Where a value is, in the words of its source: `Client.csv row 14, column "DOB"`,
  // `Client!C14` or `form field "DOB"`.
  std::string locate(size_t row_index, size_t column) const;
};

// Bounds on untrusted input: beyond any of them reading stops with a clear error.
struct ReadLimits {
  size_t max_bytes = size_t{128} << 20;      // the file as uploaded
  // Rows of one file, and of all the files of one export together. A row costs about 25-40
  // KB while it is mapped and validated (its resources as a tree, as JSON, as the element
  // model; 40 KB for a food-bank row's five records), so these bound one conversion to a few
  // GB; larger exports are sent in parts. The gateway's ingest bounds rows further, by the
  // records one transaction may hold (agency_ingest.cpp).
  size_t max_rows = 50'000;
  size_t max_total_rows = 100'000;
  size_t max_columns = 1024;
  // Records (Bundle entries) one upload may make, when the gateway stores an upload in one
  // transaction of at most so many entries: counted once the rows are mapped, and refused
  // then, before the much larger cost of validating them (0: no bound, as offline).
  size_t max_records = 0;
  size_t max_field = size_t{1} << 20;        // one value
  uint64_t max_unzipped = uint64_t{512} << 20;  // an XLSX's parts, together (zip bombs)
};

// CSV per RFC 4180 as spreadsheets export it: UTF-8 with or without BOM, else
// Windows-1252 (Excel's "CSV"); `,` `;` or tab, detected from the header (or named by
// Excel's `sep=;` line above it, which is not the header); quoted fields
// with doubled quotes and line breaks; CRLF, LF or CR; a header row. A value that
// neutralise_formula wrote ('=SUM(1)) is read as it was (=SUM(1)). Fails with the row
// (and column) where the text stops being CSV: an unclosed quote, a field past the limit.
Result<Table> read_csv(std::string_view bytes, std::string name, const ReadLimits& limits = {});

// Every sheet of an XLSX workbook (shared and inline strings, numbers, booleans; dates —
// cells with a date number format — as ISO 8601), read with libarchive and libxml2 within
// `limits.max_unzipped`. Each table is named after its sheet.
Result<std::vector<Table>> read_xlsx(std::string_view bytes, const ReadLimits& limits = {});

// A form submission: a JSON object of field → value (string, number, boolean or null),
// or an array of them (several rows). Values are kept as text.
Result<Table> read_form(std::string_view json, std::string name = "form", const ReadLimits& limits = {});

// Any of the above, told apart by content: a zip (XLSX), JSON ({ or [), else CSV. One
// table, or one per sheet.
Result<std::vector<Table>> read_tables(std::string_view bytes, std::string name, const ReadLimits& limits = {});

// A value written back into a CSV or sheet so that a spreadsheet shows it and never runs
// it: a value starting with = + - @, tab or carriage return gets a leading ' (OWASP's
// advice on CSV injection), and so does one that starts with ' and one of those, so that
// read_csv reads each back as it was. Numbers such as -5 or +1 555 stay as they are.
std::string neutralise_formula(std::string_view value);

// Writes a table as CSV (RFC 4180, UTF-8, CRLF, quoting where needed, formulas neutralised).
std::string write_csv(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows);

}  // namespace carebridge::mappings::csv
