// OperationOutcome: one issue per problem with severity, the FHIR issue-type code,
// plain-language details.text, the FHIRPath location in `expression` and, when the
// input was XML (or positioned JSON), the line and column.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"

namespace carebridge::fhir::validation {

// The OperationOutcome as FHIR JSON text (compact). An empty list gives the
// "all OK" outcome: one information issue.
// Past `at_most` issues (an answer of the server: 300,000 unknown properties gave 94 MB), the
// first `at_most`, errors first, and an issue saying how many more there are.
std::string operation_outcome_json(const std::vector<model::Issue>& issues, bool pretty = false, size_t at_most = 1000);

// The OperationOutcome as an element tree, ready to write as JSON or XML.
std::unique_ptr<model::Document> operation_outcome(const std::vector<model::Issue>& issues,
                                                   const definitions::Definitions& definitions);

}  // namespace carebridge::fhir::validation
