#include "mappings/agency/conditions.h"

#include <algorithm>
#include <ctime>

#include "mappings/agency/compiled.h"

namespace carebridge::mappings::agency {

namespace {

std::string today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &utc);
  return out;
}

}  // namespace

bool meets(const Condition& condition, const TableSpec& table, const std::vector<ReadValue>& values) {
  for (const std::string& key : condition.present) {
    size_t c = column_index(table, key);
    if (c == kAbsent || values[c].value.empty()) return false;
  }
  for (const Condition::Test& test : condition.tests) {
    size_t c = column_index(table, test.column);
    if (c == kAbsent) return false;
    std::string value = values[c].value;
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (std::find(test.in.begin(), test.in.end(), value) == test.in.end()) return false;
  }
  for (const Condition& each : condition.all)
    if (!meets(each, table, values)) return false;
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

std::vector<std::pair<size_t, std::string>> dates_ahead(const TableSpec& table, std::vector<ReadValue>& values) {
  std::vector<std::pair<size_t, std::string>> said;
  for (size_t c = 0; c < table.columns.size() && c < values.size(); ++c) {
    const Column& column = table.columns[c];
    if (values[c].value.empty() || (column.not_after.empty() && !column.past)) continue;
    size_t limit = column.not_after.empty() ? kAbsent : column_index(table, column.not_after);
    std::string until = limit == kAbsent ? std::string() : values[limit].value;
    std::string what = limit == kAbsent ? std::string() : table.columns[limit].name + ", " + until;
    if (until.empty() && column.past) until = today(), what = "today";
    // ISO dates (a year, year-month or full date) compare as text, to the precision they have.
    if (until.empty() || values[c].value.substr(0, until.size()) <= until.substr(0, values[c].value.size())) continue;
    said.emplace_back(c, "\"" + values[c].value + "\" is after " + what + (column.past ? ", so it is left out" : ""));
    if (column.past) values[c] = {};
  }
  return said;
}

}  // namespace carebridge::mappings::agency
