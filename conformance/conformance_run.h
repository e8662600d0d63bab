// `carebridge conformance`: validates every resource under a folder (JSON, XML,
// NDJSON, Bundles) against the core definitions, the profiles the resources claim
// and any FHIR packages found in the folder, runs the golden mapping cases it finds
// there (mapping_cases.h), and reports per file and per case.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conformance/mapping_cases.h"
#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"

namespace carebridge::conformance {

// What was found in one file.
struct FileResult {
  std::string path;   // relative to the folder validated
  std::string kind;   // "json", "xml" or "ndjson"
  size_t resources = 0;
  size_t errors = 0;
  size_t warnings = 0;
  std::vector<fhir::model::Issue> issues;  // NDJSON: position.line is the line of the file
  std::map<std::string, size_t> profiles;  // resources by "Type" and by "Type profile-url"
};

struct Report {
  std::string folder;
  std::vector<std::string> packages;  // FHIR packages loaded: --package's, then the folder's
  std::vector<FileResult> files;
  std::vector<MappingCase> mappings;  // golden mapping cases found in the folder
  size_t errors() const;              // the files' errors and the failed mapping cases
  size_t warnings() const;
};

// Called after each file: files done, files in all.
using Progress = std::function<void(size_t done, size_t total)>;

// Validates everything under `folder`; packages found there are added to `definitions`.
// `report_dir` (where the report goes, when it is under `folder`) and the input folders of
// golden mapping cases (NAME beside NAME.expected.json: an agency's files, not FHIR) are
// not validated.
Report run_conformance(const std::filesystem::path& folder, fhir::definitions::Definitions& definitions,
                       const Progress& progress = {}, const std::filesystem::path& report_dir = {});

// The summary as a text table: files, resources, errors and warnings per file type.
std::string summary_table(const Report& report);
// The report as one self-contained HTML page (no external assets, everything escaped).
std::string html_report(const Report& report);
// The report as JSON: per file its counts and issues with their location.
std::string json_report(const Report& report);

}  // namespace carebridge::conformance
