#include "mappings/agency/row_rules.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "mappings/agency/compiled.h"

namespace carebridge::mappings::agency {

namespace {

// Whether a value reads as a hash digest rather than a word: the hex or base64 of an MD5,
// SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512 (what an HMIS export's hashed names hold), or
// a SOUNDEX code, a letter and three digits (HashStatus 3), which no one's name is.
bool looks_like_digest(std::string_view value) {
  auto all = [&](auto in) { return std::all_of(value.begin(), value.end(), in); };
  auto digit = [](unsigned char c) { return c >= '0' && c <= '9'; };
  if (value.size() == 4 && std::isalpha(static_cast<unsigned char>(value[0])) && std::all_of(value.begin() + 1, value.end(), digit))
    return true;
  auto hex = [](unsigned char c) { return std::isxdigit(c) != 0; };
  auto base64 = [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '/' || c == '='; };
  for (size_t bytes : {16, 20, 28, 32, 48, 64}) {
    if (value.size() == bytes * 2 && all(hex)) return true;
    if (value.size() == (bytes + 2) / 3 * 4 && all(base64) && value.find_first_of("0123456789+/=") != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

bool value_is(std::string_view what, std::string_view value) {
  return what == "digest" ? looks_like_digest(value) : date_is(what, value);
}

bool date_is(std::string_view when, std::string_view date) {
  if (date.empty()) return false;
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char today[48];
  std::snprintf(today, sizeof today, "%04d-%02d-%02d", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
  // A partial date is its whole span: 2024-06 is past only once June is over.
  std::string_view day(today, date.size() < 10 ? date.size() : 10);
  std::string_view mine = date.substr(0, day.size());
  return when == "past" ? mine < day : when == "future" ? mine > day : false;
}

std::vector<RowProblem> unknown_records(const TableSpec& table, const std::vector<ReadValue>& values,
                                        const std::function<std::string(size_t)>& where, const RowRef& row,
                                        const Records* records) {
  std::vector<RowProblem> problems;
  for (size_t c = 0; records && c < table.columns.size(); ++c) {
    const Column& column = table.columns[c];
    if (column.known.empty() || values[c].value.empty()) continue;
    if (records->knows(column.known, values[c].value).value_or(true)) continue;
    problems.push_back({row, where(c),
                        "the gateway knows no " + column.known + " \"" + values[c].value + "\": write the id it knows it by (its "
                        "administrator can say), or the " + column.known + " would be one no one is there to see"});
  }
  return problems;
}

DuplicateRows::DuplicateRows(const TableSpec& table) : table_(table) {
  for (const Duplicates& d : table.duplicates) {
    Rule rule{&d, column_index(table, d.key), {}};
    if (rule.key == kAbsent) continue;  // the spec check refuses such a spec
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const Column& column = table.columns[c];
      bool listed = d.columns.empty() ? !column.lookup && !column.stored && c != rule.key
                                      : std::find(d.columns.begin(), d.columns.end(), column.key) != d.columns.end();
      if (listed) rule.columns.push_back(c);
    }
    rules_.push_back(std::move(rule));
  }
  seen_.resize(rules_.size());
}

DuplicateRows::Verdict DuplicateRows::check(const std::vector<ReadValue>& values, const std::function<std::string(size_t)>& raw,
                                            const std::function<std::string(size_t)>& where, const RowRef& row) {
  Verdict verdict;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    auto first = seen_[i].find(values[rule.key].value);
    if (values[rule.key].value.empty() || first == seen_[i].end()) continue;
    const Seen& seen = first->second;
    std::string differences;
    size_t at = kAbsent;
    for (size_t j = 0; j < rule.columns.size(); ++j) {
      size_t c = rule.columns[j];
      // A cell left empty says nothing: only two values that differ conflict.
      if (values[c].value.empty() || seen.values[j].empty() || values[c].value == seen.values[j]) continue;
      if (at == kAbsent) at = c;
      differences += (differences.empty() ? "" : "; ") + table_.columns[c].name + " \"" + seen.raw[j] + "\" there, \"" + raw(c) + "\" here";
    }
    if (at == kAbsent) continue;
    std::string other = seen.row.first == row.first ? "row " + std::to_string(seen.row.second)
                                                    : seen.row.first + " row " + std::to_string(seen.row.second);
    std::string message = table_.columns[rule.key].name + " \"" + raw(rule.key) + "\" is on " + other + " too, with other values: " + differences;
    if (rule.spec->warn) verdict.warnings.push_back(where(at) + ": " + message + "; both rows are taken, so correct the one that is wrong");
    else verdict.refused.push_back({row, where(at), message + ". A conflicting duplicate: this row is not taken (correct one of the two)"});
  }
  if (!verdict.refused.empty()) return verdict;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const std::string& key = values[rules_[i].key].value;
    if (key.empty() || seen_[i].count(key)) continue;
    Seen seen{row, {}, {}};
    for (size_t c : rules_[i].columns) {
      seen.values.push_back(values[c].value);
      seen.raw.push_back(raw(c));
    }
    seen_[i].emplace(key, std::move(seen));
  }
  return verdict;
}

}  // namespace carebridge::mappings::agency
