// Conditions on one row's values (spec.h's Condition): whether a row meets one — a
// resource's `when`, a table's `skip`, a label's condition — and the answers a column holds
// though the row does not meet the condition under which the column is asked ("onlyWhen":
// HMIS asks when domestic violence occurred only of a survivor), or dated out of order
// ("notAfter": after the export's end; "notBefore").
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mappings/agency/spec.h"
#include "mappings/agency/values.h"

namespace carebridge::mappings::agency {

// Whether `values` (one per column of `table`) meet `condition`: a code column is tested
// by its code, whatever its case.
bool meets(const Condition& condition, const TableSpec& table, const std::vector<ReadValue>& values);

// Leaves out each value of a column answered only when the row meets its `onlyWhen` that
// the row holds without meeting it; gives each such column with why, in plain words
// ("\"WhenOccurred\" is answered only when DomesticViolenceSurvivor is 1").
std::vector<std::pair<size_t, std::string>> leave_out_unasked(const TableSpec& table, std::vector<ReadValue>& values);

// The dates after their column's `notAfter` date (an event after the HMIS export's end) or
// before its `notBefore` date, and a date that cannot be ahead (`past`: a birth date) after
// today when it has no `notAfter` date: each column with why. Such a `past` date, or a
// looked-up one (said at its own row, not here), is left out; the others are kept.
std::vector<std::pair<size_t, std::string>> dates_out_of_order(const TableSpec& table, std::vector<ReadValue>& values);

// The rows taken that share a key, and how many of them meet the table's `onePer`
// condition: a key with none or several is said (a household without a head, or with two).
class OnePerKey {
 public:
  explicit OnePerKey(const TableSpec& table) : table_(table) {}
  void add(const std::vector<ReadValue>& values, size_t line);
  // One warning per key whose rows meet the condition other than once, in the spec's words.
  std::vector<std::string> said(const std::string& file) const;

 private:
  struct Rows {
    std::vector<size_t> lines;
    size_t meeting = 0;
  };
  const TableSpec& table_;
  std::map<std::string, Rows> keys_;
};

}  // namespace carebridge::mappings::agency
