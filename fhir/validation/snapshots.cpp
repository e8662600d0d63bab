// Profiles as the validator uses them: with a snapshot. Profiles from FHIR packages
// often carry only a differential; their snapshot is generated here once from the
// base snapshot: differential elements are merged into the matching base element,
// slices copy their sliced element's subtree, and constraints on children of a
// complex type expand that type's elements first. (The common cases; not a full
// implementation of the snapshot algorithm.)
#include <functional>

#include "fhir/definitions/structure_reader.h"
#include "fhir/validation/state.h"

namespace carebridge::fhir::validation {
namespace defs = carebridge::fhir::definitions;
namespace {

// One past the last element of `at`'s subtree, including its slices.
uint32_t subtree_end(const defs::StructureDef& sd, uint32_t at) {
  const std::string& id = sd.elements[at].id;
  uint32_t end = at + 1;
  while (end < sd.elements.size()) {
    const std::string& next = sd.elements[end].id;
    // Children ('.'), slices (':') and, under a slice, its reslices ('/': "identifier:mrn/old").
    if (!(next.starts_with(id) && next.size() > id.size() &&
          (next[id.size()] == '.' || next[id.size()] == ':' || next[id.size()] == '/'))) {
      break;
    }
    ++end;
  }
  return end;
}

void reindex(defs::StructureDef& sd) {
  for (auto& e : sd.elements) {
    e.children.clear();
    e.child_names.clear();
    e.parent = defs::kNoElement;
    e.content_target = defs::kNoElement;
  }
  defs::index_structure(sd);
}

std::string replace_prefix(const std::string& text, const std::string& from, const std::string& to) {
  return text.starts_with(from) ? to + text.substr(from.size()) : text;
}

// Adds the elements of `type` (the definition or a profile of `at`'s type) below `at`, when the
// snapshot does not list them yet.
bool expand_type(const defs::StructureDef* type, defs::StructureDef& sd, uint32_t at) {
  if (subtree_end(sd, at) != at + 1 || sd.elements[at].types.size() != 1) return false;
  const defs::ElementDef& e = sd.elements[at];
  if (!type || type->elements.size() < 2) return false;
  std::vector<defs::ElementDef> added(type->elements.begin() + 1, type->elements.end());
  for (auto& a : added) {
    a.id = replace_prefix(a.id, type->type, e.id);
    a.path = replace_prefix(a.path, type->type, e.path);
  }
  sd.elements.insert(sd.elements.begin() + at + 1, added.begin(), added.end());
  reindex(sd);
  return true;
}

// Adds a slice: a copy of the sliced element's subtree (without its slices) after it. A
// reslice ("Patient.identifier:mrn/old") copies the slice it divides (":mrn"), with that
// slice's constraints.
uint32_t add_slice(defs::StructureDef& sd, const defs::ElementDef& diff) {
  uint32_t base = sd.find(defs::sliced_element_id(diff.id));
  if (base == defs::kNoElement) return defs::kNoElement;
  const std::string base_id = sd.elements[base].id;
  std::vector<defs::ElementDef> copy;
  copy.push_back(sd.elements[base]);
  for (uint32_t i = base + 1; i < sd.elements.size() && sd.elements[i].id.starts_with(base_id + "."); ++i) {
    copy.push_back(sd.elements[i]);
  }
  for (auto& c : copy) {
    c.id = replace_prefix(c.id, base_id, diff.id);
    c.slicing.reset();
  }
  copy.front().slice_name = diff.slice_name;
  copy.front().min = 0;  // the sliced element's minimum counts all its slices together, not each one
  uint32_t end = subtree_end(sd, base);
  sd.elements.insert(sd.elements.begin() + end, copy.begin(), copy.end());
  reindex(sd);
  return end;
}

// A differential may name one type of a choice by its type-specific name
// ("Observation.valueQuantity" for the Quantity of Observation.value[x]): that is the
// type slice "Observation.value[x]:valueQuantity". Rewrites such an id (or one inside
// it, "Observation.valueQuantity.system") to the slice's, and gives the slice's own id;
// false when no element of the snapshot is a choice of that name.
bool choice_slice_id(const defs::StructureDef& sd, std::string& id, std::string& slice_id) {
  for (size_t dot = id.find('.'); dot != std::string::npos; dot = id.find('.', dot + 1)) {
    size_t end = id.find('.', dot + 1);
    std::string head = id.substr(0, end == std::string::npos ? id.size() : end);
    if (sd.find(head) != defs::kNoElement) continue;
    size_t parent_end = head.rfind('.');
    std::string_view step = std::string_view(head).substr(parent_end + 1);
    uint32_t parent = sd.find(std::string_view(head).substr(0, parent_end));
    if (parent == defs::kNoElement) return false;
    for (const defs::ChildName& c : sd.elements[parent].child_names) {
      const defs::ElementDef& choice = sd.elements[c.element];
      if (c.name != step || !choice.is_choice || !choice.slice_name.empty()) continue;
      slice_id = choice.id + ":" + std::string(step);
      id = slice_id + id.substr(head.size());
      return true;
    }
    return false;
  }
  return false;
}

// The slice for a choice's type-specific name: on first use, the choice is sliced by type
// (open, when the differential slices it no other way) and the slice takes that one type.
uint32_t add_choice_slice(defs::StructureDef& sd, const std::string& slice_id) {
  auto colon = slice_id.rfind(':');
  uint32_t choice = sd.find(std::string_view(slice_id).substr(0, colon));
  if (choice == defs::kNoElement || !sd.elements[choice].is_choice) return defs::kNoElement;
  std::string property = slice_id.substr(colon + 1);
  defs::ElementDef slice;
  slice.id = slice_id;
  slice.slice_name = property;
  for (const auto& t : sd.elements[choice].types) {
    if (sd.elements[choice].name + defs::capitalize(t.code) == property) slice.types = {t};
  }
  if (slice.types.empty()) return defs::kNoElement;
  if (!sd.elements[choice].slicing) sd.elements[choice].slicing = defs::Slicing{{{"type", "$this"}}, false, "open"};
  uint32_t at = add_slice(sd, slice);
  if (at != defs::kNoElement) sd.elements[at].types = slice.types;
  return at;
}

void merge(defs::ElementDef& into, const defs::ElementDef& diff) {
  if (diff.is_modifier) into.is_modifier = true;  // a modifier extension says so on its root
  into.min = std::max(into.min, diff.min);
  // A differential without "max" keeps the base's (a slice its sliced element's: an
  // "identifier:mrn" with min 1 alone may repeat).
  if (diff.max_given) into.max = diff.max;
  if (!diff.types.empty()) into.types = diff.types;
  if (diff.fixed) into.fixed = diff.fixed;
  if (diff.pattern) into.pattern = diff.pattern;
  if (diff.min_value) into.min_value = diff.min_value;
  if (diff.max_value) into.max_value = diff.max_value;
  if (diff.max_length) into.max_length = diff.max_length;
  if (diff.binding) into.binding = diff.binding;
  if (diff.slicing) into.slicing = diff.slicing;
  if (diff.must_support) into.must_support = true;
  for (const auto& c : diff.constraints) into.constraints.push_back(c);
}

// The element of the snapshot a differential element constrains: found, or a slice made for it,
// or found after expanding the types of its nearest listed ancestor (from the profile the
// ancestor names for its type, `shape`), as often as that makes progress.
uint32_t place(defs::StructureDef& sd, const defs::ElementDef& diff,
               const std::function<const defs::StructureDef*(const defs::ElementDef&)>& shape) {
  const std::string& id = diff.id;
  bool slice = !diff.slice_name.empty() && id.rfind(':') != std::string::npos && id.find('.', id.rfind(':')) == std::string::npos;
  for (int expansions = 0; expansions < 16; ++expansions) {
    uint32_t at = sd.find(id);
    if (at == defs::kNoElement && slice) {
      // A slice of a choice named for one of its types ("effective[x]:effectiveDateTime") is
      // that type's slice, also when the differential gives no type (or no slicing) for it.
      at = add_choice_slice(sd, id);
      if (at == defs::kNoElement) at = add_slice(sd, diff);
    }
    if (at != defs::kNoElement) return at;
    uint32_t ancestor = defs::kNoElement;
    for (size_t dot = id.rfind('.'); dot != std::string::npos && ancestor == defs::kNoElement; dot = id.rfind('.', dot - 1)) {
      ancestor = sd.find(std::string_view(id).substr(0, dot));
      if (dot == 0) break;
    }
    if (ancestor == defs::kNoElement || !expand_type(shape(sd.elements[ancestor]), sd, ancestor)) return defs::kNoElement;
  }
  return defs::kNoElement;
}

}  // namespace

const defs::StructureDef* ValidatorState::type_shape(const defs::ElementDef& element) {
  if (element.types.size() != 1) return nullptr;
  const defs::TypeRef& type = element.types[0];
  // The profile the element names for its type gives its children (an extension slice's parts,
  // a datatype profile's constraints); else the type's own definition.
  if (type.profiles.size() == 1) {
    if (const defs::StructureDef* profile = this->profile(type.profiles[0]); profile && profile->type == type.code) return profile;
  }
  return defs.type(type.code);
}

const defs::StructureDef* ValidatorState::profile(std::string_view url) {
  const defs::StructureDef* sd = defs.structure(url);
  if (!sd || sd->has_snapshot) return sd;
  std::lock_guard lock(mutex_);
  std::string key(url);
  if (auto it = snapshots_.find(key); it != snapshots_.end()) return it->second.get();
  if (!expanding_.insert("snapshot " + key).second) return nullptr;  // a profile based on itself
  auto generated = generate_snapshot(*sd);
  expanding_.erase("snapshot " + key);
  return snapshots_.emplace(key, std::move(generated)).first->second.get();
}

std::unique_ptr<defs::StructureDef> ValidatorState::generate_snapshot(const defs::StructureDef& differential) {
  const defs::StructureDef* base = profile(differential.base_definition);
  if (!base || !base->has_snapshot) return nullptr;
  auto sd = std::make_unique<defs::StructureDef>(*base);
  sd->url = differential.url;
  sd->version = differential.version;
  sd->name = differential.name;
  sd->type = differential.type;
  sd->base_definition = differential.base_definition;
  sd->derivation = differential.derivation;
  sd->contexts = differential.contexts;
  sd->base = base;
  sd->has_snapshot = true;
  reindex(*sd);
  for (const auto& diff_element : differential.elements) {
    const defs::ElementDef* diff_ptr = &diff_element;
    defs::ElementDef renamed;
    if (sd->find(diff_element.id) == defs::kNoElement) {
      renamed = diff_element;
      std::string slice_id;
      if (choice_slice_id(*sd, renamed.id, slice_id)) {
        // The type slice first, also when the differential only names an element inside it.
        if (sd->find(slice_id) == defs::kNoElement) add_choice_slice(*sd, slice_id);
        if (renamed.id == slice_id) renamed.slice_name = slice_id.substr(slice_id.rfind(':') + 1);
        diff_ptr = &renamed;
      }
    }
    const defs::ElementDef& diff = *diff_ptr;
    uint32_t at = place(*sd, diff, [this](const defs::ElementDef& e) { return type_shape(e); });
    if (at == defs::kNoElement) continue;
    merge(sd->elements[at], diff);
  }
  reindex(*sd);
  return sd;
}

}  // namespace carebridge::fhir::validation
