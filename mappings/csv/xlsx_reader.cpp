// The sheets of an XLSX workbook as tables. Each sheet's XML is streamed cell by cell:
// a value comes from its cell type (shared or inline string, formula result, boolean,
// number, error), numbers in date styles become ISO 8601, and the cell reference (C14)
// puts the value in its column. The first row with a value is the header; every row
// keeps the sheet's own row number, so `Client!C14` points to the cell to fix.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "fhir/time/civil_date.h"
#include "mappings/csv/columns.h"
#include "mappings/csv/table.h"
#include "mappings/csv/xlsx_workbook.h"
#include "mappings/csv/xml_stream.h"

namespace carebridge::mappings::csv {
namespace {

constexpr size_t kSheetRows = 1'048'576;   // Excel's last row
constexpr size_t kSheetColumns = 16'384;  // and column (XFD)

// Excel's largest date, 9999-12-31, as a serial number.
constexpr double kLastSerial = 2'958'465;

// An Excel serial number as ISO 8601: days since the epoch (1900 system: day 1 is
// 1900-01-01 and day 60 the 1900-02-29 that never was, kept from Lotus 1-2-3; 1904
// system: day 0 is 1904-01-01), the fraction the time of day. A date (2024-01-01), a
// dateTime with a fraction (2024-01-01T08:30:00), a time alone below 1 (08:30:00). A
// number no day matches (day 60, negative, past 9999) is kept as written.
std::string serial_date(std::string_view number, bool date1904) {
  double serial = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), serial);
  if (error != std::errc() || end != number.data() + number.size() || !(serial >= 0) || serial >= kLastSerial + 1)
    return std::string(number);
  auto days = static_cast<int64_t>(std::floor(serial));
  auto seconds = static_cast<int64_t>(std::llround((serial - static_cast<double>(days)) * 86400));
  if (seconds >= 86400) {
    ++days;
    seconds -= 86400;
  }
  char time_of_day[64];
  std::snprintf(time_of_day, sizeof time_of_day, "%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  if (days == 0 && seconds > 0) return time_of_day;
  if (!date1904 && days == 60) return std::string(number);
  if (!date1904 && days > 60) --days;
  int64_t epoch = date1904 ? fhir::time::days_from_civil(1904, 1, 1) : fhir::time::days_from_civil(1899, 12, 31);
  fhir::time::CivilDate date = fhir::time::civil_from_days(epoch + days);
  char day[64];
  std::snprintf(day, sizeof day, "%04lld-%02u-%02u", static_cast<long long>(date.year), date.month, date.day);
  return seconds > 0 ? std::string(day) + "T" + time_of_day : std::string(day);
}

// A number as Excel shows it: workbooks store doubles to 17 digits (0.1 + 0.2 is kept as
// 0.30000000000000004), Excel shows 15; a number with more is rounded to 15 (0.3).
std::string displayed_number(std::string_view number) {
  size_t digits = 0;
  bool leading = true;
  for (char c : number) {
    if (c == 'e' || c == 'E') break;
    if (c < '0' || c > '9') continue;
    leading = leading && c == '0';
    digits += !leading;
  }
  double value = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (digits <= 15 || error != std::errc() || end != number.data() + number.size()) return std::string(number);
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", value);
  return text;
}

// The 0-based column of a cell reference (C14 → 2), or npos when it is not one.
size_t reference_column(std::string_view reference) {
  size_t column = 0, letters = 0;
  for (; letters < reference.size() && letters < 4; ++letters) {
    char c = reference[letters];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    column = column * 26 + static_cast<size_t>(c - 'A' + 1);
  }
  if (letters == 0 || column > kSheetColumns) return std::string_view::npos;
  for (size_t i = letters; i < reference.size(); ++i) {
    if (reference[i] < '0' || reference[i] > '9') return std::string_view::npos;
  }
  return column - 1;
}

// One cell as its XML gives it.
struct Cell {
  size_t column = 0;
  std::string type;   // t: s, inlineStr, str, b, e, d; n or none for a number
  size_t style = 0;   // s: the cell style, which says whether a number is a date
  std::string value;  // <v>
  std::string text;   // <is><t>, an inline string (its runs together)
};

// Reads one sheet's XML into a table.
class SheetReader {
 public:
  SheetReader(const Workbook& book, const WorkbookSheet& sheet, const ReadLimits& limits)
      : book_(book), sheet_(sheet), limits_(limits) {
    table_.name = sheet.name;
    table_.source = Table::Source::Sheet;
  }

