// The patients' Consents, parsed once and kept in memory: loaded from the store at
// start-up and kept current by a commit hook (a Consent written changes the index
// once its transaction commits). The access policy asks it, for a record about a
// patient, whether a Consent permits or denies its disclosure to an organization.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "gateway/security/access_policy.h"
#include "gateway/security/consent.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::security {

class ConsentIndex final : public store::CommitHook {
 public:
  explicit ConsentIndex(const fhir::definitions::Definitions& definitions) : definitions_(definitions) {}

  void load(store::Store& store);
  // The verdict of the patient's Consents on disclosing a record of `type` with `labels`,
  // held by `custodian` (its owner organization; empty when unknown), to `who`.
  //
  // Whose Consent counts: anyone's deny. A permit only when the patient gave it through the
  // record's custodian: recorded by the custodian, by the patient's own app or on an open
  // server (no recording organization). A recipient recording a permit for itself, or a third
  // organization recording one for records it does not hold, grants nothing: the
  // authorization to disclose is the custodian's to obtain (HIPAA 164.508: an authorization
  // names who may disclose; Consent.organization is the consent's custodian in FHIR R4).
  ConsentVerdict decide(std::string_view patient, const Principal& who, std::string_view type, std::string_view id,
                        uint32_t labels, std::string_view custodian) const;
  size_t size() const;

  Result<void> on_write(const store::WriteEvent& event, store::CommitLog& log) override;
  void ended(bool committed) override;

 private:
  using Policy = std::shared_ptr<const ConsentPolicy>;
  // A patient's Consent as the index keeps it: its policy and the organization that
  // recorded it (its first writer; empty when written without one, as on an open server).
  struct Recorded {
    Policy policy;
    std::string recorder;
    // Whether the stored access facts said who recorded it: unreadable facts never permit.
    bool known_recorder = false;
  };
  // The policy a stored Consent makes; null when deleted, inactive or unreadable.
  Recorded parse(const store::ResourceRecord& record) const;
  void put(const std::string& id, Recorded consent);

  const fhir::definitions::Definitions& definitions_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::vector<Recorded>> by_patient_;
  std::unordered_map<std::string, std::string> patient_of_;  // Consent id -> its patient
  std::vector<std::pair<std::string, Recorded>> staged_;
};

}  // namespace carebridge::gateway::security
