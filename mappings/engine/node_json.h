// A stored resource (FHIR JSON) as a mapping's tree, so that a mapping can change a
// record rather than replace it: the row's values are set on what is stored. And a
// mapping's tree as parsed JSON, for the element model.
#pragma once

#include <optional>
#include <string_view>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"

#include "mappings/engine/resource_tree.h"

namespace carebridge::mappings::engine {

// The JSON object `json` as a tree (numbers keep their text; null members are left out),
// or nothing when it is not a JSON object.
std::optional<Node> read_json(std::string_view json);

// The resource `tree` in the element model, as fhir::io::read gives it from the tree's JSON
// (structural problems as issues), without writing the text and parsing it again: a
// mapping's Bundle is read as soon as it is built, and that cost more than the mapping.
fhir::model::ParseResult read_tree(const Node& tree, const fhir::definitions::Definitions& definitions);
// The same, taking the tree apart as it is read: each part's memory is freed once it is made
// JSON, so the tree, its JSON and the element model are never all held at once (an export of
// 80,000 rows is a Bundle of gigabytes in the three). `tree` is left empty.
fhir::model::ParseResult read_tree(Node&& tree, const fhir::definitions::Definitions& definitions);

}  // namespace carebridge::mappings::engine
