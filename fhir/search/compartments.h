// Compartments (FHIR R4 CompartmentDefinition): the resources of a type that belong to one
// Patient (or Encounter, Practitioner, ...), for a search scoped to it, GET Patient/7/Observation
// (FHIR http 3.1.0.12.1). Read once from the definitions' CompartmentDefinition files.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/search/query.h"
#include "fhir/search/registry.h"

namespace carebridge::fhir::search {

class Compartments {
 public:
  // The CompartmentDefinitions among the definitions (R4's five: Patient, Encounter,
  // RelatedPerson, Practitioner, Device), and every compartmentdefinition-*.json in `folder`.
  static Compartments load(const definitions::Definitions& definitions, const std::filesystem::path& folder,
                           const SearchRegistry& registry);
  // Adds the compartment the CompartmentDefinition `json` defines (once per url); false when
  // it cannot be read.
  bool add(std::string_view json, const SearchRegistry& registry);

  // The canonical URLs of the CompartmentDefinitions read (for the CapabilityStatement).
  const std::vector<std::string>& urls() const { return urls_; }
  // Whether `compartment` ("Patient") is a compartment these definitions define.
  bool defines(std::string_view compartment) const { return params_.count(compartment) > 0; }
  // The clause matching the resources of `type` in the compartment `compartment`/`id`: one
  // of its parameters refers to it. Empty `either` when resources of `type` are never in it.
  Clause clause(std::string_view compartment, std::string_view id, std::string_view type) const;
  // The resource types that can be in the compartment.
  std::vector<std::string> types(std::string_view compartment) const;
  // The clause matching the resources of any of `types` in the compartment, for a search of
  // them together: one of the parameters that place some type there refers to it. An empty
  // `id`: in the compartment of any resource of that type (Patient/$everything), the
  // resources of the type themselves among them.
  Clause clause(std::string_view compartment, std::string_view id, const std::vector<std::string>& types) const;

 private:
  // Per compartment, per resource type, the index codes of the parameters that place it there.
  std::map<std::string, std::map<std::string, std::vector<std::string>, std::less<>>, std::less<>> params_;
  std::vector<std::string> urls_;
};

}  // namespace carebridge::fhir::search
