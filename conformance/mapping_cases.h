// Golden mapping cases in an integrator's folder: an agency's input (NAME.csv, NAME.xlsx or
// a form's NAME.json) beside the Bundle it must map to (NAME.expected.json), mapped with the
// spec.json in the same folder (an integrator's own mapping) or, when there is none, the
// shipped spec named like the folder (…/foodbank-intake/intake.csv); or an HL7 v2 message
// (NAME.hl7) beside the Bundle the shipped v2 maps must make of it. Each case reports
// every difference by FHIR path, with the source cell the mapped value came from, and
// every row the mapping refused or the validator found wrong.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/validation/validator.h"

namespace carebridge::conformance {

struct MappingDifference {
  std::string path;      // "Bundle.entry[2].resource.birthDate"
  std::string expected;  // JSON as expected ("" when absent)
  std::string actual;    // JSON as mapped ("" when absent)
  std::string source;    // the cell the mapped value came from ("intake.csv row 3, column \"DOB\"")
};

struct MappingCase {
  std::string input;     // relative to the folder
  std::string expected;  // relative to the folder
  std::string spec;      // the spec used: a file relative to the folder, or a shipped spec's name
  std::vector<MappingDifference> differences;
  std::vector<fhir::model::Issue> issues;  // the spec's mistakes, rows refused, validation errors
  size_t errors() const;
  bool passed() const { return differences.empty() && errors() == 0; }
};

// Whether `file` takes part in a golden case as something other than a FHIR resource to
// validate (an input form's JSON, a spec).
bool is_mapping_file(const std::filesystem::path& file);
// Whether `dir` is a golden case's input folder (NAME beside NAME.expected.json): an agency's
// export, whose files are not FHIR to validate.
bool is_case_input(const std::filesystem::path& dir);

// Every golden case under `folder`, mapped and compared.
std::vector<MappingCase> run_mapping_cases(const std::filesystem::path& folder,
                                           const fhir::definitions::Definitions& definitions,
                                           const fhir::validation::Validator& validator);

}  // namespace carebridge::conformance
