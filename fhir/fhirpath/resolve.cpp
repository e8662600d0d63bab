// resolve() inside Bundles: a hash index of fullUrl and type/id per Bundle, built
// on first use within an evaluation (no scan per reference).
#include "fhir/fhirpath/evaluator.h"

namespace carebridge::fhir::fhirpath {
namespace {

using model::Element;

// "http://server/fhir/Patient/1/_history/2" -> "Patient/1".
std::string type_and_id(std::string_view url) {
  if (size_t h = url.find("/_history/"); h != std::string_view::npos) url = url.substr(0, h);
  size_t last = url.rfind('/');
  if (last == std::string_view::npos || last == 0) return {};
  size_t before = url.rfind('/', last - 1);
  std::string_view type = url.substr(before == std::string_view::npos ? 0 : before + 1);
  if (type.empty() || type[0] < 'A' || type[0] > 'Z') return {};
  return std::string(type);
}

}  // namespace

const Element* Evaluator::resolve_in_bundles(const Element& from, std::string_view reference) {
  for (const Element* e = &from; e; e = e->parent) {
    if (!e->is_resource() || e->type != "Bundle") continue;
    auto [it, fresh] = bundles_.try_emplace(e);
    auto& index = it->second;
    if (fresh) {
      for (const Element* entry : e->children()) {
        if (entry->name != "entry") continue;
        const Element* resource = entry->child("resource");
        if (!resource) continue;
        const Element* full_url = entry->child("fullUrl");
        if (full_url && full_url->has_value) {
          index.emplace(std::string(full_url->value), resource);
          if (auto short_form = type_and_id(full_url->value); !short_form.empty()) index.emplace(short_form, resource);
        }
        const Element* id = resource->child("id");
        if (id && id->has_value) index.emplace(std::string(resource->type) + "/" + std::string(id->value), resource);
      }
      spend(e->child_count);
    }
    if (auto hit = index.find(std::string(reference)); hit != index.end()) return hit->second;
    if (auto short_form = type_and_id(reference); !short_form.empty()) {
      if (auto hit = index.find(short_form); hit != index.end()) return hit->second;
    }
  }
  return nullptr;
}

}  // namespace carebridge::fhir::fhirpath
