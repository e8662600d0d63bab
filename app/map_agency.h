// `carebridge map --mapping NAME|SPEC FILE...`: an agency's files (CSV, XLSX, a form's
// JSON; a folder: every file in it, as one export) through its mapping spec to one
// validated transaction Bundle, with a report of every row not taken and why.
#pragma once

#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/validation/validator.h"

namespace carebridge::app {

// Whether `mapping` names an agency spec: a shipped one (mappings/specs/NAME), a spec
// file, or a folder holding spec.json. Fills `spec_file`.
bool agency_spec_file(const std::string& mapping, std::string& spec_file);

struct AgencyMapRun {
  std::string spec_file;
  std::vector<std::string> inputs;  // files, or folders of files
  std::string out_dir;              // "" : the Bundle to standard output
  std::string agency = "local";     // whose data it is ({agency} in identifier systems)
  fhir::validation::Policy policy = fhir::validation::Policy::Strict;
  std::string records;              // a Bundle of the stored records a status file changes ("": none)
};

// 0: every row taken; 1: some rows (or files) were not; 2: the spec cannot be used.
int map_agency(const AgencyMapRun& run, const fhir::definitions::Definitions& definitions);

// FHIR (each input a Bundle or a resource, JSON) back into the format, as CSV (--to csv).
// 0: written; 1: an input could not be read; 2: the spec cannot be used or names no rows.
int render_agency(const AgencyMapRun& run, const fhir::definitions::Definitions& definitions);

}  // namespace carebridge::app
