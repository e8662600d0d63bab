// The state of one Mapper::map call (mapper.cpp builds the resources row by row;
// bundle.cpp gathers them into the transaction Bundle): what was built, from which rows,
// and what the rows refer to. Internal to the agency mapper.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "mappings/agency/compiled.h"
#include "mappings/agency/lookup.h"
#include "mappings/agency/mapper.h"
#include "mappings/agency/row_rules.h"
#include "mappings/agency/template.h"
#include "mappings/agency/unresolved.h"
#include "mappings/agency/values.h"

namespace carebridge::mappings::agency::building {

using engine::Node;

// A reference to a resource of the export by its identity, made before every row is read:
// kPending KEY kPendingEnd CONDITIONAL-REFERENCE, made the resource's fullUrl when the
// Bundle is written (if the export built it) or the conditional reference (if not).
inline constexpr char kPending[] = {kPendingStart, '\0'};

// One resource being built, from one or more rows.
struct Built {
  std::string type, full_url, request_url;
  std::string local_url;  // how the row's other resources refer to it: its fullUrl, or Type/id when it has one
  std::string if_match;   // a merged record: the version it was read at (W/"3")
  bool pending = false;   // holds references by identity (only these are walked to resolve them)
  const CompiledResource* maker = nullptr;  // the spec that built it last
  bool mixed = false;                       // more than one spec built it
  bool extended = false;                    // starts from its stored record ("update": "extend")
  std::set<std::string> decided;  // paths a spec with a `when` set: a constant of one without leaves them
  Node resource;
  std::vector<RowRef> rows;
};

// A record a row changes, as stored.
struct StoredRecord {
  Node resource;
  std::string version;
};

// One row as read: its values by the spec's columns.
struct Row {
  const csv::Table& table;
  size_t index;
  const CompiledTable& compiled;
  const TableSpec& spec;
  const std::vector<size_t>& input_column;  // per spec column: its index in the input, or kAbsent
  std::vector<ReadValue> values;            // per spec column
  std::map<std::string, std::string> local_urls;  // the spec's resource id → its fullUrl, for this row
  std::vector<RowProblem> problems;         // why the row cannot be taken (said unless it is skipped)
  // Stored records standing for rows the export does not send (Lookup::stored_type), by key
  // ("Type|system|value"), with what the lookup lets them do.
  struct StandIn {
    const StoredRecord* record = nullptr;
    bool labels = false;   // the row carries the record's labels
    bool extends = false;  // a resource of the row with its identity starts from it
  };
  std::map<std::string, StandIn> stand_ins;

  size_t column_of(std::string_view key) const { return column_index(spec, key); }
  std::string raw(size_t c) const {
    size_t at = c == kAbsent ? kAbsent : input_column[c];
    return at == kAbsent || at >= table.rows[index].values.size() ? std::string() : table.rows[index].values[at];
  }
  std::string where(size_t c) const {
    return input_column[c] == kAbsent ? table.name : table.locate(index, input_column[c]);
  }
  RowRef ref() const { return {table.name, table.rows[index].line}; }
};

// The state of one map() call.
class Builder {
 public:
  // `agency` stands for {agency} in the spec's identifier systems.
  // With `trace`, every value remembers its cell and the Bundle's FHIRPaths are mapped to
  // them (MappedExport::sources): only wanted when something must be traced to its source.
  // `part`: the rows to map, and those mapped only for the records they make (null: all rows).
  Builder(const Spec& spec, const std::vector<csv::Table>& tables, const std::string& agency, bool trace,
          const Records* records, MappedExport& out, const Part* part = nullptr)
      : spec_(spec), out_(out), lookups_(spec, tables), trace_(trace), agency_(agency), records_(records), part_(part) {
    for (auto [name, url] : spec.systems) {
      for (size_t at = url.find("{agency}"); at != std::string::npos; at = url.find("{agency}", at + agency.size()))
        url.replace(at, 8, agency);
      systems_[name] = url;
    }
  }

  void map_table(const CompiledTable& compiled, const csv::Table& table, const std::set<RowRef>& excluded);
  // Gathers what was built into the transaction Bundle (MappedExport::tree).
  void make_bundle();
  // Makes each reference to a resource of the export its fullUrl, or the conditional reference.
  void resolve_pending(Node& node) const;
  // An extended record's list items that name the same record twice: once as stored
  // ("Patient/7") and once as this upload's entry for it (its fullUrl).
  void drop_repeated_items(Node& node, const std::map<std::string, size_t>& by_full_url);
  std::string stored_reference(const std::string& reference, const std::map<std::string, size_t>& by_full_url);

