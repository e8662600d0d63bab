// Care-team routing: who takes part in each patient's care, by reference ("Practitioner/7",
// "PractitionerRole/3", "Organization/2"): the participants of the patient's active
// CareTeams, the authors and contributors of its active CarePlans, the performers of its
// active ServiceRequests and the owners of its open Tasks. A subscription filtered by
// `care-team-member=Practitioner/7` hears of a patient's records while Practitioner/7 is in
// that patient's care, without knowing the patient's id. Kept current by a commit hook: a
// provider added to a care team hears of the next result; one removed hears nothing more.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "fhir/search/index_row.h"
#include "gateway/store/commit_hooks.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::routing {

class CareTeams final : public store::CommitHook {
 public:
  // The types whose resources say who cares for whom.
  static bool relevant(std::string_view type);
  void load(store::Store& store);
  // Whether `member` takes part in the care of any of `patients` (ids).
  bool cares_for(std::string_view member, const std::vector<std::string>& patients) const;

  carebridge::Result<void> on_write(const store::WriteEvent& event, store::CommitLog& log) override;
  void ended(bool committed) override;

 private:
  // (member, patient) pairs a resource makes.
  static std::vector<std::pair<std::string, std::string>> pairs_of(const store::ResourceRecord& record);
  void replace(const std::string& resource, std::vector<std::pair<std::string, std::string>> pairs);

  mutable std::shared_mutex mutex_;
  std::map<std::pair<std::string, std::string>, int> pairs_;  // (member, patient) → resources making it
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_resource_;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> staged_;
};

// The patients (ids) a record is about, from its index rows (patient, subject, beneficiary, for).
std::vector<std::string> patients_in(std::span<const fhir::search::IndexEntry> rows);

}  // namespace carebridge::gateway::routing
