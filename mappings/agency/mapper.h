// An agency's files through its spec: every row read as its columns say, and turned into
// the spec's resources, which land on the right record (a conditional update on the
// agency's identifier), refer to each other (within the row, across the export's files,
// or to records already stored) and are gathered in one transaction Bundle. Rows from
// several rows with the same identity make one resource (a household from its members'
// rows). A row with a value that cannot be read is rejected, with every reason, and the
// others go on — or, when the spec says so, the whole file is rejected.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mappings/agency/records.h"
#include "mappings/agency/spec.h"
#include "mappings/csv/table.h"
#include "mappings/engine/resource_tree.h"

namespace carebridge::mappings::agency {

// A row of an input table: the table's name and the row's line.
using RowRef = std::pair<std::string, size_t>;

struct Part;  // parts.h

// Why a row (or a whole file, line 0) was not taken, in plain words.
struct RowProblem {
  RowRef row;
  std::string where;    // "intake.csv row 7, column \"DOB\"", "Client!C14"
  std::string message;  // "\"13/45/2020\" is not a date (...)"
};

struct MappedExport {
  engine::Node tree;                  // the transaction Bundle as built (an empty object when nothing was)
  std::string bundle;                 // its JSON, written by traced maps only; "" when nothing was built
  engine::SourceMap sources;          // FHIRPath in the Bundle → the cell its value came from (traced maps)
  std::map<std::string, RowRef> source_rows;  // such a cell → its row (traced maps)
  std::vector<std::vector<RowRef>> entry_rows;  // per Bundle entry: the rows it was built from
  std::vector<RowProblem> rejected;   // rows not taken, each reason
  // Rows that refer to a record a row not taken would have made: taken, they would fail the
  // upload; AgencyConverter maps again without them.
  std::vector<RowProblem> dangling;
  std::vector<std::string> warnings;  // columns the spec does not know, tables it does not read
  size_t rows = 0;                    // rows read
  size_t skipped = 0;                 // rows the spec says make nothing (deleted records)
  std::set<RowRef> rejected_rows;
  std::map<std::string, size_t> resources;  // built, by type
  std::map<std::string, size_t> deleted;    // stored records deleted rows delete (TableSpec::deletes), by type

  size_t accepted() const { return rows - skipped - rejected_rows.size(); }
  bool built() const { return !tree.children.empty(); }
};

// Counts by resource type in words, for messages: "3 Observation, 1 Patient".
std::string counts_in_words(const std::map<std::string, size_t>& by_type);

class Mapper {
 public:
  explicit Mapper(std::shared_ptr<const Spec> spec);
  ~Mapper();
  // Maps `tables` (one per file or sheet of the export), leaving out the rows in `excluded`
  // (reported as rejected already, by an earlier pass). `agency` names the organization
  // whose data it is, for the spec's identifier systems ({agency}). With `trace`, the
  // Bundle is written as JSON too, its values traced to their cells (MappedExport::sources):
  // slower, and needed only to say where a problem the validator found comes from (without,
  // the Bundle is the tree alone, read into the element model as it is). `records`: the stored
  // records that resources merged into their records change (none: such rows are rejected).
  // `part`: only its rows are mapped, the tables' other rows being other parts of an upload
  // stored in parts (parts.h), and its context rows only for the records they make, which
  // are named by identity and not written; the tables are whole for what is read of them all
  // (lookups, the order of a file's dates).
  MappedExport map(const std::vector<csv::Table>& tables, const std::set<RowRef>& excluded = {},
                   const std::string& agency = "local", bool trace = true, const Records* records = nullptr,
                   const Part* part = nullptr) const;
  const Spec& spec() const { return *spec_; }
  // The warning for a file or sheet no table of the spec names.
  std::string unread(std::string_view table) const;

 private:
  // Per table: whether it is a workbook's sheet passed over, holding none of the mapping's columns.
  std::vector<bool> sheets_without_rows(const std::vector<csv::Table>& tables) const;
  struct Compiled;
  std::shared_ptr<const Spec> spec_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace carebridge::mappings::agency
