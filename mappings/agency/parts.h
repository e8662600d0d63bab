// An upload too large for one transaction, stored in parts: its rows split so that each part
// makes at most so many records, and every row stays with the rows it must be mapped with —
// those that make or name the same record (the same identity: a client's visits, a
// household's members, a referral's rows), that read one another (a lookup: an enrollment and
// its client), or that a table's rules compare (duplicates, versions, one head per household).
// Each part is then mapped, validated and stored on its own, the later parts finding what the
// earlier ones stored (a household extended month by month is extended part by part alike),
// so memory stays bounded by the part, not by the file.
#pragma once

#include <cstddef>
#include <set>
#include <vector>

#include "mappings/agency/mapper.h"
#include "mappings/agency/spec.h"
#include "mappings/csv/table.h"

namespace carebridge::mappings::agency {

// One part of an upload stored in parts.
struct Part {
  std::set<RowRef> rows;  // converted, and stored with the part
  // Rows every part reads for the records they make, stored with the first part only: the small
  // tables other files name by identity (an HMIS export's organizations and projects). A
  // later part refers to their records by identity, as stored.
  std::set<RowRef> context;
  // Context rows an earlier part did not take: the records they would have made are not stored.
  std::set<RowRef> excluded;
};

// The most records a row of `table` can make: one per identity its table's resources have.
size_t records_per_row(const TableSpec& table);

// The rows of `tables` in parts of at most `max_records` records each (counted as
// records_per_row: a bound, so no part is refused for its size once mapped), in the files'
// order. One part, holding every row, when they fit together, or when the spec rejects a whole
// file for one bad row (parts would store some rows of a file it rejects). Rows linked to more
// rows than a part holds make a part of their own, larger than `max_records`.
std::vector<Part> split_into_parts(const Spec& spec, const std::vector<csv::Table>& tables, size_t max_records);

}  // namespace carebridge::mappings::agency
