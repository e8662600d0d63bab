// CSV as spreadsheets export it (RFC 4180, and what Excel, LibreOffice and Google Sheets
// do beyond it), read into a Table within limits; and CSV written back so that no value
// runs as a formula when a volunteer opens the file.
//
// Reading is one pass over the text: the encoding is settled first (UTF-16 by its mark,
// UTF-8, else Windows-1252), the delimiter is taken from the header line, then a scanner hands out
// one record (a row as written, perhaps over several lines) at a time, counting records as a
// spreadsheet numbers its rows (a value over three lines is still one row), so that every
// error and every row names the row Excel shows.
#include <algorithm>
#include <string>

#include "fhir/json/utf8.h"
#include "mappings/engine/text_encoding.h"
#include "mappings/csv/columns.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::csv {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The text as UTF-8, without a byte order mark. Bytes that are not UTF-8 are read as
// Windows-1252 (what Excel's plain "CSV" saves on Windows) into `decoded`.
std::string_view as_utf8(std::string_view bytes, std::string& decoded) {
  if (bytes.starts_with(kUtf8Bom)) bytes.remove_prefix(kUtf8Bom.size());
  if (fhir::json::find_invalid_utf8(bytes) == std::string_view::npos) return bytes;
  decoded.reserve(bytes.size() + bytes.size() / 8);
  engine::append_decoded(decoded, bytes, engine::SingleByteCharset::Windows1252);
  return decoded;
}

// The delimiter of the header: whichever of `,` `;` and tab comes most often outside
// quotes on the first line that holds anything else (`,` on ties, and when none does).
char detect_delimiter(std::string_view text) {
  size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false, content = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\r' || c == '\n') {
      if (content) break;
      commas = semicolons = tabs = 0;  // a blank line before the header
    }
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
    content = content || (c != ',' && c != ';' && c != '\t' && c != ' ' && c != '\r' && c != '\n');
  }
  if (commas >= semicolons && commas >= tabs) return ',';
  return semicolons >= tabs ? ';' : '\t';
}

// Excel's own hint on the first line, `sep=;`, names the delimiter: the delimiter, and
// the text after that line (0 when there is no such line).
char delimiter_hint(std::string_view& text) {
  if (text.size() < 5 || (text.substr(0, 4) != "sep=" && text.substr(0, 4) != "SEP=")) return 0;
  std::string_view rest = text.substr(5);
  if (!rest.empty() && !rest.starts_with('\r') && !rest.starts_with('\n')) return 0;
  char delimiter = text[4];
  if (std::string_view(",;\t|").find(delimiter) == std::string_view::npos) return 0;
  text = rest.substr(rest.starts_with("\r\n") ? 2 : rest.empty() ? 0 : 1);
  return delimiter;
}

// A row as written: where it starts, its values and how many of them count.
struct Record {
  size_t line = 0;                  // its row as a spreadsheet numbers it (the first is 1)
  std::vector<std::string> values;  // the first `keep` values (see RecordScanner::next)
  size_t width = 0;                 // values up to and including the last non-empty one
  size_t problem_column = 0;        // the value a failed scan stopped in (0-based)
};

// How reading a record ended. QuotedValueTooLong: a quoted value over several lines
// passed the limit, which usually means a quote left open.
enum class Scan { Record, UnclosedQuote, ValueTooLong, QuotedValueTooLong };

// Hands out the records of a CSV text one at a time.
class RecordScanner {
 public:
  RecordScanner(std::string_view text, char delimiter, size_t max_field)
      : text_(text), delimiter_(delimiter), max_field_(max_field) {}

  bool at_end() const { return at_ >= text_.size(); }

  // Reads the next record, keeping its first `keep` values (the rest are only counted,
  // so that a runaway row costs no memory).
  Scan next(Record& record, size_t keep) {
    record.line = row_;
    record.values.clear();
    record.width = 0;
    std::string value;
    for (size_t index = 0;; ++index) {
      value.clear();
      Scan scan = read_value(value);
      if (scan != Scan::Record) {
        record.problem_column = index;
        return scan;
      }
      if (!value.empty()) record.width = index + 1;
      if (index < keep) record.values.push_back(std::move(value));
      if (at_end()) return Scan::Record;
      if (text_[at_] == delimiter_) {
        ++at_;
        continue;
      }
      at_ += text_[at_] == '\r' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n' ? 2 : 1;  // the line break
      ++row_;
      return Scan::Record;
    }
  }

