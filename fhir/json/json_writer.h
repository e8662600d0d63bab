// Writes the element model as FHIR JSON: resourceType first, properties in
// definition order, primitives split into value and `_name` (id, extensions) with
// nulls aligned in arrays, numbers and booleans as JSON literals with their text.
#pragma once

#include <string>

#include "fhir/model/element.h"

namespace carebridge::fhir::json {

struct WriteOptions {
  bool pretty = true;  // two-space indentation, as the specification's examples
};

std::string write(const model::Element& resource, const WriteOptions& options = {});
void write(const model::Element& resource, std::string& out, const WriteOptions& options = {});

// Writes one element as a JSON value: a resource or complex element as an object of
// its members (resources with resourceType), a primitive as its JSON value (or an
// object of its id/extensions when it has no value). Compact, no newline.
void write_element(const model::Element& element, std::string& out);

// Appends `text` as a JSON string literal (quoted and escaped).
void append_json_string(std::string& out, std::string_view text);
// Whether `text` is a JSON number literal.
bool is_json_number(std::string_view text);

}  // namespace carebridge::fhir::json
