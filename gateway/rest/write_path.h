// The one write path: every create, update, PATCH, delete, conditional interaction,
// batch and transaction entry (and, later, every ingested row and message) is planned
// against the store's current state, validated under its type's policy, indexed,
// and committed with one retry policy for conflicts (service_call.h) - one at a
// time, grouped (batches), streamed (transactions) or asynchronously (creates by
// id). The store's commit hooks then see each write in the transaction that makes it.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <unordered_set>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"
#include "fhir/search/index.h"
#include "fhir/search/parse.h"
#include "fhir/search/registry.h"
#include "fhir/validation/validator.h"
#include "gateway/rest/negotiation.h"
#include "gateway/security/access_policy.h"
#include "gateway/security/audit.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::rest {

using Issues = std::vector<fhir::model::Issue>;
// Who makes a request (null: the open development server's caller).
using Caller = std::shared_ptr<const security::Principal>;
using fhir::validation::Policy;

// Validates one resource against its type and the given profiles under a policy
// (the validator, when it is linked in); returns the issues found.
using ValidateFunction = std::function<Issues(const fhir::model::Element& resource,
                                              const std::vector<std::string>& profiles, Policy policy)>;

// What one interaction produced, before it is rendered for a format (direct
// requests) or put into a Bundle entry (batch and transaction).
struct Result {
  unsigned status = 200;
  std::string resource_json;  // the resource (compact JSON); empty for none
  Issues issues;              // an OperationOutcome is returned when no resource is
  std::string location;       // "Patient/1/_history/2"
  std::string etag;           // W/"2"
  int64_t last_modified_ms = 0;
};

// A write prepared against the current state of the store: committing may still
// conflict (then it is planned again). No write: the result is final (a match
// found by a conditional create, a delete of nothing, an error).
struct PlannedWrite {
  std::optional<store::Write> write;
  Result result;
};

// How writes are judged.
struct WriteOptions {
  ValidateFunction validate;  // null: only what the parser checks
  // `policy`, unless `policies` names the type.
  Policy policy = Policy::Ingest;
  std::map<std::string, Policy, std::less<>> policies;
  std::map<std::string, std::vector<std::string>> profiles;  // every resource of a type must meet these
  // Told of every write's validation (for /metrics); may be null.
  std::function<void(Policy policy, std::string_view type, const Issues& issues)> observe;
  fhir::search::SearchLimits search_limits;  // for conditional criteria
  // Who may write what, labels and access facts; null: no checks, no facts.
  const security::AccessPolicy* access = nullptr;
  // Where each write's AuditEvent goes, in the write's own commit; null: not audited.
  const security::AuditTrail* audit = nullptr;
};

// A new server-assigned id (a random UUID).
std::string new_resource_id();

// Who makes a write and from where, for its AuditEvent.
struct AuditNote {
  Caller who;
  std::string address;
  std::string subtype = {};  // "transaction"; empty: the write's own interaction
};

class WritePath {
 public:
  WritePath(const fhir::definitions::Definitions& definitions, store::Store& store,
            const fhir::search::SearchRegistry& registry, const fhir::search::IndexExtractor& extractor,
            WriteOptions options);

  // `resource` is the document's root or a resource inside it (a Bundle entry).
  // `validated`: what validating the resource already found (else it is validated here).
  // Each plan checks that `who` may write it (scopes aside: the caller checked those).
  PlannedWrite plan_create(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource, const std::string& type,
                           const std::string& if_none_exist, const std::string& assigned_id = {},
                           const Issues* validated = nullptr);
  // `known`: the current version the caller already read (PATCH); else it is read here.
  PlannedWrite plan_update(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource, const std::string& type,
                           const std::string& id, std::optional<int64_t> if_match,
                           const store::ResourceRecord* known = nullptr, const Issues* validated = nullptr);
  PlannedWrite plan_conditional_update(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource,
                                       const std::string& type, const Params& criteria, std::optional<int64_t> if_match);
  PlannedWrite plan_delete(const Caller& who, const std::string& type, const std::string& id, std::optional<int64_t> if_match);
  PlannedWrite plan_conditional_delete(const Caller& who, const std::string& type, const Params& criteria);
  // Plans and commits alone, planning again while the commit conflicts (the retry policy).
  Result execute(const std::function<PlannedWrite()>& plan, const AuditNote& note = {});
  void set_security(const security::AccessPolicy* access, const security::AuditTrail* audit) {
    options_.access = access;
    options_.audit = audit;
  }
  // Writes the stored resource again as the gateway, so that its labels and access facts are
  // those this build gives it (a data folder an older build wrote): a new version, audited,
  // that subscribers are not told of (store::Write::maintenance); nothing when they are.
  enum class Refreshed { Unchanged, Written, Failed };
  Refreshed refresh(const std::string& type, const std::string& id);
  // Adds the AuditEvent recording `writes` to them, so that their commit stores it.
  void audit(std::vector<store::Write>& writes, const AuditNote& note) const;

