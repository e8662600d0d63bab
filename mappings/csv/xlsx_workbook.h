// An XLSX workbook opened for reading: its XML parts unzipped (libarchive, from memory)
// within the limits that stop zip bombs, its sheets in order with the part each is in,
// its shared strings, which cell styles show numbers as dates, and its date system.
// The sheets themselves are read by xlsx_reader.cpp. Private to mappings/csv.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::csv {

// The workbook's strings, stored one after the other (a workbook may hold millions).
struct SharedStrings {
  std::string text;
  std::vector<size_t> ends;  // where string i ends in `text`
  size_t size() const { return ends.size(); }
  std::string_view at(size_t i) const {
    size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
};

struct WorkbookSheet {
  std::string name;  // as the tab shows it
  std::string part;  // its XML in `Workbook::parts`
};

struct Workbook {
  std::map<std::string, std::string> parts;  // zip path, in lower case (OPC names ignore case) → XML
  std::vector<WorkbookSheet> sheets;         // worksheets in tab order (chart sheets left out)
  SharedStrings shared_strings;
  std::vector<bool> date_styles;  // by cell style (the `s` of a cell): numbers shown as dates or times
  bool date1904 = false;          // serial numbers count from 1904-01-01 (old Mac workbooks)
};

// The entries of a zip (from memory) whose names `keep` accepts, by name (lower-cased
// when `lower_case`); every entry is unzipped only to be counted against
// `limits.max_unzipped`, and more than 10,000 entries is refused (zip bombs).
Result<std::map<std::string, std::string>> unzip_entries(std::string_view bytes, const ReadLimits& limits,
                                                         const std::function<bool(std::string_view)>& keep,
                                                         bool lower_case);

// Unzips and reads the workbook's structure; fails on a zip that is not a workbook, on
// malformed or DTD-carrying XML, and past the limits (more than 10,000 parts, or more
// than `limits.max_unzipped` bytes unzipped, counted as they are read).
Result<Workbook> open_workbook(std::string_view bytes, const ReadLimits& limits);

// Text from a shared or inline string with OOXML's escapes decoded: `_x000D_` is a
// carriage return, `_x005F_` an underscore.
std::string decode_escapes(std::string_view text);

}  // namespace carebridge::mappings::csv
