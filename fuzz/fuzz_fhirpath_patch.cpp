// Fuzzes FHIRPath Patch (R4 fhirpatch.html): the input is a resource and a Parameters
// resource of operations, JSON both, split at the first NUL byte; both are read keeping
// numbers' text, the operations applied with the FHIRPath engine, the result written.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "gateway/rest/fhirpath_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace carebridge::gateway::rest;
  static carebridge::fhir::fhirpath::Engine engine{fuzz_definitions()};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nul = input.find('\0');
  if (nul == std::string_view::npos) return 0;
  PatchLimits limits;
  limits.max_bytes = 1u << 20;
  limits.max_depth = 64;
  limits.max_operations = 64;
  rapidjson::Document target, parameters;
  if (!parse_json_keeping_numbers(input.substr(0, nul), limits.max_depth, target)) return 0;
  if (!parse_json_keeping_numbers(input.substr(nul + 1), limits.max_depth, parameters)) return 0;
  if (apply_fhirpath_patch(target, parameters, engine, limits).empty()) (void)write_json_keeping_numbers(target);
  return 0;
}
