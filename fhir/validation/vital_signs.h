// Internal to the validator: the vital signs profile FHIR requires of an Observation by
// its code (observation-vitalsigns.html: a vital sign SHALL conform to its profile).
#pragma once

#include <string>
#include <string_view>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

struct ImpliedVitalSign {
  std::string profile;        // the core profile's canonical url
  std::string_view name;      // "Heart rate"
  std::string_view system;    // "LOINC" or "SNOMED CT"
  std::string_view code;      // the code of `observation` that calls for it
};

// The one vital signs profile `observation`'s codes call for, as the reference validator
// chooses it: the first of the profiles, LOINC codes before SNOMED CT ones, that any of
// its codings names. Empty profile when none does.
ImpliedVitalSign implied_vital_sign(const Element& observation);

}  // namespace carebridge::fhir::validation
