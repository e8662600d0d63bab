// A patient's FHIR R4 Consent as a policy the gateway can evaluate: may this organization,
// for this purpose, take this action on this resource (its type, id, labels and time)?
//
// How the R4 Consent is read (hl7.org/fhir/R4/consent.html and its element definitions):
// - Only status "active" applies, and only scope patient-privacy (an "agreement to
//   collect, access, use or disclose information"); research, adr and treatment consents
//   are not about disclosure and never decide. An unknown scope is rejected.
// - Consent.provision is "an exception to the base policy"; nested provisions are
//   exceptions to their parent. A provision applies when every condition it states holds
//   (unstated = any); the deepest applicable provision decides; among applicable siblings a
//   deny wins. The root may carry a type (R4 says it should not, its examples do) and
//   decides when no nested provision does. The root's period is the consent's: outside it
//   the whole consent does not apply.
// - When no provision decides, policyRule is the base policy: v3-ActCode OPTIN/OPTINR
//   permits (but never data labelled sensitive: that needs a provision), OPTOUT/OPTOUTE
//   denies; any other policy (hipaa-auth, a scanned form) decides nothing.
// - Fail safe: a condition the gateway cannot check with the facts it has (a code, a
//   dataPeriod without the data's time, a class given by profile or document format, an
//   actor that is not the requesting organization and that the caller does not resolve)
//   keeps a permit from applying and lets a deny apply.
// - Sensitive data (labels.h's kSensitive: R/V confidentiality, ETH and 42 CFR Part 2, HIV,
//   PSY, SDV, STD) is permitted only by a provision that names it, itself or through an
//   ancestor: securityLabels covering each of its sensitivities (42 CFR Part 2 by ETH, SUD or
//   42CFRPart2) and its confidentiality, or the record in data (42 CFR 2.31). A permit
//   without labels shares the ordinary record only.
// The caller picks the consents of the resource's patient (ConsentPolicy::patient).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/document.h"
#include "fhir/model/result.h"

namespace carebridge::gateway::security {

enum class Decision : uint8_t { Permit, Deny, NotApplicable };
std::string_view to_string(Decision decision);

// What is being asked.
struct ConsentQuery {
  std::string actor_org;          // the requesting organization's id; empty: unknown
  std::string purpose = "TREAT";  // v3 PurposeOfUse (v3-ActReason) code
  // consentaction code. A release of data to another party is its access and the custodian's
  // disclosure at once, so "access" and "disclose" match each other.
  std::string action = "access";
  std::string resource_type;  // "Observation"
  std::string resource_ref;   // "Observation/1"
  uint32_t labels = 0;        // the resource's labels (labels_of)
  int64_t now_ms = 0;
  std::optional<int64_t> data_time_ms;  // the resource's clinically relevant time, for dataPeriod
  // Whether an actor reference other than Organization/<actor_org> (CareTeam/x,
  // Practitioner/y, a parent organization) is the requester; unset: such actors are unknown.
  std::function<bool(std::string_view reference)> actor_matches;
};

class ConsentPolicy {
 public:
  // The parsed form of Consent.provision. Empty lists are unstated conditions.
  struct Provision {
    enum class Type : uint8_t { None, Permit, Deny };
    struct Period {
      std::optional<int64_t> start_ms;  // inclusive
      std::optional<int64_t> end_ms;    // exclusive: the end of the period's last instant
    };
    struct Data {
      std::string meaning;    // instance | related | dependents | authoredby
      std::string reference;  // "Observation/1"
    };
    Type type = Type::None;
    std::optional<Period> period;
    std::vector<std::string> actors;  // references; "" for an actor given by identifier only
    std::vector<std::string> actions;  // consentaction codes; "" for a coding of another system
    std::vector<std::string> purposes;  // v3-ActReason codes; "" for another system
    std::vector<std::string> classes;   // resource types; "" for a profile, format or other class
    bool has_label = false;  // securityLabel stated
    uint32_t label_bits = 0;  // the listed labels as bits
    int confidentiality = -1;  // highest listed v3-Confidentiality: -1 none, 0 U/L/M, 1 N, 2 R, 3 V
    bool unknown_label = false;  // a listed label the gateway does not know
    bool has_code = false;  // code stated (never checkable: the gateway does not read content codes here)
    std::optional<Period> data_period;
    std::vector<Data> data;
    std::vector<Provision> provisions;
  };

  // Reads an R4 Consent; rejects, saying why, one it cannot apply safely: no patient or one
  // that is not Patient/<id>, an unknown status or scope, a modifier extension, a nested
  // provision without a type, a malformed period or data meaning.
  static Result<ConsentPolicy> from(const fhir::model::Element& consent);

  Decision decide(const ConsentQuery& query) const;

  const std::string& id() const { return id_; }
  const std::string& patient() const { return patient_; }  // the patient's id
  const std::string& status() const { return status_; }
  bool governs_disclosure() const { return privacy_scope_; }
  const Provision& root() const { return root_; }

 private:
  enum class BasePolicy : uint8_t { None, OptIn, OptOut };
  std::string id_;
  std::string patient_;
  std::string status_;
  bool privacy_scope_ = false;
  BasePolicy base_ = BasePolicy::None;
  Provision root_;
};

// Every consent of a patient together: any Deny denies, else any Permit permits, else
// none applies.
Decision decide_all(const std::vector<std::shared_ptr<const ConsentPolicy>>& policies, const ConsentQuery& query);

}  // namespace carebridge::gateway::security
