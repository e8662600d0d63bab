// A stored resource (FHIR JSON) as a mapping's tree, so that a mapping can change a
// record rather than replace it: the row's values are set on what is stored. And a
// mapping's tree as parsed JSON, for the element model.
#pragma once

#include <memory_resource>
#include <optional>
#include <string_view>

#include "fhir/json/json_tree.h"

#include "mappings/engine/resource_tree.h"

namespace carebridge::mappings::engine {

// The JSON object `json` as a tree (numbers keep their text; null members are left out),
// or nothing when it is not a JSON object.
std::optional<Node> read_json(std::string_view json);

// The tree as parsed JSON, to be read into the element model without writing the text and
// parsing it again: nodes from `nodes`, texts copied into `strings` (a document's arena).
// Empty members and items are left out, as write_json leaves them out; null when the whole
// tree is empty.
const fhir::json::JsonNode* json_tree(const Node& node, std::pmr::memory_resource& nodes,
                                      std::pmr::memory_resource& strings);

}  // namespace carebridge::mappings::engine
