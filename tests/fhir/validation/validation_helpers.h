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

// The core definitions with the fixture package tests/data/validation/packages/NAME added,
// loaded once per package.
const fhir::definitions::Definitions& core_with_package(const std::string& package);

// Reads `text` with those definitions and validates it (invariants on) against `profile`
// too when one is given; the reader's issues come first.
std::vector<fhir::model::Issue> validate_with_package(const std::string& package, const std::string& text,
                                                      const std::string& profile = "");

// A Patient with narrative: the starting point of many tests ("{BODY}" is replaced).
std::string patient(const std::string& body);

}  // namespace carebridge::testing
