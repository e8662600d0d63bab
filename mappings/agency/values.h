// A column's text read as its type, the way agency spreadsheets write it: dates as
// 2024-01-05, 1/5/2024, 1/5/24 or Excel's day numbers; yes/no answers; phone numbers with
// any punctuation; ZIP codes Excel stripped of their leading zero. What cannot be read
// gets a reason in plain words ("13/45/2020" is not a date).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mappings/agency/spec.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::agency {

struct ReadValue {
  bool ok = true;
  std::string value;   // normalised ("" when absent)
  std::string code;    // Code columns: the target code (value keeps it too)
  std::string problem; // why not ok, in plain words, without the value's column
  std::string system, display;  // Code columns: the target's code system and display
  std::string warning;          // read as empty, and why (a number outside the column's range)
};

// `raw` (trimmed) read as `column` says. A value the column lists as missing ("8", "99")
// reads as absent. `depends`: for a code column whose codes depend on another column, that
// column's value as written.
ReadValue read_value(const Column& column, std::string_view raw, std::string_view depends = {});

// The first date of `table` that can be read only day first (15/08/2011, in a date column
// whose `format` does not say the order, at `input_column` per spec column) when no such date
// reads only month first (8/15/2011): a sheet writes all its dates one way, so a European
// export's 09/04/1979 is the 9th of April. Empty when the dates show no order, or both.
std::string day_first_date(const std::vector<Column>& columns, const csv::Table& table,
                           const std::vector<size_t>& input_column);

// Where `column` is in `table`: under its name or one of its aliases (npos when under
// neither; always for a lookup column, which no file holds).
size_t column_in(const Column& column, const csv::Table& table);
// Per column of `columns`: where it is in `table` (column_in; npos for a column taken from a
// stored record, which no file holds either).
std::vector<size_t> input_columns(const std::vector<Column>& columns, const csv::Table& table);

}  // namespace carebridge::mappings::agency
