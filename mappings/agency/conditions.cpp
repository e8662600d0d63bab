#include "mappings/agency/conditions.h"
#include "mappings/agency/row_rules.h"

#include <algorithm>

#include "fhir/time/fhir_time.h"
#include "mappings/agency/compiled.h"

namespace carebridge::mappings::agency {

bool meets(const Condition& condition, const TableSpec& table, const std::vector<ReadValue>& values) {
  for (const std::string& key : condition.present) {
    size_t c = column_index(table, key);
    if (c == kAbsent || values[c].value.empty()) return false;
  }
  for (const Condition::Test& test : condition.tests) {
    size_t c = column_index(table, test.column);
    if (c == kAbsent) return false;
    if (!test.is.empty()) {
      if (!value_is(test.is, values[c].value)) return false;
      continue;
    }
    std::string value = values[c].value;
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (std::find(test.in.begin(), test.in.end(), value) == test.in.end()) return false;
  }
  for (const Condition& each : condition.all)
    if (!meets(each, table, values)) return false;
  for (const Condition& each : condition.none)
    if (meets(each, table, values)) return false;
  return condition.any.empty() || std::any_of(condition.any.begin(), condition.any.end(),
                                              [&](const Condition& each) { return meets(each, table, values); });
}

std::vector<std::pair<size_t, std::string>> leave_out_unasked(const TableSpec& table, std::vector<ReadValue>& values) {
  // Every column is judged on the values as read, before any is left out: the order of the
  // columns does not change what is kept.
  std::vector<size_t> unasked;
  for (size_t c = 0; c < table.columns.size() && c < values.size(); ++c) {
    const Column& column = table.columns[c];
    if (!column.only_when.empty() && !values[c].value.empty() && !meets(column.only_when, table, values)) unasked.push_back(c);
  }
  std::vector<std::pair<size_t, std::string>> said;
  for (size_t c : unasked) {
    const Column& column = table.columns[c];
    std::string why = column.only_when_text.empty() ? "the row does not meet the condition it is asked under" : column.only_when_text;
    said.emplace_back(c, "\"" + column.name + "\" is answered only when " + why);
    values[c] = {};
  }
  return said;
}

std::vector<std::pair<size_t, std::string>> dates_out_of_order(const TableSpec& table, std::vector<ReadValue>& values) {
  std::vector<std::pair<size_t, std::string>> said;
  // ISO dates (a year, year-month or full date) compare as text, to the precision they have.
  auto before = [](const std::string& a, const std::string& b) { return a.substr(0, b.size()) < b.substr(0, a.size()); };
  for (size_t c = 0; c < table.columns.size() && c < values.size(); ++c) {
    const Column& column = table.columns[c];
    const std::string& date = values[c].value;
    if (date.empty() || (column.not_after.empty() && column.not_before.empty() && !column.past)) continue;
    std::string why;
    for (const auto& [limit_key, after] : {std::pair{&column.not_after, true}, std::pair{&column.not_before, false}}) {
      size_t limit = limit_key->empty() ? kAbsent : column_index(table, *limit_key);
      std::string bound = limit == kAbsent ? std::string() : values[limit].value;
      std::string what = limit == kAbsent ? std::string() : table.columns[limit].name + ", " + bound;
      if (bound.empty() && after && column.past) {
        bound = fhir::time::format_instant(fhir::time::now_ms()).substr(0, 10);  // today, in UTC
        what = "today";
      }
      if (why.empty() && !bound.empty() && (after ? before(bound, date) : before(date, bound)))
        why = "\"" + date + "\" is " + (after ? "after " : "before ") + what;
    }
    if (why.empty()) continue;
    // A looked-up date is told at its own row: here it is only left out.
    if (!column.lookup) said.emplace_back(c, why + (column.past ? ", so it is left out" : ""));
    if (column.past || column.lookup) values[c] = {};
  }
  return said;
}

void OnePerKey::add(const std::vector<ReadValue>& values, size_t line) {
  if (!table_.one_per) return;
  size_t key = column_index(table_, table_.one_per->key);
  if (key == kAbsent || values[key].value.empty()) return;
  Rows& rows = keys_[values[key].value];
  rows.lines.push_back(line);
  rows.meeting += meets(table_.one_per->when, table_, values);
}

std::vector<std::string> OnePerKey::said(const std::string& file) const {
  std::vector<std::string> out;
  if (!table_.one_per) return out;
  const Column* key = table_.column(table_.one_per->key);
  for (const auto& [value, rows] : keys_) {
    if (rows.meeting == 1) continue;
    std::string lines;
    for (size_t i = 0; i < rows.lines.size(); ++i)
      lines += (i == 0 ? "" : i + 1 == rows.lines.size() ? " and " : ", ") + std::to_string(rows.lines[i]);
    out.push_back(file + ": " + key->name + " \"" + value + "\" (row" + (rows.lines.size() > 1 ? "s " : " ") + lines +
                  ") should have one " + table_.one_per->said + "; it has " +
                  (rows.meeting == 0 ? std::string("none") : std::to_string(rows.meeting)));
  }
  return out;
}

}  // namespace carebridge::mappings::agency
