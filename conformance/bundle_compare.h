// A golden mapping case's expected Bundle against the mapped one, record by record: in a
// transaction the order of the entries means nothing (FHIR R4 http.html#transaction), and
// urn:uuid: fullUrls are local names (bundle.html#references), so an expected Bundle an
// integrator wrote independently matches when it holds the same records, whatever their
// order and uuids.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "conformance/mapping_cases.h"
#include "mappings/engine/resource_tree.h"

namespace carebridge::conformance {

// `v` as compact JSON.
std::string compact_json(const rapidjson::Value& v);

// Appends each difference between `want` and `got` (Bundles or any JSON), with the source
// cell of the mapped value, to `out` (at most `limit` in all). Entries are paired by their
// record: resource type and an identifier they share (in any order), else resource type and
// place among the entries of that type without one; references between entries compare by
// the entries they name. Inside a record, arrays compare item by item.
void compare_bundles(const rapidjson::Value& want, const rapidjson::Value& got, const mappings::engine::SourceMap& sources,
                     std::vector<MappingDifference>& out, size_t limit);

}  // namespace carebridge::conformance
