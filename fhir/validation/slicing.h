// Internal to the validator: matching an item to the slices of a sliced element.
#pragma once

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// Whether `item` belongs to the slice `slice` of profile `sd`, per the discriminators.
bool slice_matches(Run& run, const Element& item, const definitions::StructureDef& sd, uint32_t slice,
                   const definitions::Slicing& slicing);

}  // namespace carebridge::fhir::validation
