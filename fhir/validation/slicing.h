// Internal to the validator: matching an item to the slices of a sliced element.
#pragma once

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// Whether `item` belongs to the slice `slice` of profile `sd`, per the discriminators.
bool slice_matches(Run& run, const Element& item, const definitions::StructureDef& sd, uint32_t slice,
                   const definitions::Slicing& slicing);
// The discriminators (as "value system, ...") of a slice that says nothing they could compare
// (no fixed value, pattern or required binding at their path): the reference validator cannot
// evaluate such a slicing and reports it. Empty when the slice can be told apart.
std::string undecidable_slice(Run& run, const definitions::StructureDef& sd, uint32_t slice,
                              const definitions::Slicing& slicing);

}  // namespace carebridge::fhir::validation
