// Internal to terminology: one ValueSet resource expanded (its stored expansion when
// it has one, else its compose), given how to find the code systems and the other
// value sets it names. Caching and cycles are the caller's (terminology.cpp).
#pragma once

#include <functional>
#include <string_view>

#include "fhir/terminology/expansion.h"

namespace carebridge::fhir::terminology {

struct ExpansionSources {
  std::function<const CodeSystem*(std::string_view url)> code_system;  // null: not loaded
  std::function<const Expansion*(std::string_view url)> value_set;     // null: unknown, or a cycle
};

// Expands a ValueSet given as JSON text.
Result<Expansion> expand_value_set(std::string_view json_text, const ExpansionSources& sources);

// The implicit value set of a whole code system: every code when it is complete, else open.
Expansion whole_code_system(const CodeSystem& cs);

}  // namespace carebridge::fhir::terminology
