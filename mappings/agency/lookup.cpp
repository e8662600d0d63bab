#include "mappings/agency/lookup.h"

#include <algorithm>

#include "mappings/agency/conditions.h"
#include "mappings/agency/versions.h"

namespace carebridge::mappings::agency {

namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

size_t table_named(const Spec& spec, std::string_view name) {
  for (size_t t = 0; t < spec.tables.size(); ++t)
    if (spec.tables[t].name == name) return t;
  return kNone;
}

size_t column_keyed(const TableSpec& table, std::string_view key) {
  for (size_t c = 0; c < table.columns.size(); ++c)
    if (table.columns[c].key == key) return c;
  return kNone;
}

// The keys of the columns a condition reads.
void condition_keys(const Condition& condition, std::vector<std::string>& keys) {
  keys.insert(keys.end(), condition.present.begin(), condition.present.end());
  for (const Condition::Test& test : condition.tests) keys.push_back(test.column);
  for (const auto* group : {&condition.all, &condition.any, &condition.none})
    for (const Condition& each : *group) condition_keys(each, keys);
}

// Resolves lookups' names to indexes, then walks each lookup to the plain column it ends
// at: a lookup that leads back to itself is refused, the others read as that column.
class LookupResolver {
 public:
  LookupResolver(Spec& spec, std::vector<Issue>& issues) : spec_(spec), issues_(issues) {
    for (const TableSpec& t : spec.tables) state_.emplace_back(t.columns.size(), State::New);
  }

  void run() {
    for (size_t t = 0; t < spec_.tables.size(); ++t)
      for (size_t c = 0; c < spec_.tables[t].columns.size(); ++c)
        if (spec_.tables[t].columns[c].lookup && !bind(t, c)) spec_.tables[t].columns[c].lookup.reset();
    for (size_t t = 0; t < spec_.tables.size(); ++t)
      for (size_t c = 0; c < spec_.tables[t].columns.size(); ++c) visit(t, c);
  }

 private:
  enum class State { New, Visiting, Done };

  void add(uint32_t line, const std::string& message) {
    issues_.push_back(Issue{Severity::Error, "invalid", spec_.where(line) + ": " + message, {}, {}});
  }

  // The indexes of a lookup's names; false (each mistake reported) when one names nothing.
  bool bind(size_t t, size_t c) {
    const TableSpec& table = spec_.tables[t];
    Column& column = spec_.tables[t].columns[c];
    Lookup& l = *column.lookup;
    std::string of = "the lookup of \"" + column.name + "\"";
    l.table_index = table_named(spec_, l.table);
    if (l.table_index == kNone) {
      add(column.line, of + " names the table \"" + l.table + "\", which the spec does not have");
      return false;
    }
    const TableSpec& from = spec_.tables[l.table_index];
    l.column_index = column_keyed(from, l.column);
    if (l.column_index == kNone) add(column.line, of + ": table \"" + from.name + "\" has no column with the key \"" + l.column + "\"");
    // A row may only ask whether the row it finds was taken when that row's table is mapped first.
    if (l.taken && l.table_index >= t)
      add(column.line, of + " asks for a row taken from \"" + from.name + "\", which is not mapped before \"" + table.name + "\": list it first");
    if (l.live && !live_readable(from)) add(column.line, of + " is \"live\", but table \"" + from.name +
                                           "\" skips no rows, or skips them by looked-up columns: it must skip by its own");
    if (l.whole_table()) {  // every row of the table matches
      if (l.taken) add(column.line, of + " is of the whole table: only a lookup by a key can ask for the row taken");
      return l.column_index != kNone && !l.taken;
    }
    if (l.key.empty() || l.by.empty()) {
      add(column.line, of + " names " + (l.key.empty() ? "\"by\" without \"key\"" : "\"key\" without \"by\"") +
                           ": both, or neither for the whole table");
      return false;
    }
    l.key_index = column_keyed(from, l.key);
    l.by_index = column_keyed(table, l.by);
    if (l.key_index == kNone) add(column.line, of + ": table \"" + from.name + "\" has no column with the key \"" + l.key + "\"");
    if (l.by_index == kNone) add(column.line, of + ": table \"" + table.name + "\" has no column with the key \"" + l.by + "\"");
    else if (table.columns[l.by_index].lookup && l.by_index > c)
      add(column.line, of + " is by \"" + l.by + "\", a lookup listed after it: list that one first");
    return l.key_index != kNone && l.column_index != kNone && l.by_index != kNone && (!l.taken || l.table_index < t);
  }

  // Whether a live lookup can tell the table's skipped rows: it has a skip, on its own columns.
  static bool live_readable(const TableSpec& table) {
    if (table.skip.empty()) return false;
    std::vector<std::string> keys;
    condition_keys(table.skip, keys);
    return std::all_of(keys.begin(), keys.end(), [&](const std::string& key) {
      size_t c = column_keyed(table, key);
      return c != kNone && !table.columns[c].lookup;
    });
  }

