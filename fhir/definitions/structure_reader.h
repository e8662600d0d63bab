// Internal: turns a StructureDefinition JSON value into a StructureDef and builds
// its lookup indexes (children, child property names, ids, primitive value rules).
#pragma once

#include <rapidjson/document.h>

#include "fhir/definitions/structure.h"

namespace carebridge::fhir::definitions {

StructureDef read_structure(const rapidjson::Value& json);
void index_structure(StructureDef& sd);

// Writes a JSON value compactly.
std::string compact_json(const rapidjson::Value& json);

}  // namespace carebridge::fhir::definitions
