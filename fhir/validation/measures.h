// Measure and MeasureReport rules the definitions cannot express (measures.cpp).
#pragma once

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// A Measure's CQL stratifier criteria name a definition in the ELM of one of its libraries.
void check_measure(Run& run, const Element& measure, const Path& path);
// A MeasureReport's groups, populations and stratifiers are its Measure's, each once and none
// left out, and its score fits the Measure's scoring; a Measure that cannot be found is a warning.
void check_measure_report(Run& run, const Element& report, const Path& path);

}  // namespace carebridge::fhir::validation
