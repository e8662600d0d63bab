// Changes the REST layer makes to a parsed resource before it is stored or
// returned: id and meta (versionId, lastUpdated), reference rewriting for
// transactions, and the _elements / _summary subsets.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/search/parse.h"

namespace carebridge::gateway::rest {

namespace model = fhir::model;

// The resource's logical id, or empty.
std::string_view resource_id(const model::Element& resource);

// Sets (adding when missing) a primitive child of `parent` ("id", "versionId").
void set_primitive(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& parent,
                   std::string_view name, std::string_view value);

// Removes every child of `parent` with this base name.
void remove_children(model::Element& parent, std::string_view name);

// The child of `parent` with this name, added in the definitions' order when missing;
// null when the definitions have no such element ("meta" of a resource).
model::Element* ensure_child(model::Document& document, const fhir::definitions::Definitions& definitions,
                             model::Element& parent, std::string_view name);

// A new child of `parent` for a repeating element ("tag", "security"), placed in the
// definitions' order after its siblings; null when the definitions have no such element.
model::Element* append_child(model::Document& document, const fhir::definitions::Definitions& definitions,
                             model::Element& parent, std::string_view name);

// Tags `resource` SUBSETTED (meta.tag, v3-ObservationValue) unless it already is: part of
// it was left out (_elements, _summary, or redaction), so it must not be used to update.
void mark_subsetted(model::Document& document, const fhir::definitions::Definitions& definitions,
                    model::Element& resource);

// Sets the meta.tag of `system` to `code` (adding the tag, or changing the one there).
void set_tag(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& resource,
             std::string_view system, std::string_view code);

// Sets id, meta.versionId and meta.lastUpdated (the server owns these).
void set_identity(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& resource,
                  std::string_view id, std::string_view version, std::string_view last_updated);

// Calls `visit` with every reference-like primitive in the resource (Reference.reference,
// uri, url, canonical values), contained and nested resources included; the visitor may
// change its value via `document.copy`.
void for_each_reference(model::Element& resource, const std::function<void(model::Element& primitive)>& visit);

// The type and criteria of a conditional reference ("Organization?identifier=x|1"); both
// empty when `reference` is none (no '?', or a URL of another server, whose query is its own).
std::pair<std::string_view, std::string_view> conditional_reference(std::string_view reference);

// Keeps only the listed top-level elements ("name", or "Patient.name" in a Patient),
// plus id, meta and the mandatory ones, and tags the resource SUBSETTED (_elements).
void keep_elements(model::Document& document, const fhir::definitions::Definitions& definitions,
                   const std::set<std::string, std::less<>>& names);

using fhir::search::Summary;
// Removes what a _summary mode leaves out and tags the resource SUBSETTED.
void apply_summary(model::Document& document, const fhir::definitions::Definitions& definitions, Summary summary);

}  // namespace carebridge::gateway::rest
