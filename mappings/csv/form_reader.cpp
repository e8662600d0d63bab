// Form submissions (JSON) as tables: one object of field → value is one row, an array of
// them several; the fields, in the order first seen, are the columns. Values are kept as
// text (numbers as written, true/false, null as ""). And read_tables, which tells a
// workbook, a form and a CSV file apart by their first bytes.
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <unordered_map>

#include "mappings/csv/columns.h"
#include "mappings/csv/table.h"
#include "mappings/csv/xlsx_workbook.h"

namespace carebridge::mappings::csv {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Builds the table from the JSON parser's events. A form is an object one level down
// from the top (or the top itself); anything deeper is refused, so nesting costs nothing.
class FormHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FormHandler> {
 public:
  FormHandler(Table& table, const ReadLimits& limits) : table_(table), limits_(limits) {}

  bool Null() { return value(""); }
  bool Bool(bool b) { return value(b ? "true" : "false"); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) { return value({text, length}); }
  bool String(const char* text, rapidjson::SizeType length, bool) { return value({text, length}); }
  bool Key(const char* text, rapidjson::SizeType length, bool) { return key({text, length}); }

  bool StartObject() {
    if (in_form_) return fail("invalid", here() + ": the value is an object; a form's values are text, numbers, true, false or null");
    if (depth_ == 0 || (list_ && depth_ == 1)) begin_form(++forms_);
    else return not_a_form();
    ++depth_;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return finish_form();
  }
  bool StartArray() {
    if (in_form_) return fail("invalid", here() + ": the value is a list; a form's values are text, numbers, true, false or null");
    if (depth_ != 0) return not_a_form();
    list_ = true;
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }

  const std::string& code() const { return code_; }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string code, std::string message) {
    code_ = std::move(code);
    error_ = std::move(message);
    return false;
  }
  // Where the parser is: the form (numbered in a list), and the field whose value comes next.
  size_t shown_number() const { return list_ ? number_ : 0; }
  std::string here() const {
    return form_place(table_.name, shown_number(), has_field_ ? &table_.columns[field_] : nullptr);
  }

  bool not_a_form() {
    if (!list_) return fail("invalid", table_.name + ": a form is a JSON object of fields, or a list of them");
    return fail("invalid", form_place(table_.name, forms_ + 1, nullptr) + " is not an object of fields");
  }

  void begin_form(size_t number) {
    in_form_ = true;
    number_ = number;
    has_field_ = false;
    values_.assign(table_.columns.size(), std::string());
    given_.assign(table_.columns.size(), false);
  }

  bool key(std::string_view raw) {
    std::string_view name = trim(raw);
    has_field_ = false;
    if (name.empty()) return fail("invalid", here() + ": a field has no name");
    auto [at, fresh] = index_.emplace(lower(name), table_.columns.size());
    if (fresh) {
      if (table_.columns.size() >= limits_.max_columns)
        return fail("too-costly", here() + ": more than " + std::to_string(limits_.max_columns) + " fields, the limit");
      table_.columns.emplace_back(name);
      values_.emplace_back();
      given_.push_back(false);
    }
    field_ = at->second;
    has_field_ = true;
    if (given_[field_]) {  // named as this form writes it
      std::string written(name);
      return fail("invalid", form_place(table_.name, shown_number(), &written) + ": the field is given twice");
    }
    return true;
  }

  bool value(std::string_view text) {
    if (!in_form_) return not_a_form();
    if (text.size() > limits_.max_field)
      return fail("too-costly", here() + ": a value is longer than the limit of " + size_in_words(limits_.max_field));
    values_[field_].assign(text);
    given_[field_] = true;
    return true;
  }

  // A form with any value becomes a row; the row's line is its number in the list (1 for
  // a single form: line 0 stands for a whole file where rows are referred to).
  bool finish_form() {
    in_form_ = false;
    has_field_ = false;
    bool empty = true;
    for (const auto& v : values_) empty = empty && v.empty();
    if (empty) return true;
    if (table_.rows.size() >= limits_.max_rows)
      return fail("too-costly", table_.name + ": more than " + std::to_string(limits_.max_rows) + " forms, the limit");
    table_.rows.push_back(Table::Row{number_, std::move(values_), {}});
    return true;
  }

