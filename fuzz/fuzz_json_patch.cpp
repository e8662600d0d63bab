// Fuzzes JSON Patch and JSON Merge Patch: the input is a JSON document and a patch,
// split at the first NUL byte; both are read keeping numbers' text, then patched.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/rest/json_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace carebridge::gateway::rest;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nul = input.find('\0');
  if (nul == std::string_view::npos) return 0;
  PatchLimits limits;
  limits.max_depth = 64;
  limits.max_operations = 256;
  rapidjson::Document target, patch;
  if (!parse_json_keeping_numbers(input.substr(0, nul), limits.max_depth, target)) return 0;
  if (!parse_json_keeping_numbers(input.substr(nul + 1), limits.max_depth, patch)) return 0;
  rapidjson::Document merged;
  merged.CopyFrom(target, merged.GetAllocator());
  if (patch.IsArray() && apply_json_patch(target, patch, limits).empty()) (void)write_json_keeping_numbers(target);
  if (patch.IsObject() && apply_merge_patch(merged, patch, limits).empty()) (void)write_json_keeping_numbers(merged);
  return 0;
}
