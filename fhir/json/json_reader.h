// Reads FHIR JSON into the element model: merges primitive values with their `_name`
// extensions (aligning nulls in arrays), resolves choice types, contained and nested
// resources, and keeps every value's text exactly as written.
#pragma once

#include <string_view>

#include "fhir/definitions/definitions.h"
#include "fhir/json/json_tree.h"
#include "fhir/model/document.h"

namespace carebridge::fhir::json {

// Parses one resource. Syntax errors give no document; structural problems (unknown
// properties, wrong JSON types, arrays where none are allowed) are issues on a document.
model::ParseResult read(std::string_view text, const definitions::Definitions& definitions, const JsonLimits& limits = {});

// Reads an already parsed JSON object as a resource into `document` (used for NDJSON and Bundles).
model::Element* read_resource(const JsonNode& object, model::Document& document,
                              const definitions::Definitions& definitions, std::vector<model::Issue>& issues);

}  // namespace carebridge::fhir::json