 private:
  // One value, up to (not including) the delimiter or line break after it.
  Scan read_value(std::string& value) {
    bool quoted = at_ < text_.size() && text_[at_] == '"';
    if (quoted) {
      Scan scan = read_quoted(value);
      if (scan != Scan::Record) return scan;
    }
    // Unquoted text, or text after a closing quote (`"a"b` reads as `ab`, as spreadsheets do).
    size_t end = at_;
    while (end < text_.size() && text_[end] != delimiter_ && text_[end] != '\r' && text_[end] != '\n') ++end;
    if (value.size() + (end - at_) > max_field_) return Scan::ValueTooLong;
    value.append(text_.substr(at_, end - at_));
    at_ = end;
    return Scan::Record;
  }

  // A quoted value: "" is a quote, and line breaks are part of the value.
  Scan read_quoted(std::string& value) {
    ++at_;  // the opening quote
    for (;;) {
      size_t quote = text_.find('"', at_);
      if (quote == std::string_view::npos) return Scan::UnclosedQuote;
      std::string_view piece = text_.substr(at_, quote - at_);
      if (value.size() + piece.size() > max_field_) {  // over several lines, likely a stray quote
        bool lines = value.find_first_of("\r\n") != std::string::npos ||
                     piece.substr(0, max_field_).find_first_of("\r\n") != std::string_view::npos;
        return lines ? Scan::QuotedValueTooLong : Scan::ValueTooLong;
      }
      value.append(piece);
      at_ = quote + 1;
      if (at_ < text_.size() && text_[at_] == '"') {
        value += '"';
        ++at_;
        continue;
      }
      return Scan::Record;
    }
  }

  std::string_view text_;
  char delimiter_;
  size_t max_field_;
  size_t at_ = 0;
  size_t row_ = 1;  // the row a spreadsheet shows (Excel hides a sep= line: the header is row 1)
};

// Whether a value starting with `first` runs as a formula when a spreadsheet opens it.
bool runs_as_formula(char first) {
  return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
}

// Whether a value is ' (one or more) before what would run as a formula: '=x, ''=x.
bool quoted_formula(std::string_view value) {
  size_t quotes = value.find_first_not_of('\'');
  return quotes != 0 && quotes != std::string_view::npos && runs_as_formula(value[quotes]);
}

// A value the export neutralised ('=SUM(1)) read as it was (=SUM(1)): what write_csv
// writes, read_csv reads back the same.
void unneutralise_formula(std::string& value) {
  if (quoted_formula(value)) value.erase(0, 1);
}

Result<Table> failure(std::string code, std::string message) {
  return Result<Table>::failure(std::move(code), std::move(message));
}

// Where a value is: `Client.csv row 12, column "Notes"`, or by number before the header is known.
std::string place(const Table& table, size_t line, size_t column) {
  std::string out = table.name + " row " + std::to_string(line);
  if (column < table.columns.size()) return out + ", column " + quoted_name(table.columns[column]);
  return out + ", column " + std::to_string(column + 1) + " (" + column_letters(column) + ")";
}

// The error for a scan that stopped, in the words of the place it stopped.
Result<Table> scan_failure(Scan scan, const Table& table, const Record& record, const ReadLimits& limits) {
  std::string where = place(table, record.line, record.problem_column);
  if (scan == Scan::UnclosedQuote) return failure("structure", where + ": a quoted value is never closed");
  std::string message = where + ": a value is longer than the limit of " + size_in_words(limits.max_field);
  if (scan == Scan::QuotedValueTooLong) message += " (is a quote left open?)";
  return failure("too-costly", message);
}

// The header: the first record with any value. Trailing columns without a name are
// dropped (spreadsheets export them for formatted but empty cells); any other column
// must have a name, and no name may be used twice.
Result<Table> read_header(RecordScanner& scanner, Table table, const ReadLimits& limits) {
  Record record;
  while (!scanner.at_end()) {
    Scan scan = scanner.next(record, limits.max_columns + 1);
    if (scan != Scan::Record) return scan_failure(scan, table, record, limits);
    if (record.width > 0) break;
  }
  if (record.width == 0) return failure("invalid", table.name + " has no header row: the file is empty");
  if (record.width > limits.max_columns)
    return failure("too-costly", table.name + " row " + std::to_string(record.line) + ": the header names more than " +
                                     std::to_string(limits.max_columns) + " columns, the limit");
  for (size_t i = 0; i < record.width; ++i) table.columns.emplace_back(trim(record.values[i]));
  if (auto problem = find_header_problem(table.columns)) {
    auto column = [](size_t i) { return "column " + std::to_string(i + 1) + " (" + column_letters(i) + ")"; };
    std::string where = table.name + " row " + std::to_string(record.line) + ": ";
    if (!problem->first) return failure("invalid", where + column(problem->column) + " of the header has no name");
    return failure("invalid", where + "the header names " + quoted_name(table.columns[problem->column]) +
                                  " twice, in " + column(*problem->first) + " and " + column(problem->column));
  }
  return table;
}

