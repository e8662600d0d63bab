#include "gateway/security/disclosure.h"

#include <array>

namespace carebridge::gateway::security {

namespace {

struct Listing {
  std::string_view type;
  std::array<std::string_view, 2> path;  // child names down to the Reference; "" past the end
};

constexpr Listing kListings[] = {
    {"DiagnosticReport", {"result", ""}}, {"Observation", {"hasMember", ""}}, {"Provenance", {"target", ""}},
    {"List", {"entry", "item"}},          {"DocumentManifest", {"content", ""}},
};

using Visit = std::function<void(std::string_view)>;

void references_below(const fhir::model::Element& parent, const std::string_view* name, const std::string_view* end,
                      const Visit& f) {
  for (const auto* child = parent.first_child; child; child = child->next) {
    if (child->base_name() != *name) continue;
    if (name + 1 != end && !name[1].empty()) {
      references_below(*child, name + 1, end, f);
    } else if (const auto* reference = child->child("reference"); reference && reference->has_value) {
      f(reference->value);
    }
  }
}

// Composition.section.entry, and the entries of sections within sections.
void section_entries(const fhir::model::Element& parent, const Visit& f, int depth) {
  constexpr std::string_view kEntry[] = {"entry"};
  for (const auto* section = parent.first_child; section; section = section->next) {
    if (section->base_name() != "section") continue;
    references_below(*section, kEntry, kEntry + 1, f);
    if (depth < 32) section_entries(*section, f, depth + 1);
  }
}

}  // namespace

bool discloses(std::string_view type) {
  if (type == "Composition") return true;
  for (const Listing& l : kListings)
    if (l.type == type) return true;
  return false;
}

void for_each_disclosed(const fhir::model::Element& resource, const Visit& f) {
  if (resource.type == "Composition") return section_entries(resource, f, 0);
  for (const Listing& l : kListings)
    if (l.type == resource.type) references_below(resource, l.path.data(), l.path.data() + l.path.size(), f);
}

}  // namespace carebridge::gateway::security
