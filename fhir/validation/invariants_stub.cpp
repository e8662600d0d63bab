// Placeholder until the FHIRPath engine links: no invariant is evaluated.
// Replaced by invariants.cpp (kept as invariants.cpp.pending meanwhile).
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

void check_invariants(Run&, const Element&, const definitions::ElementDef*, const definitions::StructureDef*,
                      const Path&) {}

}  // namespace carebridge::fhir::validation

namespace carebridge::fhir::validation {

std::unique_ptr<Validator> Validator::with_invariants(const definitions::Definitions& definitions) {
  return std::make_unique<Validator>(definitions, nullptr);
}

}  // namespace carebridge::fhir::validation
