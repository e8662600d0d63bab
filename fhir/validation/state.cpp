// The validator's shared caches that are not terminology or snapshots: slice
// lists of profile elements (compiled invariants: invariants.cpp).
#include "fhir/validation/state.h"

namespace carebridge::fhir::validation {

const rapidjson::Document* ValidatorState::value_json(const definitions::TypedJson& value) {
  std::lock_guard lock(mutex_);
  auto& json = values_[&value];
  if (!json) {
    json = std::make_unique<rapidjson::Document>();
    json->Parse(value.json.data(), value.json.size());
  }
  return json->HasParseError() ? nullptr : json.get();
}

const std::vector<uint32_t>& ValidatorState::slices(const definitions::StructureDef& sd, uint32_t element) {
  std::lock_guard lock(mutex_);
  auto found = slices_.find(&sd);
  if (found == slices_.end()) {
    auto& table = slices_[&sd];
    // A slice's id is its sliced element's id plus ":name" on the last step.
    for (uint32_t i = 0; i < sd.elements.size(); ++i) {
      const auto& e = sd.elements[i];
      if (e.slice_name.empty()) continue;
      std::string_view id = e.id;
      auto colon = id.rfind(':');
      if (colon == std::string_view::npos || id.find('.', colon) != std::string_view::npos) continue;
      uint32_t base = sd.find(id.substr(0, colon));
      if (base != definitions::kNoElement) table[base].push_back(i);
    }
    found = slices_.find(&sd);
  }
  static const std::vector<uint32_t> none;
  auto it = found->second.find(element);
  return it == found->second.end() ? none : it->second;
}

}  // namespace carebridge::fhir::validation
