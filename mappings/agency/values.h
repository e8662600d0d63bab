// A column's text read as its type, the way agency spreadsheets write it: dates as
// 2024-01-05, 1/5/2024, 1/5/24 or Excel's day numbers; yes/no answers; phone numbers with
// any punctuation; ZIP codes Excel stripped of their leading zero. What cannot be read
// gets a reason in plain words ("13/45/2020" is not a date).
#pragma once

#include <string>
#include <string_view>

#include "mappings/agency/spec.h"

namespace carebridge::mappings::agency {

struct ReadValue {
  bool ok = true;
  std::string value;   // normalised ("" when absent)
  std::string code;    // Code columns: the target code (value keeps it too)
  std::string problem; // why not ok, in plain words, without the value's column
};

// `raw` (trimmed) read as `column` says. A value the column lists as missing ("8", "99")
// reads as absent.
ReadValue read_value(const Column& column, std::string_view raw);

}  // namespace carebridge::mappings::agency
