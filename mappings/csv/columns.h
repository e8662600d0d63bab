// Column names and places, shared by the CSV, spreadsheet and form readers and by
// Table::locate: trimming and comparing names, spreadsheet column letters and cell
// references, the header checks; and two small pieces of text the readers share (UTF-8
// encoding, sizes in words for limit errors). Private to mappings/csv.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/engine/text_encoding.h"

namespace carebridge::mappings::csv {

// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);
// Whether two column names are the same, ignoring ASCII case and the spaces and underscores
// between words ("Entry Date", ENTRY_DATE and EntryDate are one).
bool same_name(std::string_view a, std::string_view b);
// A column name for an error: in quotes, cut at 60 bytes (on a character boundary).
std::string quoted_name(std::string_view name);

// The spreadsheet letters of a 0-based column: 0 → "A", 27 → "AB".
std::string column_letters(size_t column);
// A cell as a spreadsheet names it: `Client!C14`, `'Food bank'!A2` (a 0-based column,
// the sheet's own 1-based row number).
std::string cell_reference(std::string_view sheet, size_t column, size_t row);

// A form field as a volunteer would find it: `form field "DOB"` for the only form (number
// 0: not shown), `form 2, field "DOB"` in a list; without the field when it is not given; after
// `name: ` when the forms came in a file of another name.
std::string form_place(std::string_view name, size_t number, const std::string* field);

// What is wrong with a header (trimmed names): a column without a name, or a name
// (ignoring case) used twice — then `first` is the earlier column with that name.
struct HeaderProblem {
  size_t column = 0;
  std::optional<size_t> first;
};
std::optional<HeaderProblem> find_header_problem(const std::vector<std::string>& names);

using engine::append_utf8;  // a code point as UTF-8 (mappings/engine/text_encoding.h)

// A limit in words: "1 MB", "64 KB", "1000 bytes".
std::string size_in_words(uint64_t bytes);

}  // namespace carebridge::mappings::csv
