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

// A row of one of the spec's tables, its cells read as the mapper reads them (a date written
// 1/2/2026 or 2026-01-02 is one date, a code its code), then lower-cased: rows whose records
// the mapper would take for one are linked, and a few more (harmless: a larger part).
struct RawRow {
  const TableSpec& spec;
  size_t table;  // the table's index in the spec
  const csv::Table& input;
  const std::vector<size_t>& at;  // per spec column: its index in the input, or kAbsent
  size_t row;

  std::string raw(size_t column) const {
    if (column >= at.size() || at[column] == kAbsent) return {};
    const auto& values = input.rows[row].values;
    return at[column] < values.size() ? std::string(csv::trim(values[at[column]])) : std::string();
  }
  std::string cell(size_t column) const {
    std::string text = raw(column);
    if (text.empty()) return text;
    const Column& c = spec.columns[column];
    ReadValue read = read_value(c, text, c.depends_on.empty() ? std::string() : raw(column_index(spec, c.depends_on)));
    if (read.ok) text = std::move(read.value);  // empty when the column lists it as no answer
    for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
  }
};

// A template's text from the row's cells as written; "" when a column it reads is empty or
// not in the file (no record has that identity then). Its parts name their columns by index.
std::string rendered(const std::vector<TemplatePart>& parts, const RawRow& row) {
  std::string out;
  for (const TemplatePart& p : parts) {
    if (p.kind == TemplatePart::Kind::Text || p.kind == TemplatePart::Kind::IdentifierSystem ||
        p.kind == TemplatePart::Kind::Agency) {
      out += p.text;
      continue;
    }
    std::string value = row.cell(p.column);
    if (value.empty()) return {};
    out += '\x1f' + value + '\x1f';
  }
  return out;
}

// What links a table's rows, read from its spec once: the identities its rows make or name
// (each key's prefix, and the template of its value) and the columns of its rules' keys.
struct LinkPlan {
  std::vector<std::pair<std::string, std::vector<TemplatePart>>> identities;
  std::vector<std::pair<std::string, size_t>> keys;  // prefix, column
};

// The identity systems whose records a value names ("@Patient:client:{PersonalID}"), in its
// members too, each with the value's template.
void references_of(const ValueSpec& value, std::vector<ReferenceSpec>& out) {
  ReferenceSpec reference;
  if (value.kind == ValueSpec::Kind::Reference && parse_reference(value.text, reference) && !reference.type.empty())
    out.push_back(reference);
  for (const auto& [path, member] : value.members) references_of(member, out);
}

std::vector<ReferenceSpec> references_of(const TableSpec& table) {
  std::vector<ReferenceSpec> out;
  for (const ResourceSpec& r : table.resources)
    for (const Assignment& a : r.set) references_of(a.value, out);
  return out;
}

// The identity systems a table's resources have.
std::set<std::string> systems_built(const TableSpec& table) {
  std::set<std::string> out;
  for (const ResourceSpec& r : table.resources)
    if (!r.identity_is_id) out.insert(r.identity_system);
  return out;
}

// The tables every part reads (Part::context): small ones (a tenth of a part at most) whose
// records rows of other tables name by identity, and whose identities no other table's
// resources have (they alone make those records).
std::set<size_t> shared_tables(const Spec& spec, const std::vector<size_t>& records, size_t max_records) {
  std::set<size_t> shared;
  for (size_t t = 0; t < spec.tables.size(); ++t) {
    std::set<std::string> built = systems_built(spec.tables[t]);
    if (built.empty() || records[t] * 10 > max_records) continue;
    bool named = false, built_elsewhere = false;
    for (size_t u = 0; u < spec.tables.size(); ++u) {
      if (u == t) continue;
      for (const ReferenceSpec& r : references_of(spec.tables[u])) named = named || built.count(r.system);
      for (const std::string& system : systems_built(spec.tables[u])) built_elsewhere = built_elsewhere || built.count(system);
    }
    if (named && !built_elsewhere) shared.insert(t);
  }
  return shared;
}