  void visit(size_t t, size_t c) {
    State& state = state_[t][c];
    Column& column = spec_.tables[t].columns[c];
    if (state == State::Done || !column.lookup) {
      state = State::Done;
      return;
    }
    if (state == State::Visiting) {
      add(column.line, "the lookup of \"" + column.name + "\" leads back to itself");
      column.lookup.reset();
      return;
    }
    state = State::Visiting;
    Lookup l = *column.lookup;
    if (!l.whole_table()) {
      visit(t, l.by_index);
      visit(l.table_index, l.key_index);
    }
    visit(l.table_index, l.column_index);
    const Column& from = spec_.tables[l.table_index].columns[l.column_index];
    column.type = from.type;
    column.codes = from.codes;
    column.format = from.format;
    state_[t][c] = State::Done;
  }

  Spec& spec_;
  std::vector<Issue>& issues_;
  std::vector<std::vector<State>> state_;
};

}  // namespace

void resolve_lookups(Spec& spec, std::vector<Issue>& issues) { LookupResolver(spec, issues).run(); }

std::vector<bool> tables_sent(const Spec& spec, const std::vector<csv::Table>& tables) {
  std::vector<bool> sent(spec.tables.size(), false);
  for (const csv::Table& input : tables)
    if (const TableSpec* table = spec.table_for(input.name)) sent[static_cast<size_t>(table - spec.tables.data())] = true;
  return sent;
}

std::vector<std::string> unsent_warnings(const Spec& spec, const std::vector<csv::Table>& tables) {
  std::vector<std::string> said;
  if (tables.empty()) return said;
  std::vector<bool> sent = tables_sent(spec, tables);
  for (size_t t = 0; t < spec.tables.size(); ++t) {
    const TableSpec& table = spec.tables[t];
    if (!sent[t] && !table.unsent.empty()) said.push_back((table.files.empty() ? table.name : table.files.front()) + " was not sent: " + table.unsent);
  }
  return said;
}

bool LookupIndex::sent(size_t table) {
  if (sent_.empty()) sent_ = tables_sent(spec_, tables_);
  return sent_[table];
}

ReadValue LookupIndex::find(const Lookup& lookup, const std::string& by_value) {
  if (lookup.unsent && !sent(lookup.table_index)) {
    ReadValue unsent;
    unsent.value = *lookup.unsent;
    return unsent;
  }
  if (by_value.empty() && !lookup.whole_table()) {
    if (!lookup.only_row) return {};
    const Index& rows = index(lookup);  // the table's only record, when it has one
    return rows.size() == 1 ? rows.begin()->second : ReadValue{};
  }
  const Index& rows = index(lookup);
  auto it = rows.find(lookup.whole_table() ? std::string() : by_value);
  if (it != rows.end()) return it->second;
  ReadValue absent;
  absent.value = lookup.absent;
  return absent;
}

std::vector<LookupIndex::RowAt> LookupIndex::rows(const Lookup& lookup, const std::string& by_value) {
  std::vector<RowAt> found;
  if (by_value.empty() || lookup.whole_table()) return found;
  const std::vector<RowAt>& all = table_rows(lookup.table_index);
  auto [by_key, added] = positions_.try_emplace({lookup.table_index, lookup.key_index});
  if (added) {  // each key's rows, found once per key column
    const std::vector<ReadValue>& keys = column_values(lookup.table_index, lookup.key_index);
    for (size_t i = 0; i < all.size() && i < keys.size(); ++i)
      if (!all[i].older && !keys[i].value.empty()) by_key->second[keys[i].value].push_back(i);
  }
  if (auto it = by_key->second.find(by_value); it != by_key->second.end())
    for (size_t i : it->second) found.push_back(all[i]);
  return found;
}

std::vector<std::string> LookupIndex::keys(const Lookup& lookup, size_t at_most) {
  std::vector<std::string> out;
  if (lookup.whole_table()) return out;
  for (const ReadValue& key : column_values(lookup.table_index, lookup.key_index)) {
    if (key.value.empty() || std::find(out.begin(), out.end(), key.value) != out.end()) continue;
    if (out.size() == at_most) break;
    out.push_back(key.value);
  }
  return out;
}

const std::vector<LookupIndex::RowAt>& LookupIndex::table_rows(size_t table) {
  if (auto known = rows_.find(table); known != rows_.end()) return known->second;
  const TableSpec& spec = spec_.tables[table];
  std::vector<RowAt> all;
  for (const csv::Table& input : tables_) {
    if (spec_.table_for(input.name) != &spec) continue;
    const std::vector<bool>& older = superseded(spec, input);  // an older version of a record is not it
    for (size_t r = 0; r < input.rows.size(); ++r) all.push_back({&input, r, older[r]});
  }
  return rows_.emplace(table, std::move(all)).first->second;
}

