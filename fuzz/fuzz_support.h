// Shared by the fuzz targets: the core definitions, loaded once.
#pragma once

#include "fhir/definitions/definitions.h"

inline const carebridge::fhir::definitions::Definitions& fuzz_definitions() {
  static auto defs = carebridge::fhir::definitions::Definitions::load_core(
      carebridge::fhir::definitions::Definitions::default_dir());
  return *defs;
}
