// The validator's shared caches that are not snapshots or invariants: slice lists of
// profile elements, parsed fixed values and the parts of complex extensions; and which
// terminology answers its bindings (compiled invariants: invariants.cpp).
#include "fhir/validation/state.h"

namespace carebridge::fhir::validation {

ValidatorState::ValidatorState(const definitions::Definitions& definitions, const terminology::Terminology* shared)
    : defs(definitions),
      own_terminology_(shared ? nullptr : std::make_unique<terminology::Terminology>(definitions)),
      terminology_(shared ? shared : own_terminology_.get()) {}

const terminology::Ucum* ValidatorState::ucum() {
  std::call_once(ucum_once_, [this] {
    if (!defs.root().empty()) ucum_ = terminology::Ucum::load(defs.root() / "ucum" / "ucumDefs.min.json");
  });
  return ucum_.get();
}

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
      // A reslice ("identifier:mrn/old") is a slice of its slice ("identifier:mrn").
      uint32_t base = sd.find(definitions::sliced_element_id(id));
      if (base != definitions::kNoElement) table[base].push_back(i);
    }
    found = slices_.find(&sd);
  }
  static const std::vector<uint32_t> none;
  auto it = found->second.find(element);
  return it == found->second.end() ? none : it->second;
}

const std::string& ValidatorState::undecidable_slicing(const definitions::StructureDef& sd, uint32_t element,
                                                      const std::function<std::string()>& work) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(&sd, element);
  auto found = undecidable_.find(key);
  if (found == undecidable_.end()) found = undecidable_.emplace(key, work()).first;
  return found->second;
}

const std::unordered_set<std::string>& ValidatorState::sub_extensions(const definitions::StructureDef& extension) {
  std::lock_guard lock(mutex_);
  auto found = sub_extensions_.find(&extension);
  if (found != sub_extensions_.end()) return found->second;
  auto& urls = sub_extensions_[&extension];
  for (const auto& e : extension.elements) {
    if (e.path != "Extension.extension.url" || !e.fixed) continue;
    if (std::string url = e.fixed->string_value(); !url.empty()) urls.insert(std::move(url));
  }
  return urls;
}

}  // namespace carebridge::fhir::validation
