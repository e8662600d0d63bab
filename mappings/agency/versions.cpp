#include "mappings/agency/versions.h"

#include <string>
#include <unordered_map>
#include <vector>

#include "mappings/agency/values.h"

namespace carebridge::mappings::agency {

namespace {

// The moment a version was made, comparable as text ("2024-08-01T09:30:00+00:00"): read by
// `as_date_time` as an exporter or a spreadsheet writes it; "" when it cannot be read.
std::string moment(const Column& as_date_time, const std::string& raw) {
  ReadValue v = read_value(as_date_time, raw);
  return v.ok ? v.value : std::string();
}

}  // namespace

std::vector<bool> superseded_rows(const TableSpec& spec, const csv::Table& table) {
  std::vector<bool> out(table.rows.size(), false);
  const Column* key = spec.newest_key.empty() ? nullptr : spec.column(spec.newest_key);
  const Column* by = spec.newest_by.empty() ? nullptr : spec.column(spec.newest_by);
  if (!key || !by) return out;
  size_t key_at = column_in(*key, table), by_at = column_in(*by, table);
  if (key_at >= table.columns.size() || by_at >= table.columns.size()) return out;
  Column as_date_time = *by;
  as_date_time.type = ValueType::DateTime;
  as_date_time.format = "+00:00";  // local times: only their order matters
  struct Latest {
    std::string when;
    std::vector<size_t> rows;  // the versions made then (a tie keeps them all, as if unversioned)
  };
  std::unordered_map<std::string, Latest> latest;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    const auto& values = table.rows[i].values;
    if (key_at >= values.size() || values[key_at].empty()) continue;
    std::string when = by_at < values.size() ? moment(as_date_time, values[by_at]) : std::string();
    auto [it, added] = latest.try_emplace(values[key_at], Latest{when, {i}});
    if (added) continue;
    Latest& l = it->second;
    if (when < l.when) {
      out[i] = true;
    } else if (when > l.when) {
      for (size_t older : l.rows) out[older] = true;
      l = Latest{when, {i}};
    } else {
      l.rows.push_back(i);
    }
  }
  return out;
}

}  // namespace carebridge::mappings::agency