// The rows after the header: short ones padded with "", empty ones left out.
Result<Table> read_rows(RecordScanner& scanner, Table table, const ReadLimits& limits) {
  const size_t width = table.columns.size();
  Record record;
  while (!scanner.at_end()) {
    Scan scan = scanner.next(record, width);
    if ((scan == Scan::UnclosedQuote || scan == Scan::QuotedValueTooLong) && !table.rows.empty()) {
      // A quote left open runs to the end of the file: the rows before it stand, this row and
      // the rest are not read, and the report says so at this row.
      std::string column = record.problem_column < width ? quoted_name(table.columns[record.problem_column])
                                                         : std::to_string(record.problem_column + 1);
      table.rows.push_back(Table::Row{record.line, std::vector<std::string>(width),
                                      "a quoted value in column " + column + " is never closed, so this row and every row "
                                      "after it in the file were not read: close the quote and send the file again"});
      return table;
    }
    if (scan != Scan::Record) return scan_failure(scan, table, record, limits);
    if (record.width == 0) continue;
    auto row = [&] { return table.name + " row " + std::to_string(record.line); };
    if (table.rows.size() >= limits.max_rows)
      return failure("too-costly", row() + ": more than " + std::to_string(limits.max_rows) +
                                       " rows, the limit for one file: send it in parts");
    std::string problem;
    if (record.width > width)  // this row is misread, not the file: it alone is rejected
      problem = "the row has " + std::to_string(record.width) + " values but the header names " + std::to_string(width) +
                (width == 1 ? " column" : " columns") + " (is a value with a comma not in quotes?)";
    record.values.resize(width);
    for (std::string& value : record.values) unneutralise_formula(value);
    table.rows.push_back(Table::Row{record.line, std::move(record.values), std::move(problem)});
  }
  return table;
}

// A sign followed by a number as people write one: digits, spaces, dots, dashes and
// parentheses, with at least one digit (-5, +1.5, +1 (555) 010-0100).
bool plain_number(std::string_view rest) {
  bool digit = false;
  for (char c : rest) {
    if (c >= '0' && c <= '9') digit = true;
    else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') return false;
  }
  return digit;
}

// Whether a value must be quoted: it holds a quote, a line break or a delimiter any
// reader might take (so the header's delimiter is found again), or space at its ends.
bool needs_quotes(std::string_view value) {
  if (value.empty()) return false;
  if (value.front() == ' ' || value.back() == ' ') return true;
  return value.find_first_of(",;\t\"\r\n") != std::string_view::npos;
}

void append_value(std::string& out, std::string_view raw) {
  std::string value = neutralise_formula(raw);
  if (!needs_quotes(value)) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_line(std::string& out, const std::vector<std::string>& values, size_t width) {
  for (size_t i = 0; i < std::max(width, values.size()); ++i) {
    if (i > 0) out += ',';
    if (i < values.size()) append_value(out, values[i]);
  }
  out += "\r\n";
}

}  // namespace

Result<Table> read_csv(std::string_view bytes, std::string name, const ReadLimits& limits) {
  if (bytes.size() > limits.max_bytes)
    return failure("too-costly", name + " is larger than the limit of " + size_in_words(limits.max_bytes));
  std::string decoded;
  // Excel's "Unicode Text" is UTF-16 with its byte order mark (and tabs between the values).
  bool utf16 = bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF");
  if (utf16 && !engine::append_utf16(decoded, bytes))
    return failure("invalid", name + " starts as UTF-16 text (Excel's \"Unicode Text\") but does not read as it; save it as \"CSV UTF-8\"");
  std::string_view text = utf16 ? std::string_view(decoded) : as_utf8(bytes, decoded);
  if (text.find('\0') != std::string_view::npos)
    return failure("invalid", name + " is not a text file (it holds NUL bytes); save the sheet as CSV");
  char hint = delimiter_hint(text);
  RecordScanner scanner(text, hint ? hint : detect_delimiter(text), limits.max_field);
  Table table;
  table.name = std::move(name);
  table.source = Table::Source::Csv;
  auto with_header = read_header(scanner, std::move(table), limits);
  if (!with_header) return with_header;
  return read_rows(scanner, std::move(with_header).value(), limits);
}

std::string neutralise_formula(std::string_view value) {
  if (value.empty()) return {};
  char first = value.front();
  bool runs = runs_as_formula(first);
  bool number = (first == '+' || first == '-') && plain_number(value.substr(1));
  // A value that looks neutralised already ('=x) gets another ', so it reads back as itself.
  bool quoted = quoted_formula(value);
  if ((!runs || number) && !quoted) return std::string(value);
  return "'" + std::string(value);
}

std::string write_csv(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  append_line(out, columns, columns.size());
  for (const auto& row : rows) append_line(out, row, columns.size());
  return out;
}

}  // namespace carebridge::mappings::csv
