// Records that list other records as their content disclose them: whoever reads a
// DiagnosticReport learns its results' ids (often their names too), whoever reads a
// Provenance learns what it is the provenance of. Such a record carries the sensitivity
// labels of what it lists, or an HIV viral load hidden from a clinic would show through the
// panel that holds it beside a glucose.
#pragma once

#include <functional>
#include <string_view>

#include "fhir/model/document.h"

namespace carebridge::gateway::security {

// Calls `f` with each reference of `resource` that lists another record as its content:
// DiagnosticReport.result, Observation.hasMember, Provenance.target, List.entry.item,
// Composition.section.entry (at any depth of sections), DocumentManifest.content.
void for_each_disclosed(const fhir::model::Element& resource, const std::function<void(std::string_view)>& f);

// Whether resources of `type` can list others as their content.
bool discloses(std::string_view type);

}  // namespace carebridge::gateway::security