  // A resource about to be written, under its type's write policy (and observed).
  Issues validate_write(const fhir::model::Element& resource);
  // A resource under `policy` and the profiles its type must meet (plus `extra_profiles`).
  Issues validate(const fhir::model::Element& resource, Policy policy,
                  const std::vector<std::string>& extra_profiles = {}) const;
  Policy policy_for(std::string_view type) const;
  // Current resources of `type` matching search `criteria` (at most `limit`) that `who` sees,
  // but for those named in `gone` ("Type/id"): what the transaction being planned deletes,
  // which its creates and conditional references no longer find (R4 processes DELETEs first).
  std::vector<store::ResourceRecord> match(const Caller& who, const std::string& type, const Params& criteria, size_t limit,
                                           Issues& issues, const std::unordered_set<std::string>* gone = nullptr);
  // The one resource a conditional reference ("Practitioner?identifier=x|1") matches, as
  // "Type/id" (not one in `gone`, as for match); none or several: nullopt, with the failure (412) in `failure`.
  std::optional<std::string> resolve_conditional(const Caller& who, std::string_view reference, Result& failure,
                                                 const std::unordered_set<std::string>* gone = nullptr);
  // References a write cannot keep as written (references.cpp): conditional references are
  // resolved here as a transaction resolves them, and a urn:uuid / urn:oid reference, which
  // only a transaction's entries resolve, is refused. nullopt when the resource may go on.
  std::optional<Result> settle_references(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource);
  // Whether `who` may see a stored version (everyone, without an access policy).
  bool sees(const Caller& who, const store::ResourceRecord& record) const;
  // The labels the labelling rules give `resource` written by `who` (added to its meta.security);
  // 0 without an access policy.
  uint32_t label(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource) const;
  // Adds to a record that lists others as its content (security/disclosure.h) their sensitivity
  // labels: those of `listed` ("Type/id" of a transaction's entries -> their labels), else of
  // the stored records, which are added to `listed` as they are read (once). Nothing without
  // an access policy.
  void add_listed_labels(fhir::model::Document& doc, fhir::model::Element& resource,
                         std::unordered_map<std::string, uint32_t>& listed);
  // Conditional interactions search before they write: they hold this from the
  // search to the commit, so that two concurrent If-None-Exist creates cannot both create.
  std::mutex& conditional_mutex() { return conditional_mutex_; }
  // The id of the one resource conditional PATCH `criteria` select (the caller holds
  // conditional_mutex()); nullopt, with the failure in `failure`: criteria `missing` or
  // invalid, several (412), none (404).
  std::optional<std::string> patch_target(const Caller& who, const std::string& type, const Params& criteria,
                                          const std::string& missing, Result& failure);
  // What conditional criteria select: at most one resource. nullopt, with p.result
  // set, when the criteria are missing (`missing` says so), invalid or select several.
  std::optional<std::vector<store::ResourceRecord>> conditional_match(const Caller& who, const std::string& type, const Params& criteria,
                                                                      const std::string& missing, PlannedWrite& p);

 private:
  // The write of a new version over `current` (null: none), or why `who` may not make it.
  std::optional<store::Write> make_write(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource,
                                         const std::string& type, const std::string& id, int64_t version,
                                         const char* method, const store::ResourceRecord* current, Result& result);
  // The access facts of a version about to be stored (AccessPolicy::facts), a Binary's
  // followed to its securityContext.
  security::AccessFacts facts_of(const Caller& who, const fhir::model::Element& resource, const std::string& id,
                                 const std::vector<fhir::search::IndexEntry>& rows, const security::Labelling& labelling,
                                 const store::ResourceRecord* current);
  // A Binary is seen as the resource its securityContext names is (FHIR Binary: access follows
  // that resource): the stored record's patients, labels and confinement become the Binary's,
  // when `who` may see that record (else it is not there for it, and the Binary stays its own).
  void follow_security_context(const Caller& who, const fhir::model::Element& binary, security::AccessFacts& facts);
  // Whether the access facts a version would get now are those `current` was stored with.
  bool facts_unchanged(const Caller& who, const fhir::model::Element& resource, const std::string& id,
                       const security::Labelling& labelling, const store::ResourceRecord& current);
  // A Subscription's owner and start tags and status as the gateway allows them (see write_path.cpp).
  void claim_subscription(const Caller& who, fhir::model::Document& doc, fhir::model::Element& resource,
                          const store::ResourceRecord* current, int64_t version);

  const fhir::definitions::Definitions& definitions_;
  store::Store& store_;
  const fhir::search::SearchRegistry& registry_;
  const fhir::search::IndexExtractor& extractor_;
  WriteOptions options_;
  std::mutex conditional_mutex_;
};

}  // namespace carebridge::gateway::rest
