// The security decisions the REST layer asks for, in one place: whether a caller's
// scopes allow an interaction on a type, which stored versions the caller may see
// (a Visibility the store applies inside its queries), and the access facts and
// labels of a resource being written. A null Principal is the open development
// server's caller: everything allowed, facts still kept (so that turning tokens on
// later protects what was stored before).
#pragma once

#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "fhir/model/document.h"
#include "fhir/model/result.h"
#include "fhir/search/query.h"
#include "gateway/security/access_facts.h"
#include "gateway/security/care_relationships.h"
#include "gateway/security/compartment.h"
#include "gateway/security/principal.h"
#include "gateway/security/scopes.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::security {

// Decides, for an organization, a patient's Consent about a record: Permit, Deny or
// NotApplicable (no Consent speaks of it). `id` is the record's (empty when unknown: a
// provision naming a record then cannot be applied), `custodian` the organization that holds
// the record (its owner; empty when unknown). Null: no Consent is ever on file.
enum class ConsentVerdict { Permit, Deny, NotApplicable };
using ConsentCheck = std::function<ConsentVerdict(std::string_view patient, const Principal& who, std::string_view type,
                                                  std::string_view id, uint32_t labels, std::string_view custodian)>;

// The labels a resource gets when written: rules applied to it (adding meta.security
// codings to the document), plus whether it never leaves its owner.
struct Labelling {
  uint32_t labels = 0;
  bool confined = false;
};
using LabelWrite = std::function<Labelling(const Principal* who, fhir::model::Document& doc,
                                           fhir::model::Element& resource)>;

// The resource as it is now, when `version` of it may still be disclosed: only while the
// current version is `visible` too (the same version, or one the caller may see), so a record
// labelled, confined or moved to another patient later hides its past — from vread and from
// the notifications of events queued before. nullopt when it may not (or is gone).
std::optional<store::ResourceRecord> disclosable_current(store::Store& store, const store::ResourceRecord& version,
                                                         const std::function<bool(const store::ResourceRecord&)>& visible);

class AccessPolicy {
 public:
  AccessPolicy(PatientCompartment compartment, CareRelationships& relationships, store::Store& store);

  void set_consent_check(ConsentCheck check) { consent_ = std::move(check); }
  void set_labelling(LabelWrite labelling) { labelling_ = std::move(labelling); }
  // The labels that need a Consent before a record leaves its owner (labels.h's kSensitive).
  void set_sensitive_labels(uint32_t mask) { sensitive_ = mask; }

  // Whether `who` may make `interaction` on resources of `type` at all: its scopes,
  // and the audit trail, which only administrators read and nobody writes.
  Result<void> permits(const Principal* who, Interaction interaction, std::string_view type) const;
  // The Visibility store queries apply for `who` (null for the open server). A type
  // whose scopes carry restrictions ("?category=laboratory") is hidden, unless it is
  // `restricted_type`, whose restrictions the query itself enforces (restriction_params).
  std::shared_ptr<const fhir::search::Visibility> visibility(const std::shared_ptr<const Principal>& who,
                                                             std::string_view restricted_type = {}) const;
  // A search's parameters for the restrictions of `who`'s scopes on `type` (values of
  // one parameter joined as alternatives); empty when some scope is unrestricted.
  std::vector<std::pair<std::string, std::string>> restriction_params(const Principal* who, std::string_view type) const;
  // Whether `who` may see a stored version (reads by id, included resources; and, for the
  // routing issue, whether a subscriber's client may be notified of it).
  bool sees(const Principal* who, const store::ResourceRecord& record) const;
  // The same, but for the restrictions `who`'s scopes put on the record's type
  // ("Observation.rs?category=vital-signs"), which the caller checks against the record
  // itself (restriction_params).
  bool sees_unrestricted(const Principal* who, const store::ResourceRecord& record) const;

  // Applies the labelling rules to a resource being written (changing the document).
  Labelling label(const Principal* who, fhir::model::Document& doc, fhir::model::Element& resource) const;
  // The access facts of a version about to be stored: its owner stays the one of
  // `current` (the version it replaces), else it is the writer's organization.
  AccessFacts facts(const Principal* who, const fhir::model::Element& resource, std::string_view id,
                    const std::vector<fhir::search::IndexEntry>& rows, const Labelling& labelling,
                    const store::ResourceRecord* current) const;
  // Whether `who` may change or delete `current` (a version it sees): a record that decides
  // who sees what — an Organization (a victim-service provider's type confines its records),
  // a Consent, a CareTeam — only the organization that holds it may (and an Organization
  // itself, and the operator); one that only sees it may not rewrite another's.
  Result<void> may_change(const Principal* who, const store::ResourceRecord& current) const;
  // Whether `who` may store a version with `next` facts over `current` (null: none, or the
  // store's current version of the same resource: it is what the store would answer).
  // `patient_written`: the id when the resource written is a Patient, else empty.
  Result<void> may_write(const Principal* who, const AccessFacts& next, const store::ResourceRecord* current,
                         std::string_view patient_written) const;

  const CareRelationships& relationships() const { return relationships_; }

 private:
  class CallerVisibility;
  // Decisions one request repeats across rows, kept by its CallerVisibility.
  struct Decisions {
    std::map<std::string, bool, std::less<>> related;  // patient -> related
    struct Consented {
      std::string patient, type, id, custodian;
      uint32_t labels;
      ConsentVerdict verdict;
    };
    std::vector<Consented> consent;  // few per request: searched in order, nothing allocated on a hit
  };
  bool sees_facts(const Principal& who, std::string_view type, const FactsView& facts,
                  std::string_view restricted_type = {}) const;
  // Whether `who`'s scopes let it see resources of `type` at all (restrictions aside when
  // `type` is `restricted_type`, whose query applies them).
  bool type_visible(const Principal& who, std::string_view type, std::string_view restricted_type) const;
  // Whether `who` may see a version with these facts (its type's scopes already allow it).
  bool sees_record(const Principal& who, std::string_view type, const FactsView& facts, Decisions* decisions) const;
  bool related(const Principal& who, std::string_view patient, Decisions* decisions) const;
  ConsentVerdict consent(const Principal& who, std::string_view patient, std::string_view type, std::string_view id,
                         uint32_t labels, std::string_view custodian, Decisions* decisions) const;
  bool may_write_for(const Principal& who, std::string_view patient) const;
  static void add_criteria_patients(std::string_view criteria, AccessFacts& facts);

  PatientCompartment compartment_;
  CareRelationships& relationships_;
  store::Store& store_;
  ConsentCheck consent_;
  LabelWrite labelling_;
  uint32_t sensitive_ = ~0u;
};

}  // namespace carebridge::gateway::security
