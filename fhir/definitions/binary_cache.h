// Internal: a binary snapshot of the eagerly indexed definitions (base types and the
// other conformance resources of the same files), so later start-ups read a few MB
// instead of parsing ~37 MB of JSON. The snapshot is keyed on the source files'
// sizes and modification times; any mismatch or damage falls back to the JSON.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fhir/definitions/store.h"

namespace carebridge::fhir::definitions {

// Identifies the inputs a snapshot was made from.
std::string cache_key(const std::vector<std::filesystem::path>& sources);

// Writes `store` to `file` (atomically, via a temporary file); false when it cannot.
bool save_cache(const std::filesystem::path& file, const std::string& key, const Definitions::Store& store);

// Fills `store` from `file` when its key matches; false (store untouched) otherwise.
bool load_cache(const std::filesystem::path& file, const std::string& key, Definitions::Store& store);

}  // namespace carebridge::fhir::definitions
