// Versions of one record in an export: rows that share a record's key (an HMIS PersonalID
// sent twice), of which only the latest by the spec's "newest" column counts (DateUpdated
// orders a record's versions; an older one must not overwrite a newer one, and a record
// whose latest version is deleted is deleted).
#pragma once

#include <vector>

#include "mappings/agency/spec.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::agency {

// Per row of `table`: whether a later version of its record (same `newest_key`, a later
// `newest_by`) is in the table. Versions made at the same moment are all kept (the spec's
// other rules choose among them: a live copy over a deleted one). All false when the spec
// names no versions.
std::vector<bool> superseded_rows(const TableSpec& spec, const csv::Table& table);

}  // namespace carebridge::mappings::agency