const std::vector<ReadValue>& LookupIndex::column_values(size_t table, size_t column) {
  if (auto known = columns_.find({table, column}); known != columns_.end()) return known->second;
  const TableSpec& spec = spec_.tables[table];
  const Column& c = spec.columns[column];
  const std::vector<RowAt>& all = table_rows(table);
  std::vector<ReadValue> values;
  values.reserve(all.size());
  if (c.lookup && c.lookup->whole_table()) {
    values.assign(all.size(), find(*c.lookup, {}));
  } else if (c.lookup) {  // the rows' own `by` values, looked up in turn (the spec has no loops)
    const std::vector<ReadValue>& by = column_values(table, c.lookup->by_index);
    for (const ReadValue& v : by) values.push_back(find(*c.lookup, v.value));
  } else {
    size_t on = c.depends_on.empty() ? kNone : column_keyed(spec, c.depends_on);
    const csv::Table* input = nullptr;
    size_t at = kNone, depends_at = kNone;
    for (const RowAt& r : all) {
      if (r.table != input) {  // the columns' places in this file
        input = r.table;
        at = column_in(c, *input);
        depends_at = on == kNone ? std::string::npos : column_in(spec.columns[on], *input);
      }
      if (r.older) {
        values.emplace_back();
        continue;
      }
      const csv::Table::Row& row = input->rows[r.row];
      std::string_view depends = depends_at < row.values.size() ? std::string_view(row.values[depends_at]) : std::string_view();
      ReadValue v = at < row.values.size() ? read_value(c, row.values[at], depends) : ReadValue{};
      values.push_back(v.ok ? std::move(v) : ReadValue{});  // a value that cannot be read matches nothing
    }
  }
  return columns_.emplace(std::make_pair(table, column), std::move(values)).first->second;
}

const std::vector<bool>& LookupIndex::superseded(const TableSpec& spec, const csv::Table& input) {
  auto known = older_.find(&input);
  if (known == older_.end()) known = older_.emplace(&input, superseded_rows(spec, input)).first;
  return known->second;
}

// Each key's value (a lookup of the whole table: one value, under ""); when several rows
// have the key, the first with a value, unless a later one has a value the lookup prefers
// more: the values of `prefer` win in their order over the others, which win over no value,
// unless "" is listed (a row without a value wins, as a live copy of a record wins over a
// deleted one when asking whether it was deleted; "prefer": ["1", ""] — a victim service
// provider, else one not known, else not one). Older versions of a record are not read.
const LookupIndex::Index& LookupIndex::index(const Lookup& lookup) {
  if (auto known = indexes_.find(&lookup); known != indexes_.end()) return known->second;
  const std::vector<RowAt>& all = table_rows(lookup.table_index);
  const std::vector<ReadValue>* keys = lookup.whole_table() ? nullptr : &column_values(lookup.table_index, lookup.key_index);
  const std::vector<ReadValue>& values = column_values(lookup.table_index, lookup.column_index);
  const size_t others = lookup.prefer.size(), none = others + 1;
  auto rank = [&](const ReadValue& v) {
    std::string value = v.value;
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    auto at = std::find(lookup.prefer.begin(), lookup.prefer.end(), value);
    if (at != lookup.prefer.end()) return static_cast<size_t>(at - lookup.prefer.begin());
    return value.empty() ? none : others;
  };
  const std::vector<bool>* skipped = lookup.live ? &skipped_rows(lookup.table_index) : nullptr;
  Index rows;
  for (size_t i = 0; i < all.size() && i < values.size(); ++i) {
    std::string key = keys ? (*keys)[i].value : std::string();
    if (all[i].older || (keys && key.empty()) || (skipped && (*skipped)[i])) continue;
    auto [it, added] = rows.try_emplace(key, values[i]);
    if (!added && rank(values[i]) < rank(it->second)) it->second = values[i];
  }
  return indexes_.emplace(&lookup, std::move(rows)).first->second;
}

// The rows of the table its `skip` skips (a live lookup checked, when the spec was read, that
// the skip reads only the table's own columns).
const std::vector<bool>& LookupIndex::skipped_rows(size_t table) {
  if (auto known = skipped_.find(table); known != skipped_.end()) return known->second;
  const TableSpec& spec = spec_.tables[table];
  std::vector<std::string> keys;
  condition_keys(spec.skip, keys);
  std::vector<std::pair<size_t, const std::vector<ReadValue>*>> read;
  for (const std::string& key : keys) {
    size_t c = column_keyed(spec, key);
    read.emplace_back(c, &column_values(table, c));
  }
  size_t count = table_rows(table).size();
  std::vector<bool> skipped(count);
  std::vector<ReadValue> row(spec.columns.size());  // the condition's columns filled in, row by row
  for (size_t i = 0; i < count; ++i) {
    for (const auto& [c, values] : read) row[c] = i < values->size() ? (*values)[i] : ReadValue{};
    skipped[i] = meets(spec.skip, spec, row);
  }
  return skipped_.emplace(table, std::move(skipped)).first->second;
}

}  // namespace carebridge::mappings::agency
