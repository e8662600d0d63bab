// JSON Patch (RFC 6902) with JSON Pointer paths (RFC 6901), and JSON Merge Patch
// (RFC 7386), applied to a parsed JSON document: what the PATCH interaction takes
// as application/json-patch+json and application/merge-patch+json.
// Documents are read and written keeping each number's text, since a FHIR decimal's
// precision is part of its value ("1.50" stays "1.50").
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace carebridge::gateway::rest {

struct PatchLimits {
  size_t max_bytes = 16u << 20;   // the patched document's size, roughly
  size_t max_depth = 200;         // nesting of objects and arrays
  size_t max_operations = 10000;
};

// An object's member, or null when it is absent or `object` is no object (RapidJSON's
// operator[] asserts that it is there); and a member's text, "" when it is not a string.
const rapidjson::Value* json_member(const rapidjson::Value& object, const char* name);
std::string_view json_text(const rapidjson::Value& object, const char* name);

// Parses JSON keeping numbers as their text (held as strings marked with U+0001,
// which FHIR strings cannot contain: a string holding one is refused, as is text
// nested deeper than `max_depth`). False when the text is not such JSON.
bool parse_json_keeping_numbers(std::string_view text, size_t max_depth, rapidjson::Document& out);

// Writes a document parse_json_keeping_numbers read (and a patch changed), numbers
// as their text.
std::string write_json_keeping_numbers(const rapidjson::Value& value);

// Applies `patch` (an array of operations: add, remove, replace, move, copy, test)
// to `target` in order; both read by parse_json_keeping_numbers. Returns an empty
// string when every operation applied, else which operation failed and why
// ("operation 2 (replace /name/0/family): no such member 'family'"); `target` is
// then partly patched and should be dropped.
std::string apply_json_patch(rapidjson::Document& target, const rapidjson::Value& patch, const PatchLimits& limits = {});

// Applies a JSON Merge Patch (RFC 7386, application/merge-patch+json): the patch's
// members replace the target's, null members remove them, objects merge. Empty
// string when applied, else why not.
std::string apply_merge_patch(rapidjson::Document& target, const rapidjson::Value& patch, const PatchLimits& limits = {});

}  // namespace carebridge::gateway::rest
