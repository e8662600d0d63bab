// Helpers for the validator tests: validate JSON/XML text with the core definitions
// (and a FHIRPath engine, so invariants run) and look for issues.
#pragma once

#include <string>
#include <vector>

#include "fhir/validation/validator.h"
#include "support/test_support.h"

namespace carebridge::testing {

// The validator shared by the tests (thread-safe, built once).
const fhir::validation::Validator& validator();

// Parses `text` and validates it; reader issues (and what the reader read past that
// validation refuses) come first.
std::vector<fhir::model::Issue> validate_text(const std::string& text, const fhir::validation::Options& options = {});

// Whether some issue has this severity, code (empty: any) and an expression containing `where`
// and a message containing `words`.
bool has_issue(const std::vector<fhir::model::Issue>& issues, fhir::model::Severity severity, const std::string& code,
               const std::string& where, const std::string& words = "");
size_t count_errors(const std::vector<fhir::model::Issue>& issues);
// All issues as text, for failure messages.
std::string describe(const std::vector<fhir::model::Issue>& issues);

// A Patient with narrative: the starting point of many tests ("{BODY}" is replaced).
std::string patient(const std::string& body);

}  // namespace carebridge::testing