 private:
  std::optional<TableSpec> spec_as_written(const TableSpec& spec, const csv::Table& table,
                                           const std::vector<size_t>& input_column);
  std::optional<std::vector<size_t>> bind_columns(const TableSpec& spec, const csv::Table& table);
  bool read_row(Row& row);
  std::string required_problem(const Column& column, const Row& row);
  std::string untaken_problem(const Column& column, const Row& row);
  std::string found_row(const Lookup& lookup, const std::string& by, const LookupIndex::RowAt& at) const;
  bool taken(const std::vector<LookupIndex::RowAt>& rows) const;
  std::string differing(const Row& row, size_t c) const;
  const StoredRecord* record_of(const CompiledResource& compiled, const Row& row);
  const StoredRecord* stored_record(const std::string& conditional_reference);
  const StoredRecord* stands_in(const Column& column, Row& row);
  ReadValue stored_value(const Stored& stored, const Row& row);
  bool admits(const Row& row);
  bool admits_transition(const CompiledResource& compiled, const Row& row, const StoredRecord& record);
  bool admits_stored(const CompiledResource& compiled, const Row& row);
  bool expects_stored(const CompiledResource& compiled, const Row& row) const;
  bool checked(const Row& row, RowCheck::Then then);
  bool unique(DuplicateRows& duplicates, const Row& row);
  bool known(const Row& row);
  void withhold(const CompiledTable& compiled, const Row& row);
  void note_deleted(const CompiledTable& compiled, const Row& row);
  void note_trimmed_items(const CompiledResource& compiled, const Row& row);
  void note_withdrawn(const CompiledResource& compiled, const Row& row);
  void note_moved_items(const std::map<std::string, size_t>& by_full_url);
  void trim_moved(const Node& entry, const std::string& url, const std::string& id, size_t here);
  void note_dependents(const TableSpec::Deletes& deletes, const std::string& of, const std::string& record,
                       const Node& deleted, const RowRef& row);
  bool search_all(const std::string& query, std::vector<Node>& entries) const;
  bool note_deletion(const std::string& key, const std::string& type, std::string_view id, const RowRef& row);
  void add_trims();
  void add_deletions(Node& entries);
  void note_dangling();
  std::string where_of(const CompiledValue& value, const Row& row) const;
  bool meets(const Condition& condition, const Row& row) const;
  std::string expand(const std::vector<TemplatePart>& parts, const Row& row, std::string* source) const;
  Node value_node(const CompiledValue& value, const Row& row) const;
  void build(const CompiledResource& compiled, Row& row);
  Built& resource_for(const CompiledResource& compiled, const std::string& identity, const Row& row);
  std::string key_of(const CompiledResource& compiled, const std::string& identity) const;
  void add_labels(const ResourceSpec& spec, const Row& row, Built& built) const;

  std::string system(const std::string& name) const {
    auto it = systems_.find(name);
    return it == systems_.end() ? std::string() : it->second;
  }

  const Spec& spec_;
  MappedExport& out_;
  LookupIndex lookups_;
  bool trace_;
  std::string agency_;
  std::map<std::string, std::string> systems_;  // the spec's, for this agency
  std::deque<Built> built_;  // grows without moving what was built (a Bundle has thousands)
  std::unordered_map<std::string, engine::Path> identifier_paths_;  // a system → "identifier[system=S].value"
  std::unordered_map<std::string, size_t> by_key_;  // "Type|system|value" → index in built_
  const Records* records_;
  // "Type/id" or a conditional reference → as stored, or not there
  std::unordered_map<std::string, std::optional<StoredRecord>> stored_;
  // The records rows not taken would have made ("Type|system|value" → the row), and the
  // references rows made to them: such a reference would match nothing when stored.
  std::unordered_map<std::string, RowRef> withheld_;
  // The stored records deleted rows delete: "Type|system|value" → "Type/id" and the row.
  std::map<std::string, std::pair<std::string, RowRef>> deleted_;
  std::map<std::string, size_t> kept_deleted_;  // such records the sender may not delete, by type
  // Stored records that stay without the list items naming records deleted rows delete
  // (TableSpec::Dependent "then": "trim"), or those a deleted row's "extend" resource adds:
  // "Type|system|value" → the record ("Type/id"), as stored, the deleted records
  // ("Patient/7"), the row, and the items' element ids.
  struct Trim {
    std::string record;
    StoredRecord stored;
    std::set<std::string> gone;
    RowRef row;
    std::set<std::string> gone_items;  // list items' element ids (a deleted enrollment's membership)
  };
  std::map<std::string, Trim> trims_;
  Trim& trim_of(const std::string& key, const Node& resource, const RowRef& row);
  mutable std::vector<std::pair<std::string, RowRef>> to_withheld_;  // key, the row that refers
  // Every reference by identity, judged once every row is read (unresolved.h).
  mutable UnresolvedReferences unresolved_;
  const ResourceSpec* building_ = nullptr;  // the resource whose values are being set
  const Part* part_;
  // Whether a row is mapped (in the part, or read for its records), and only read so.
  bool in_part(const RowRef& row) const;
  bool context(const RowRef& row) const;
  // Whether only context rows built it: named by identity, not written (an earlier part was).
  bool only_context(const Built& built) const;
};

}  // namespace carebridge::mappings::agency::building
