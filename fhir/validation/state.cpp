// The validator's shared caches that are not terminology or snapshots: primitive
// regexes and slice lists of profile elements (compiled invariants: invariants.cpp).
#include "fhir/validation/state.h"

namespace carebridge::fhir::validation {

const std::regex* ValidatorState::primitive_regex(const definitions::StructureDef& type) {
  std::lock_guard lock(mutex_);
  auto it = regexes_.find(&type);
  if (it != regexes_.end()) return it->second.get();
  std::unique_ptr<std::regex> re;
  if (!type.value_regex.empty()) {
    try {
      re = std::make_unique<std::regex>(type.value_regex, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error&) {
      re.reset();  // a pattern std::regex cannot read: the type's value is not checked by regex
    }
  }
  return regexes_.emplace(&type, std::move(re)).first->second.get();
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
