// Internal to terminology: the ValueSet compose filters evaluated on a code system
// loaded completely: =, in, not-in, regex, exists on a property (or on the code
// itself: "concept" / "code", or "display"), and is-a, descendent-of, is-not-a,
// generalizes on the hierarchy.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "fhir/terminology/code_system.h"

namespace carebridge::fhir::terminology {

// The concepts of `cs` that pass the filter, as a mask over cs.concepts; nullopt
// when the filter cannot be evaluated here (an unknown operator, a hierarchy
// operator on a property, a regex refused as too complex).
std::optional<std::vector<bool>> select_concepts(const CodeSystem& cs, std::string_view property, std::string_view op,
                                                 std::string_view value);

}  // namespace carebridge::fhir::terminology
