// Conditions on one row's values (spec.h's Condition): whether a row meets one — a
// resource's `when`, a table's `skip`, a label's condition — and the answers a column holds
// though the row does not meet the condition under which the column is asked ("onlyWhen":
// HMIS asks when domestic violence occurred only of a survivor), or dated after what the
// column's date may not pass ("notAfter": the export's end).
#pragma once

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

// The dates of columns with `notAfter` that are after that column's date (an event after the
// HMIS export's end), or, for a date that cannot be ahead (`past`: a birth date), after when there is no such date: each column with why. A `past` date so is left out.
std::vector<std::pair<size_t, std::string>> dates_ahead(const TableSpec& table, std::vector<ReadValue>& values);

}  // namespace carebridge::mappings::agency
