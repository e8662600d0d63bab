// How narrative XHTML elements nest (narrative_structure.cpp).
#pragma once

#include "fhir/validation/run.h"
#include "fhir/xml/xml_tree.h"

namespace carebridge::fhir::validation {

// The nesting rules of the reference validator's XhtmlValidator, below the narrative's root
// element: reported on `div` (an error when strict, tolerated under ingest).
void check_narrative_structure(Run& run, const Element& div, const Path& path, const xml::XmlNode& root);

}  // namespace carebridge::fhir::validation
