// `carebridge conformance`: validates every resource under a folder (JSON, XML,
// NDJSON, Bundles) against the core definitions, the profiles the resources claim
// and any FHIR packages found in the folder, and reports per file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

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
};

struct Report {
  std::string folder;
  std::vector<std::string> packages;  // FHIR packages loaded from the folder
  std::vector<FileResult> files;
  size_t errors() const;
  size_t warnings() const;
};

// Called after each file: files done, files in all.
using Progress = std::function<void(size_t done, size_t total)>;

// Validates everything under `folder`; packages found there are added to `definitions`.
Report run_conformance(const std::filesystem::path& folder, fhir::definitions::Definitions& definitions,
                       const Progress& progress = {});

// The summary as a text table: files, resources, errors and warnings per file type.
std::string summary_table(const Report& report);
// The report as one self-contained HTML page (no external assets, everything escaped).
std::string html_report(const Report& report);
// The report as JSON: per file its counts and issues with their location.
std::string json_report(const Report& report);

}  // namespace carebridge::conformance
