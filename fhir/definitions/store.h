// Internal: the tables one group of definitions is indexed into, and the
// readers that fill them from Bundles, package folders and single resources.
#pragma once

#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"

namespace carebridge::fhir::definitions {

struct Definitions::Store {
  std::deque<StructureDef> structures;
  StringMap<const StructureDef*> by_url;   // "url" and "url|version"
  StringMap<const StructureDef*> by_type;  // base (specialization) types by name
  std::deque<ConformanceResource> resources;
  // "url" and "url|version" to the resources of each type with that canonical, the first
  // added of a type only: found by the URL alone (no key to build), the type among few.
  StringMap<std::vector<const ConformanceResource*>> by_canonical;

  void add(StructureDef&& sd);
  void add(ConformanceResource&& resource);
  // Reads every resource of a Bundle JSON file (entry[].resource) or a single resource file.
  void read_file(const std::filesystem::path& file);
  // Reads one resource from JSON text; `origin` names it in errors.
  void read_json(std::string text, const std::string& origin);
};

// Reads a whole file; throws std::runtime_error naming the file on failure.
std::string read_file_text(const std::filesystem::path& file);

}  // namespace carebridge::fhir::definitions
