// JSON Patch (RFC 6902) with JSON Pointer paths (RFC 6901), applied to a parsed
// JSON document: what FHIR's PATCH interaction takes as application/json-patch+json.
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace carebridge::gateway::rest {

// Applies `patch` (an array of operations: add, remove, replace, move, copy, test)
// to `target` in order. Returns an empty string when every operation applied, else
// which operation failed and why ("operation 2 (replace /name/0/family): no such
// member 'family'"); `target` is then partly patched and should be dropped.
std::string apply_json_patch(rapidjson::Document& target, const rapidjson::Value& patch);

}  // namespace carebridge::gateway::rest
