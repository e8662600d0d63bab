// Lookup columns: a value a row does not hold but another table of the same export does —
// an Enrollment's project's organization, a Service's enrollment's project. The spec
// names the other table, its key column and the column to take; when the spec is read,
// the names are resolved and checked (no lookup may lead back to itself), and when an
// export is mapped, each looked-up table is indexed once by its key.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mappings/agency/spec.h"
#include "mappings/agency/values.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::agency {

// Resolves every lookup column's table and columns to indexes and gives it the type and
// codes of the column it takes its value from; each mistake becomes an issue with its line.
void resolve_lookups(Spec& spec, std::vector<Issue>& issues);

// Per table of `spec`: whether any of `tables` (the upload's files) is one of its files.
std::vector<bool> tables_sent(const Spec& spec, const std::vector<csv::Table>& tables);
// The warnings for the tables no file of the upload is, when the spec says what that means
// (TableSpec::unsent: HMIS's Export.csv), one per table.
std::vector<std::string> unsent_warnings(const Spec& spec, const std::vector<csv::Table>& tables);

// The looked-up tables of one export, indexed by their key columns on first use.
class LookupIndex {
 public:
  // `spec` and `tables` outlive the index.
  LookupIndex(const Spec& spec, const std::vector<csv::Table>& tables) : spec_(spec), tables_(tables) {}

  // The value a lookup column takes in a row whose `by` column reads `by_value`: the value
  // of the matching row (the lookup's `absent` value, "" unless the spec says, when none does).
  // A lookup of the whole table takes the value of every row, whatever `by_value`.
  ReadValue find(const Lookup& lookup, const std::string& by_value);
  // A row of a looked-up table: its file, its index there, and whether a later version of
  // its record supersedes it.
  struct RowAt {
    const csv::Table* table;
    size_t row;
    bool older;
  };
  // The rows whose key column holds `by_value`, older versions left out (none for a lookup
  // of the whole table): to tell whether the row found was taken, and say which it was.
  std::vector<RowAt> rows(const Lookup& lookup, const std::string& by_value);
  // The distinct keys the looked-up table's rows have, at most `at_most` of them, in order: to
  // say what the export has where a row names a key it lacks.
  std::vector<std::string> keys(const Lookup& lookup, size_t at_most);
  // The input's rows a later version of their record supersedes (versions.h), read once for
  // the lookups and the mapping both.
  const std::vector<bool>& superseded(const TableSpec& spec, const csv::Table& input);
  // Whether any file of the upload is one of this table's (Spec::tables' index).
  bool sent(size_t table);

 private:
  using Index = std::unordered_map<std::string, ReadValue>;
  // A column's values in every row of the table's files, in order.
  const std::vector<ReadValue>& column_values(size_t table, size_t column);
  const Index& index(const Lookup& lookup);
  // The rows of the table's files, in order.
  const std::vector<RowAt>& table_rows(size_t table);
  // Whether each of those rows is one the table's `skip` skips (a deleted record).
  const std::vector<bool>& skipped_rows(size_t table);

  const Spec& spec_;
  const std::vector<csv::Table>& tables_;
  std::map<std::pair<size_t, size_t>, std::vector<ReadValue>> columns_;
  std::map<const Lookup*, Index> indexes_;
  std::map<const csv::Table*, std::vector<bool>> older_;
  std::map<size_t, std::vector<RowAt>> rows_;
  std::map<size_t, std::vector<bool>> skipped_;
  std::vector<bool> sent_;
  std::map<std::pair<size_t, size_t>, std::unordered_map<std::string, std::vector<size_t>>> positions_;  // key → rows
};

}  // namespace carebridge::mappings::agency
