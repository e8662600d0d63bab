// Table: finding a column by name and saying where a value is, in its source's words.
#include "mappings/csv/table.h"

#include "mappings/csv/columns.h"

namespace carebridge::mappings::csv {

size_t Table::column(std::string_view wanted) const {
  wanted = trim(wanted);
  if (wanted.empty()) return std::string_view::npos;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (same_name(columns[i], wanted)) return i;
  }
  return std::string_view::npos;
}

std::string Table::locate(size_t row_index, size_t column_index) const {
  const Row* row = row_index < rows.size() ? &rows[row_index] : nullptr;
  const std::string* column_name = column_index < columns.size() ? &columns[column_index] : nullptr;
  switch (source) {
    case Source::Sheet:  // Client!C14, column "DOB": the sheet's own row number and column letters, and its name
      if (!row) return name;
      return cell_reference(name, column_index, row->line) +
             (column_name && !column_name->empty() ? ", column " + quoted_name(*column_name) : std::string());
    case Source::Form: {  // form 2, field "DOB"; the only form (one row, line 1) needs no number
      bool only = rows.size() == 1 && rows[0].line == 1;
      return form_place(name, row && !only ? row->line : 0, column_name);
    }
    case Source::Csv:
      break;
  }
  std::string out = name;  // Client.csv row 14, column "DOB"
  if (row) out += " row " + std::to_string(row->line);
  if (column_name) out += std::string(row ? "," : "") + " column " + quoted_name(*column_name);
  return out;
}

}  // namespace carebridge::mappings::csv
