// Rules a spec states about a table's rows beyond each row's own values: rows that give one
// record twice with different values (a referral ID on two rows, two directory entries
// sharing an id, a household's size on each member's row) — refused as conflicting
// duplicates, naming both rows, or taken with a warning (TableSpec::duplicates) — the ids a
// row gives of records the gateway must know (a referral's receiving organization), and the
// dates a condition compares with today (a schedule valid until a day now past).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mappings/agency/mapper.h"
#include "mappings/agency/spec.h"
#include "mappings/agency/values.h"

namespace carebridge::mappings::agency {

// Whether a date as read (2024-01-31, or 2024-01, 2024) is "past" (before today) or
// "future" (after today); false when empty.
bool date_is(std::string_view when, std::string_view date);
// A condition's "is": "past" or "future" (date_is), or "digest" (a hash's hex or base64).
bool value_is(std::string_view what, std::string_view value);

// The problems of a row whose "known" columns name a record the gateway does not know
// (Column::known), each at its cell (`where`, by spec column); none when `records` cannot tell.
std::vector<RowProblem> unknown_records(const TableSpec& table, const std::vector<ReadValue>& values,
                                        const std::function<std::string(size_t)>& where, const RowRef& row,
                                        const Records* records);

// The rows of one table seen so far, per duplicates rule.
class DuplicateRows {
 public:
  explicit DuplicateRows(const TableSpec& table);

  struct Verdict {
    std::vector<RowProblem> refused;    // the row is not taken, each reason
    std::vector<std::string> warnings;  // taken, but it differs from an earlier row
  };
  // Judges a row about to be taken (its values as read, per spec column; `raw` its cells as
  // written and `where` their places, by spec column), and remembers it when it is taken.
  Verdict check(const std::vector<ReadValue>& values, const std::function<std::string(size_t)>& raw,
                const std::function<std::string(size_t)>& where, const RowRef& row);

 private:
  struct Rule {
    const Duplicates* spec;
    size_t key;
    std::vector<size_t> columns;
  };
  struct Seen {
    RowRef row;
    std::vector<std::string> values, raw;  // per rule column
  };
  const TableSpec& table_;
  std::vector<Rule> rules_;
  std::vector<std::unordered_map<std::string, Seen>> seen_;  // per rule: key value → the first row
};

}  // namespace carebridge::mappings::agency
