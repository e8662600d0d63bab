#include "mappings/agency/parts.h"

#include <numeric>
#include <string>
#include <unordered_map>

#include "mappings/agency/compiled.h"
#include "mappings/agency/template.h"
#include "mappings/agency/values.h"
#include "mappings/csv/columns.h"

namespace carebridge::mappings::agency {

namespace {

// Rows joined into groups that go in one part (union-find over the export's rows, numbered
// across its tables), through the keys they share: two rows with one key are joined.
class Groups {
 public:
  explicit Groups(size_t rows) : parent_(rows) { std::iota(parent_.begin(), parent_.end(), size_t{0}); }

  size_t group(size_t row) {
    while (parent_[row] != row) row = parent_[row] = parent_[parent_[row]];
    return row;
  }
  void link(size_t row, std::string key) {
    auto [it, added] = first_with_.try_emplace(std::move(key), row);
    if (!added) parent_[group(row)] = group(it->second);
  }

 private:
  std::vector<size_t> parent_;
  std::unordered_map<std::string, size_t> first_with_;  // key → the first row that had it
};

// A row of one of the spec's tables, its cells read as written (trimmed, lower-cased): the
// keys that link rows compare what the agency wrote, before any reading.
struct RawRow {
  const TableSpec& spec;
  size_t table;  // the table's index in the spec
  const csv::Table& input;
  const std::vector<size_t>& at;  // per spec column: its index in the input, or kAbsent
  size_t row;

