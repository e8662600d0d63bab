// A MeasureReport against the Measure it names (measure_reports.cpp).
#pragma once

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// Its groups, populations and stratifiers are the Measure's, each once and none left out, and
// its score fits the Measure's scoring; a Measure that cannot be found is a warning.
void check_measure_report(Run& run, const Element& report, const Path& path);

}  // namespace carebridge::fhir::validation