  Result<Table> read() {
    auto part = book_.parts.find(sheet_.part);
    if (part == book_.parts.end()) return fail("structure", "the sheet \"" + sheet_.name + "\" has no part");
    XmlStream xml(part->second);
    for (auto event = xml.next(); event != XmlStream::Event::Done; event = xml.next()) {
      Result<void> step;
      if (event == XmlStream::Event::Failed)
        return fail("structure", "the sheet \"" + sheet_.name + "\" is not readable XML (" + xml.error() + ")");
      if (event == XmlStream::Event::Start) step = start(xml);
      if (event == XmlStream::Event::End) step = end(xml.name());
      if (event == XmlStream::Event::Text) step = text(xml.text());
      if (!step) return Result<Table>(step.issues());
    }
    return std::move(table_);
  }

 private:
  enum class Collecting { Nothing, Value, Text };

  static Result<Table> fail(std::string code, std::string message) {
    return Result<Table>::failure(std::move(code), std::move(message));
  }
  static Result<void> problem(std::string code, std::string message) {
    return Result<void>::failure(std::move(code), std::move(message));
  }
  std::string here(size_t column) const { return cell_reference(sheet_.name, column, row_); }

  Result<void> start(XmlStream& xml) {
    std::string_view name = xml.name();
    if (name == "sheetData") in_data_ = true;
    if (!in_data_) return {};
    if (name == "row") return start_row(xml.attribute("r"));
    if (name == "c") return start_cell(xml.attribute("r"), xml.attribute("t"), xml.attribute("s"));
    if (name == "v") collecting_ = Collecting::Value;
    if (name == "is") in_inline_ = true;
    if (name == "rPh") ++phonetic_;
    if (name == "t" && in_inline_ && phonetic_ == 0) collecting_ = Collecting::Text;
    return {};
  }

  Result<void> end(std::string_view name) {
    if (name == "sheetData") in_data_ = false;
    if (name == "v" || name == "t") collecting_ = Collecting::Nothing;
    if (name == "is") in_inline_ = false;
    if (name == "rPh") --phonetic_;
    if (name == "c") return finish_cell();
    if (name == "row") return finish_row();
    return {};
  }

  Result<void> text(std::string_view text) {
    if (collecting_ == Collecting::Nothing) return {};
    std::string& into = collecting_ == Collecting::Value ? cell_.value : cell_.text;
    if (into.size() + text.size() > limits_.max_field)
      return problem("too-costly", here(cell_.column) + ": a value is longer than the limit of " + size_in_words(limits_.max_field));
    into += text;
    return {};
  }

