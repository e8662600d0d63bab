// A stored resource (FHIR JSON) as a mapping's tree, so that a mapping can change a
// record rather than replace it: the row's values are set on what is stored.
#pragma once

#include <optional>
#include <string_view>

#include "mappings/engine/resource_tree.h"

namespace carebridge::mappings::engine {

// The JSON object `json` as a tree (numbers keep their text; null members are left out),
// or nothing when it is not a JSON object.
std::optional<Node> read_json(std::string_view json);

}  // namespace carebridge::mappings::engine
