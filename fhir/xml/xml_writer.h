// Writes the element model as FHIR XML: elements in definition order, `value`,
// `id` and `url` as attributes, resources wrapped in their slot (<contained>,
// <resource>), the narrative as an XHTML <div>.
#pragma once

#include <string>
#include <vector>

#include "fhir/model/document.h"

namespace carebridge::fhir::xml {

struct WriteOptions {
  bool pretty = true;
  bool declaration = true;  // <?xml version="1.0" encoding="UTF-8"?>
};

// Appends the XML to `out`. Content XML cannot carry (control characters, a narrative
// that is not well-formed XHTML) is reported in `issues` with its location.
void write(const model::Element& resource, std::string& out, std::vector<model::Issue>& issues,
           const WriteOptions& options = {});

}  // namespace carebridge::fhir::xml
