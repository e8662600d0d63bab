// Builds the lookup tables of a StructureDef once, when it is loaded: element ids,
// parent/children links, contentReference targets and child property names.
#include <algorithm>
#include <unordered_map>

#include "fhir/definitions/structure_reader.h"

namespace carebridge::fhir::definitions {
namespace {

// "Observation.component:systolic.code" -> "Observation.component:systolic".
std::string_view parent_id(std::string_view id) {
  auto dot = id.rfind('.');
  // A dot inside a slice name ("ext:a.b") is not a path step; slice names stop at the next '.'.
  return dot == std::string_view::npos ? std::string_view{} : id.substr(0, dot);
}

// The order of ChildName lists: by length, then by bytes.
bool shorter_name(const ChildName& a, const ChildName& b) {
  return a.name.size() != b.name.size() ? a.name.size() < b.name.size() : a.name < b.name;
}

void add_child_names(StructureDef& sd, uint32_t parent) {
  auto& names = sd.elements[parent].child_names;
  for (uint32_t child : sd.elements[parent].children) {
    const auto& c = sd.elements[child];
    // The value of a primitive is not a child: it is the primitive's own value.
    if (sd.is_primitive() && parent == 0 && c.name == "value") continue;
    if (!c.is_choice) {
      names.push_back({c.name, child, 0});
      continue;
    }
    for (uint16_t t = 0; t < c.types.size(); ++t) {
      names.push_back({c.name + capitalize(c.types[t].code), child, t});
    }
  }
  std::sort(names.begin(), names.end(), [](const ChildName& a, const ChildName& b) { return a.name < b.name; });
  // Then by length first: a lookup then compares lengths (integers) and reads the bytes
  // only of names as long as the property. Stable, so equal names keep the order above.
  std::stable_sort(names.begin(), names.end(), shorter_name);
}

}  // namespace

void index_structure(StructureDef& sd) {
  sd.id_index.clear();
  sd.id_index.reserve(sd.elements.size());
  for (uint32_t i = 0; i < sd.elements.size(); ++i) sd.id_index.emplace_back(sd.elements[i].id, i);
  std::sort(sd.id_index.begin(), sd.id_index.end());
  for (uint32_t i = 1; i < sd.elements.size(); ++i) {
    auto& e = sd.elements[i];
    e.parent = sd.find(parent_id(e.id));
    if (e.parent != kNoElement && e.slice_name.empty()) sd.elements[e.parent].children.push_back(i);
    if (!e.content_reference.empty()) e.content_target = sd.find(e.content_reference);
  }
  for (uint32_t i = 0; i < sd.elements.size(); ++i) add_child_names(sd, i);
}

const ChildName* StructureDef::child(uint32_t element, std::string_view property) const {
  const auto& names = elements[shape_of(element)].child_names;
  auto it = std::lower_bound(names.begin(), names.end(), property, [](const ChildName& c, std::string_view p) {
    return c.name.size() != p.size() ? c.name.size() < p.size() : std::string_view(c.name) < p;
  });
  return it != names.end() && it->name == property ? &*it : nullptr;
}

uint32_t StructureDef::find(std::string_view id) const {
  auto it = std::lower_bound(id_index.begin(), id_index.end(), id,
                             [](const auto& entry, std::string_view key) { return entry.first < key; });
  return it != id_index.end() && it->first == id ? it->second : kNoElement;
}

}  // namespace carebridge::fhir::definitions
