// Which patients and organizations a resource concerns, for its access facts: the
// Patient compartment (the core CompartmentDefinition, read once) names the search
// parameters through which a resource belongs to a patient; a short table names
// the elements through which it is addressed to an organization or makes one a
// carer (Task.owner, CareTeam.participant.onBehalfOf, EpisodeOfCare.managingOrganization...).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/element.h"
#include "fhir/model/result.h"
#include "fhir/search/index_row.h"
#include "fhir/search/registry.h"
#include "gateway/security/access_facts.h"

namespace carebridge::gateway::security {

class PatientCompartment {
 public:
  // From the text of CompartmentDefinition-patient; the registry says which index
  // rows hold each parameter's values.
  static Result<PatientCompartment> parse(std::string_view json, const fhir::search::SearchRegistry& registry);
  static Result<PatientCompartment> load(const std::filesystem::path& file, const fhir::search::SearchRegistry& registry);

  // Whether resources of `type` can belong to a patient (else they are shared data).
  bool holds(std::string_view type) const { return params_.count(type) > 0; }

  // The facts of a resource about to be stored, from its index rows and elements:
  // patients, parties, shared, relationship (owner, labels and confined are the caller's).
  AccessFacts facts(const fhir::model::Element& resource, std::string_view id,
                    const std::vector<fhir::search::IndexEntry>& rows) const;

 private:
  // Per type, the codes of the index rows that hold its compartment parameters' values.
  // Whether a resource nested in `element` is a Patient or in the compartment.
  bool holds_patient_data(const fhir::model::Element& element) const;
  std::map<std::string, std::set<std::string>, std::less<>> params_;
};

// The id from a reference to a resource of `type` ("Organization/7", an absolute URL
// ending so, a versioned one); empty when the reference is to something else.
std::string_view referenced_id(std::string_view reference, std::string_view type);

}  // namespace carebridge::gateway::security
