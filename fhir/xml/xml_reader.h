// Reads FHIR XML into the element model: value/id/url attributes, choice types,
// contained and nested resources, the xhtml:div narrative (kept as XHTML text),
// comments tolerated. Element order and repetition are checked against the definitions.
// What it reads past but FHIR validation refuses (xsi attributes, processing
// instructions, a header that is not plain UTF-8) goes to validation_issues.
#pragma once

#include <string_view>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/xml/xml_tree.h"

namespace carebridge::fhir::xml {

model::ParseResult read(std::string_view text, const definitions::Definitions& definitions, const XmlLimits& limits = {});

}  // namespace carebridge::fhir::xml
