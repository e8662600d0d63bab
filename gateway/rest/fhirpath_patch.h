// FHIRPath Patch (FHIR R4 fhirpatch.html): a Parameters resource whose "operation"
// parameters each add, insert, delete, replace or move an element a FHIRPath expression
// finds — what the PATCH interaction takes as application/fhir+json or +xml. Each operation
// is evaluated on the resource as the ones before it left it, and made as the JSON Patch
// operation it amounts to (json_patch.h), so both formats change the resource one way.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "fhir/fhirpath/fhirpath.h"
#include "gateway/rest/json_patch.h"

namespace carebridge::gateway::rest {

// Applies the operations of `parameters` (a Parameters resource read by
// parse_json_keeping_numbers) to `target` (read the same way), in order. Returns an empty
// string when every operation applied, else which failed and why ("operation 2 (delete
// Patient.name[5]): ..."); `target` is then partly patched and should be dropped.
std::string apply_fhirpath_patch(rapidjson::Document& target, const rapidjson::Value& parameters,
                                 const fhir::fhirpath::Engine& engine, const PatchLimits& limits = {});

}  // namespace carebridge::gateway::rest
