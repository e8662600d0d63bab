// References by identity ("@Organization:organization:{organization_id}") to records an
// export does not make itself. Written as conditional references, the store resolves them
// when the transaction runs, and one that matches nothing fails the whole upload (a 412
// after the report said every row was taken). So each is judged before the transaction:
// to a record a row not taken would have made — its row is refused, naming that row; to a
// record stored (and visible to the sender) — kept; to nothing — its row is refused, naming
// the cell, or, where the resource says `"unresolved": "leave out"`, the reference is left
// out with a warning; mapped offline, where no store can be asked — kept, with a warning.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mappings/agency/mapper.h"
#include "mappings/agency/records.h"
#include "mappings/csv/table.h"
#include "mappings/engine/resource_tree.h"

namespace carebridge::mappings::agency {

// How the mapper writes a reference by identity until the Bundle is written:
// kPendingStart KEY kPendingEnd CONDITIONAL-REFERENCE, KEY being "Type|system|value".
inline constexpr char kPendingStart = '\x01';
inline constexpr char kPendingEnd = '\x02';

class UnresolvedReferences {
 public:
  // A row's reference to the record `key` ("Type|system|value"), `conditional` its search
  // form; `column` is the input column it was taken from (npos: none), `leave_out` what the
  // referring resource says to do when nothing has it.
  void add(const std::string& key, const std::string& conditional, const csv::Table& table, size_t row_index, size_t column,
           bool leave_out);
  // Judges each reference to a record the export did not build (`built`). `withheld`: the
  // row not taken that would have made it, or null. Rows to refuse go to out.dangling (once
  // each), warnings to out.warnings.
  void judge(const std::function<bool(const std::string&)>& built, const std::function<const RowRef*(const std::string&)>& withheld,
             const Records* records, MappedExport& out);
  // Takes out of `node` every reference to a record judged missing and left out.
  void drop_missing(engine::Node& node) const;
  bool any_missing() const { return !missing_.empty(); }

 private:
  struct Use {
    const csv::Table* table;
    size_t row_index, column;
    bool leave_out;
    RowRef row() const { return {table->name, table->rows[row_index].line}; }
    std::string where() const;
  };
  struct Target {
    std::string key, conditional;
    std::vector<Use> uses;
  };
  std::vector<Target> targets_;  // in the order rows first named them, so warnings follow the file
  std::unordered_map<std::string, size_t> index_;  // key → its target
  std::unordered_set<std::string> missing_;  // keys whose references are left out
};

}  // namespace carebridge::mappings::agency