// The plan of a table's links: the identities its resources have and name (but those of
// `shared` systems, which every part reads), and the keys its rules compare rows by.
LinkPlan plan_links(const TableSpec& spec, size_t index, const std::set<std::string>& shared) {
  LinkPlan plan;
  auto add = [&](std::string prefix, std::string_view text) {
    std::vector<TemplatePart> parts;
    std::string error;
    if (!parse_template(text, parts, error)) return;
    for (TemplatePart& p : parts) p.column = column_index(spec, p.text);
    plan.identities.emplace_back(std::move(prefix), std::move(parts));
  };
  for (const ResourceSpec& r : spec.resources)
    add(r.identity_is_id ? "id|" + r.type + "|" : "identity|" + r.identity_system + "|", r.identity_value.text);
  for (const ReferenceSpec& r : references_of(spec))
    if (!shared.count(r.system)) add("identity|" + r.system + "|", r.value);
  const std::string table = std::to_string(index) + "|";
  for (const Duplicates& d : spec.duplicates) plan.keys.emplace_back("duplicates|" + table + d.key + "|", column_index(spec, d.key));
  if (!spec.newest_key.empty()) plan.keys.emplace_back("versions|" + table, column_index(spec, spec.newest_key));
  if (spec.one_per) plan.keys.emplace_back("one per|" + table, column_index(spec, spec.one_per->key));
  return plan;
}

// Links the row to the rows that make or name the same records, and to those its table's
// rules compare it with.
void link_row(const RawRow& row, size_t number, const LinkPlan& plan, Groups& groups) {
  for (const auto& [prefix, parts] : plan.identities)
    if (std::string identity = rendered(parts, row); !identity.empty()) groups.link(number, prefix + identity);
  for (const auto& [prefix, column] : plan.keys)
    if (std::string key = row.cell(column); !key.empty()) groups.link(number, prefix + key);
}

// Links rows that must be taken together: a row with a lookup that needs the row it finds
// taken (an exit and its enrollment) to the rows of that table whose key holds its value
// (every row of it, for a lookup of the whole table). Other lookups read the tables whole, in
// every part, and link nothing.
void link_lookups(const Spec& spec, const std::vector<RawRow>& rows, const std::set<size_t>& shared, Groups& groups) {
  std::set<std::pair<size_t, size_t>> keys;  // (table, key column) some such lookup reads by
  std::set<size_t> whole;                    // tables some such lookup reads whole
  for (const TableSpec& t : spec.tables)
    for (const Column& c : t.columns)
      if (c.lookup && c.lookup->taken && !shared.count(c.lookup->table_index))
        c.lookup->whole_table() ? (void)whole.insert(c.lookup->table_index)
                                : (void)keys.insert({c.lookup->table_index, c.lookup->key_index});
  auto key_of = [](size_t table, size_t column, const std::string& value) {
    return "lookup|" + std::to_string(table) + "|" + std::to_string(column) + "|" + value;
  };
  for (size_t number = 0; number < rows.size(); ++number) {
    const RawRow& row = rows[number];
    if (shared.count(row.table)) continue;  // in every part: linked to none
    for (const Column& c : row.spec.columns) {
      if (!c.lookup || !c.lookup->taken || shared.count(c.lookup->table_index)) continue;
      const Lookup& l = *c.lookup;
      if (l.whole_table()) groups.link(number, "whole|" + std::to_string(l.table_index));
      else if (std::string by = row.cell(l.by_index); !by.empty()) groups.link(number, key_of(l.table_index, l.key_index, by));
    }
    if (whole.count(row.table)) groups.link(number, "whole|" + std::to_string(row.table));
    for (const auto& [table, key] : keys)
      if (table == row.table)
        if (std::string value = row.cell(key); !value.empty()) groups.link(number, key_of(table, key, value));
  }
}