  std::string cell(size_t column) const {
    if (column >= at.size() || at[column] == kAbsent) return {};
    const auto& values = input.rows[row].values;
    if (at[column] >= values.size()) return {};
    std::string text(csv::trim(values[at[column]]));
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }
  std::string cell(std::string_view key) const { return cell(column_index(spec, key)); }
};

// A template's text from the row's cells as written; "" when a column it reads is empty or
// not in the file (no record has that identity then).
std::string rendered(std::string_view text, const RawRow& row) {
  std::vector<TemplatePart> parts;
  std::string error, out;
  if (!parse_template(text, parts, error)) return {};
  for (const TemplatePart& p : parts) {
    if (p.kind == TemplatePart::Kind::Text || p.kind == TemplatePart::Kind::IdentifierSystem ||
        p.kind == TemplatePart::Kind::Agency) {
      out += p.text;
      continue;
    }
    std::string value = row.cell(p.text);
    if (value.empty()) return {};
    out += '\x1f' + value + '\x1f';
  }
  return out;
}

// The identities a value names ("@Patient:client:{PersonalID}"), in its members too.
void link_references(const ValueSpec& value, const RawRow& row, size_t number, Groups& groups) {
  ReferenceSpec reference;
  if (value.kind == ValueSpec::Kind::Reference && parse_reference(value.text, reference) && !reference.type.empty())
    if (std::string named = rendered(reference.value, row); !named.empty())
      groups.link(number, "identity|" + reference.system + "|" + named);
  for (const auto& [path, member] : value.members) link_references(member, row, number, groups);
}

// Links the row to the rows that make or name the same records, and to those its table's
// rules compare it with.
void link_row(const RawRow& row, size_t number, Groups& groups) {
  const std::string table = std::to_string(row.table) + "|";
  for (const ResourceSpec& r : row.spec.resources) {
    if (std::string identity = rendered(r.identity_value.text, row); !identity.empty())
      groups.link(number, r.identity_is_id ? "id|" + r.type + "|" + identity : "identity|" + r.identity_system + "|" + identity);
    for (const Assignment& a : r.set) link_references(a.value, row, number, groups);
  }
  for (const Duplicates& d : row.spec.duplicates)
    if (std::string key = row.cell(d.key); !key.empty()) groups.link(number, "duplicates|" + table + d.key + "|" + key);
  if (!row.spec.newest_key.empty())
    if (std::string key = row.cell(row.spec.newest_key); !key.empty()) groups.link(number, "versions|" + table + key);
  if (row.spec.one_per)
    if (std::string key = row.cell(row.spec.one_per->key); !key.empty()) groups.link(number, "one per|" + table + key);
}

// Links rows that read one another: a row with a lookup to the rows of the table it reads
// whose key holds its value (every row of that table, for a lookup of the whole table).
void link_lookups(const Spec& spec, const std::vector<RawRow>& rows, Groups& groups) {
  std::set<std::pair<size_t, size_t>> keys;  // (table, key column) some lookup reads by
  std::set<size_t> whole;                    // tables some lookup reads whole
  for (const TableSpec& t : spec.tables)
    for (const Column& c : t.columns)
      if (c.lookup) c.lookup->whole_table() ? (void)whole.insert(c.lookup->table_index)
                                            : (void)keys.insert({c.lookup->table_index, c.lookup->key_index});
  for (size_t number = 0; number < rows.size(); ++number) {
    const RawRow& row = rows[number];
    for (const Column& c : row.spec.columns) {
      if (!c.lookup) continue;
      const Lookup& l = *c.lookup;
      std::string by = l.whole_table() ? std::string() : row.cell(l.by_index);
      if (l.whole_table()) groups.link(number, "whole|" + std::to_string(l.table_index));
      else if (!by.empty()) groups.link(number, "lookup|" + std::to_string(l.table_index) + "|" + std::to_string(l.key_index) + "|" + by);
    }
    if (whole.count(row.table)) groups.link(number, "whole|" + std::to_string(row.table));
    for (const auto& [table, key] : keys)
      if (table == row.table)
        if (std::string value = row.cell(key); !value.empty())
          groups.link(number, "lookup|" + std::to_string(table) + "|" + std::to_string(key) + "|" + value);
  }
}

std::set<RowRef> every_row(const std::vector<csv::Table>& tables) {
  std::set<RowRef> all;
  for (const csv::Table& t : tables)
    for (const auto& r : t.rows) all.insert({t.name, r.line});
  return all;
}

}  // namespace

size_t records_per_row(const TableSpec& table) { return table.resources.size(); }

std::vector<std::set<RowRef>> split_into_parts(const Spec& spec, const std::vector<csv::Table>& tables, size_t max_records) {
  std::vector<std::vector<size_t>> bound;  // per input table: its columns' places
  std::vector<RawRow> rows;
  std::vector<RowRef> refs;
  size_t records = 0;
  bound.resize(tables.size());  // never moved once rows point into it
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableSpec* table = spec.table_for(tables[i].name);
    if (!table) continue;  // not mapped: no records, no links
    bound[i] = input_columns(table->columns, tables[i]);
    for (size_t r = 0; r < tables[i].rows.size(); ++r) {
      rows.push_back({*table, static_cast<size_t>(table - spec.tables.data()), tables[i], bound[i], r});
      refs.push_back({tables[i].name, tables[i].rows[r].line});
      records += records_per_row(*table);
    }
  }
  if (spec.whole_file || max_records == 0 || records <= max_records) return {every_row(tables)};
  Groups groups(rows.size());
  for (size_t number = 0; number < rows.size(); ++number) link_row(rows[number], number, groups);
  link_lookups(spec, rows, groups);
  std::vector<size_t> weight(rows.size(), 0), part_of(rows.size(), SIZE_MAX);
  for (size_t number = 0; number < rows.size(); ++number) weight[groups.group(number)] += records_per_row(rows[number].spec);
  std::vector<std::set<RowRef>> parts;
  size_t filled = 0;
  for (size_t number = 0; number < rows.size(); ++number) {
    size_t group = groups.group(number);
    if (part_of[group] == SIZE_MAX) {  // the group's first row: the group goes in the last part, or a new one
      if (parts.empty() || filled + weight[group] > max_records) {
        parts.emplace_back();
        filled = 0;
      }
      part_of[group] = parts.size() - 1;
      filled += weight[group];
    }
    parts[part_of[group]].insert(refs[number]);
  }
  if (parts.size() <= 1) return {every_row(tables)};
  return parts;
}

}  // namespace carebridge::mappings::agency
