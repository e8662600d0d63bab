// Why a row is not taken, in the words the upload's report gives: a column that must equal
// another does not, a required value is missing or its lookup found no row, or the row a
// lookup found was itself not taken (the Builder's, see builder.h).
#include <algorithm>

#include "mappings/agency/builder.h"
#include "mappings/agency/lookup.h"

namespace carebridge::mappings::agency::building {

// Why a column's value is not the one it must be the same as ("sameAs": an exit's client
// and its enrollment's), "" when it is or either is empty.
std::string Builder::differing(const Row& row, size_t c) const {
  const Column& column = row.spec.columns[c];
  size_t other = column.same_as.empty() ? kAbsent : row.column_of(column.same_as);
  if (other == kAbsent) return {};
  const std::string &mine = row.values[c].value, &theirs = row.values[other].value;
  if (mine.empty() || theirs.empty() || mine == theirs) return {};
  return "\"" + column.name + "\" is \"" + mine + "\", but the row's " + row.spec.columns[other].name + " is \"" + theirs + "\"";
}

// Why a required column is empty: a required lookup found no row (an exit whose enrollment
// is not in the export), or only a row not taken or without the value; or the cell is empty.
std::string Builder::required_problem(const Column& column, const Row& row) {
  if (!column.lookup) return "\"" + column.name + "\" is required and is empty";
  const Lookup& l = *column.lookup;
  const TableSpec& table = spec_.tables[l.table_index];
  if (l.whole_table()) return "\"" + column.name + "\" is required: no " + table.name + " row gives it";
  std::string by = row.values[l.by_index].value;
  if (by.empty()) return "\"" + column.name + "\" is required, and the value to find it by is empty";
  auto found = lookups_.rows(l, by);
  if (found.empty()) {
    // What the export has instead: one Export row's ExportID, a few projects' IDs.
    std::vector<std::string> keys = lookups_.keys(l, 4);
    std::string has;
    for (size_t i = 0; i < keys.size() && i < 3; ++i) has += (i ? ", \"" : "\"") + keys[i] + "\"";
    if (keys.size() > 3) has += ", ...";
    return "\"" + column.name + "\" is required: no " + table.name + " row has " + table.columns[l.key_index].name + " \"" + by +
           "\"" + (has.empty() ? std::string(" (the export has none)") : " (the export's: " + has + ")");
  }
  return "\"" + column.name + "\" is required: " + found_row(l, by, found.front()) +
         (taken(found) ? " does not give it" : " was not taken (see that row's reason)");
}

// "the Enrollment row with EnrollmentID "E1" (Enrollment.csv row 3)": a row a lookup found.
std::string Builder::found_row(const Lookup& lookup, const std::string& by, const LookupIndex::RowAt& at) const {
  const TableSpec& table = spec_.tables[lookup.table_index];
  return "the " + table.name + " row with " + table.columns[lookup.key_index].name + " \"" + by + "\" (" + at.table->name +
         " row " + std::to_string(at.table->rows[at.row].line) + ")";
}

// Whether any of the rows was taken by this map (their table was mapped before).
bool Builder::taken(const std::vector<LookupIndex::RowAt>& rows) const {
  return std::any_of(rows.begin(), rows.end(), [&](const LookupIndex::RowAt& at) {
    return !out_.rejected_rows.count({at.table->name, at.table->rows[at.row].line});
  });
}

// Why a row is not taken because the row its lookup found was not ("taken": the exit of an
// enrollment refused would alone replace the stored episode); "" when it was, or none was found.
std::string Builder::untaken_problem(const Column& column, const Row& row) {
  if (!column.lookup || !column.lookup->taken) return {};
  const Lookup& l = *column.lookup;
  const std::string& by = row.values[l.by_index].value;
  auto found = lookups_.rows(l, by);
  if (found.empty() || taken(found)) return {};
  return "\"" + column.name + "\": " + found_row(l, by, found.front()) + " was not taken (see that row's reason), so neither is this one";
}

}  // namespace carebridge::mappings::agency::building