Part every_row(const std::vector<csv::Table>& tables) {
  Part all;
  for (const csv::Table& t : tables)
    for (const auto& r : t.rows) all.rows.insert({t.name, r.line});
  return all;
}

// The groups of rows in parts of at most `max_records`, in the order of their first rows; the
// shared rows in the first part, and read by the others.
std::vector<Part> pack(const std::vector<RawRow>& rows, const std::vector<RowRef>& refs, const std::vector<bool>& is_shared,
                       Groups& groups, size_t max_records) {
  std::vector<size_t> weight(rows.size(), 0), part_of(rows.size(), SIZE_MAX);
  size_t shared_weight = 0;
  for (size_t number = 0; number < rows.size(); ++number)
    (is_shared[number] ? shared_weight : weight[groups.group(number)]) += records_per_row(rows[number].spec);
  std::vector<Part> parts(1);
  size_t filled = shared_weight;
  for (size_t number = 0; number < rows.size(); ++number) {
    if (is_shared[number]) continue;
    size_t group = groups.group(number);
    if (part_of[group] == SIZE_MAX) {  // the group's first row: the group goes in the last part, or a new one
      if (filled > 0 && filled + weight[group] > max_records) {
        parts.emplace_back();
        filled = 0;
      }
      part_of[group] = parts.size() - 1;
      filled += weight[group];
    }
    parts[part_of[group]].rows.insert(refs[number]);
  }
  for (size_t number = 0; number < rows.size(); ++number)
    if (is_shared[number])
      for (size_t p = 0; p < parts.size(); ++p) (p == 0 ? parts[p].rows : parts[p].context).insert(refs[number]);
  return parts;
}

}  // namespace

size_t records_per_row(const TableSpec& table) {
  std::set<std::string> identities;  // resources with one identity are one record (an enrollment's episode and its move-in)
  for (const ResourceSpec& r : table.resources)
    identities.insert((r.identity_is_id ? r.type : r.identity_system) + "|" + r.identity_value.text);
  return identities.size();
}

std::vector<Part> split_into_parts(const Spec& spec, const std::vector<csv::Table>& tables, size_t max_records) {
  std::vector<std::vector<size_t>> bound(tables.size());  // per input table: its columns' places (never moved)
  std::vector<RawRow> rows;
  std::vector<RowRef> refs;
  std::vector<size_t> records(spec.tables.size(), 0);  // per spec table
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableSpec* table = spec.table_for(tables[i].name);
    if (!table) continue;  // not mapped: no records, no links
    size_t index = static_cast<size_t>(table - spec.tables.data());
    bound[i] = input_columns(table->columns, tables[i]);
    for (size_t r = 0; r < tables[i].rows.size(); ++r) {
      rows.push_back({*table, index, tables[i], bound[i], r});
      refs.push_back({tables[i].name, tables[i].rows[r].line});
      records[index] += records_per_row(*table);
    }
  }
  size_t all = std::accumulate(records.begin(), records.end(), size_t{0});
  if (spec.whole_file || max_records == 0 || all <= max_records) return {every_row(tables)};
  std::set<size_t> shared = shared_tables(spec, records, max_records);
  std::set<std::string> shared_systems;
  for (size_t t : shared) shared_systems.merge(systems_built(spec.tables[t]));
  std::vector<LinkPlan> plans;
  for (size_t t = 0; t < spec.tables.size(); ++t) plans.push_back(plan_links(spec.tables[t], t, shared_systems));
  std::vector<bool> is_shared(rows.size());
  Groups groups(rows.size());
  for (size_t number = 0; number < rows.size(); ++number)
    if (!(is_shared[number] = shared.count(rows[number].table) != 0)) link_row(rows[number], number, plans[rows[number].table], groups);
  link_lookups(spec, rows, shared, groups);
  std::vector<Part> parts = pack(rows, refs, is_shared, groups, max_records);
  if (parts.size() <= 1) return {every_row(tables)};
  return parts;
}

}  // namespace carebridge::mappings::agency