  Table& table_;
  const ReadLimits& limits_;
  std::unordered_map<std::string, size_t> index_;  // lower-case field name → column
  std::vector<std::string> values_;                // the form being read, by column
  std::vector<bool> given_;                        // which of its fields it gave
  size_t depth_ = 0, forms_ = 0, number_ = 0, field_ = 0;
  bool list_ = false, in_form_ = false, has_field_ = false;
  std::string code_, error_;
};

}  // namespace

Result<Table> read_form(std::string_view json, std::string name, const ReadLimits& limits) {
  if (json.size() > limits.max_bytes)
    return Result<Table>::failure("too-costly", name + " is larger than the limit of " + size_in_words(limits.max_bytes));
  if (json.find('\0') != std::string_view::npos)
    return Result<Table>::failure("invalid", name + " is not a text file (it holds NUL bytes)");
  if (json.starts_with(kUtf8Bom)) json.remove_prefix(kUtf8Bom.size());
  Table table;
  table.name = std::move(name);
  table.source = Table::Source::Form;
  FormHandler handler(table, limits);
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult parsed = reader.Parse<kFlags>(stream, handler);
  if (!handler.error().empty()) return Result<Table>::failure(handler.code(), handler.error());
  if (parsed.IsError())
    return Result<Table>::failure("structure", table.name + " is not valid JSON (at byte " + std::to_string(parsed.Offset()) +
                                                   ": " + rapidjson::GetParseError_En(parsed.Code()) + ")");
  for (auto& row : table.rows) row.values.resize(table.columns.size());  // fields later forms added
  return table;
}

namespace {

// The CSV files of a zip (an HMIS export is sent zipped), each a table named by its file
// name; none when the zip holds none (a workbook, say).
Result<std::vector<Table>> read_zipped_csv(std::string_view bytes, const std::string& name, const ReadLimits& limits) {
  using R = Result<std::vector<Table>>;
  auto is_csv = [](std::string_view entry) {
    std::string lower(entry);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.ends_with(".csv") && !lower.starts_with("__macosx/");
  };
  auto entries = unzip_entries(bytes, limits, is_csv, false);
  if (!entries) return R::failure(entries.issues().front().code, name + ": " + entries.message());
  std::vector<Table> tables;
  for (auto& [path, text] : *entries) {
    auto table = read_csv(text, path.substr(path.rfind('/') + 1), limits);
    if (!table) return R(table.issues());
    tables.push_back(std::move(table).value());
  }
  return tables;
}

}  // namespace

Result<std::vector<Table>> read_tables(std::string_view bytes, std::string name, const ReadLimits& limits) {
  using R = Result<std::vector<Table>>;
  auto one = [](Result<Table> table) -> R {
    if (!table) return R(table.issues());
    return std::vector<Table>{std::move(table).value()};
  };
  if (bytes.starts_with("PK\x03\x04")) {
    auto csvs = read_zipped_csv(bytes, name, limits);  // an export's CSV files, zipped together
    if (!csvs || !csvs->empty()) return csvs;
    auto sheets = read_xlsx(bytes, limits);
    if (!sheets) return R::failure(sheets.issues().front().code, name + ": " + sheets.message());
    return sheets;
  }
  if (bytes.starts_with("\xD0\xCF\x11\xE0"))
    return R::failure("invalid", name + " is an Excel 97-2003 workbook (.xls) or one with a password; "
                                        "save it as .xlsx without a password, or as CSV");
  std::string_view text = bytes.starts_with(kUtf8Bom) ? bytes.substr(kUtf8Bom.size()) : bytes;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '['))
    return one(read_form(bytes, std::move(name), limits));
  return one(read_csv(bytes, std::move(name), limits));
}

}  // namespace carebridge::mappings::csv