  Result<void> start_row(const std::string& number) {
    size_t row = row_ + 1;  // a row without r follows the one before
    if (!number.empty()) {
      auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), row);
      if (error != std::errc() || end != number.data() + number.size()) row = 0;
    }
    if (row == 0 || row > kSheetRows)
      return problem("structure", "the sheet \"" + sheet_.name + "\" has a row numbered \"" + number.substr(0, 20) +
                                      "\" (rows run from 1 to 1048576)");
    row_ = row;
    values_.clear();
    width_ = 0;
    next_column_ = 0;
    return {};
  }

  Result<void> start_cell(const std::string& reference, std::string type, const std::string& style) {
    cell_ = Cell{};
    cell_.column = reference.empty() ? next_column_ : reference_column(reference);
    if (cell_.column == std::string_view::npos)
      return problem("structure", "the sheet \"" + sheet_.name + "\" row " + std::to_string(row_) + " has a cell \"" +
                                      reference.substr(0, 20) + "\" that is not a cell reference");
    cell_.type = std::move(type);
    std::from_chars(style.data(), style.data() + style.size(), cell_.style);
    return {};
  }

  // The cell's text: strings as written, booleans as true/false, errors (#N/A) as "",
  // numbers as Excel shows them, dates as ISO 8601.
  Result<std::string> cell_value() const {
    const std::string& type = cell_.type;
    if (type == "s") {
      size_t index = 0;
      auto [end, error] = std::from_chars(cell_.value.data(), cell_.value.data() + cell_.value.size(), index);
      if (error != std::errc() || end != cell_.value.data() + cell_.value.size() || index >= book_.shared_strings.size())
        return Result<std::string>::failure("structure", here(cell_.column) + ": the cell points to a shared string "
                                                                                "the workbook does not have");
      return std::string(book_.shared_strings.at(index));
    }
    if (type == "inlineStr") return decode_escapes(cell_.text);
    if (type == "str") return decode_escapes(cell_.value);
    if (type == "b") return std::string(cell_.value == "1" ? "true" : cell_.value == "0" ? "false" : cell_.value);
    if (type == "e") return std::string();
    if ((type == "n" || type.empty()) && !cell_.value.empty()) {
      bool date = cell_.style < book_.date_styles.size() && book_.date_styles[cell_.style];
      return date ? serial_date(cell_.value, book_.date1904) : displayed_number(cell_.value);
    }
    return cell_.value;  // d (already ISO 8601), and types this reader does not know
  }

  Result<void> finish_cell() {
    next_column_ = cell_.column + 1;
    auto value = cell_value();
    if (!value) return Result<void>(value.issues());
    if (value->empty()) return {};  // a formatted but empty cell
    if (value->size() > limits_.max_field)
      return problem("too-costly", here(cell_.column) + ": a value is longer than the limit of " + size_in_words(limits_.max_field));
    if (cell_.column >= limits_.max_columns)
      return problem("too-costly", here(cell_.column) + ": a value beyond the limit of " +
                                       std::to_string(limits_.max_columns) + " columns");
    if (values_.size() <= cell_.column) values_.resize(cell_.column + 1);
    values_[cell_.column] = std::move(value).value();
    width_ = std::max(width_, cell_.column + 1);
    return {};
  }

  Result<void> finish_row() {
    if (width_ == 0) return {};  // an empty row
    if (header_row_ == 0) return set_header();
    size_t named = table_.columns.size();
    for (size_t column = named; column < width_; ++column) {
      if (!values_[column].empty())
        return problem("invalid", here(column) + ": a value in column " + column_letters(column) +
                                      ", which has no name in the header (row " + std::to_string(header_row_) + ")");
    }
    if (table_.rows.size() >= limits_.max_rows)
      return problem("too-costly", here(0) + ": more than " + std::to_string(limits_.max_rows) + " rows, the limit");
    values_.resize(named);
    table_.rows.push_back(Table::Row{row_, std::move(values_), {}});
    values_.clear();
    return {};
  }

  // The first row with a value names the columns, from A to its last value.
  Result<void> set_header() {
    header_row_ = row_;
    for (size_t i = 0; i < width_; ++i) table_.columns.emplace_back(trim(values_[i]));
    auto wrong = find_header_problem(table_.columns);
    if (!wrong) return {};
    if (!wrong->first) return problem("invalid", here(wrong->column) + ": the column has no name (the header cell is empty)");
    return problem("invalid", here(wrong->column) + ": the column name " + quoted_name(table_.columns[wrong->column]) +
                                  " is used twice (also in " + column_letters(*wrong->first) + std::to_string(row_) + ")");
  }

  const Workbook& book_;
  const WorkbookSheet& sheet_;
  const ReadLimits& limits_;
  Table table_;
  bool in_data_ = false, in_inline_ = false;
  int phonetic_ = 0;
  Collecting collecting_ = Collecting::Nothing;
  size_t row_ = 0, header_row_ = 0, next_column_ = 0, width_ = 0;
  std::vector<std::string> values_;  // the row being read, by column
  Cell cell_;
};

}  // namespace

Result<std::vector<Table>> read_xlsx(std::string_view bytes, const ReadLimits& limits) {
  using R = Result<std::vector<Table>>;
  if (bytes.size() > limits.max_bytes)
    return R::failure("too-costly", "the workbook is larger than the limit of " + size_in_words(limits.max_bytes));
  auto book = open_workbook(bytes, limits);
  if (!book) return R(book.issues());
  std::vector<Table> tables;
  for (const auto& sheet : book->sheets) {
    auto table = SheetReader(*book, sheet, limits).read();
    if (!table) return R(table.issues());
    tables.push_back(std::move(table).value());
    book->parts.erase(sheet.part);  // read once: its memory goes back
  }
  return tables;
}

}  // namespace carebridge::mappings::csv
