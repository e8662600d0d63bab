// Which organizations care for which patients, kept in memory: an organization
// may see a patient's records when it registered the patient, manages the
// patient's record, or is a party to a care relationship (a CareTeam, an
// EpisodeOfCare, a referral Task). Loaded from the store's access facts at
// start-up and kept current by a commit hook: a write changes it only once its
// transaction has committed.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/security/access_facts.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::security {

class CareRelationships final : public store::CommitHook {
 public:
  // The types whose resources can make relationships.
  static const std::vector<std::string>& relationship_types();

  // Reads the relationships of every current resource of those types.
  void load(store::Store& store);
  // Whether `organization` may see the records of `patient`. Asked on the store's writer
  // thread during a commit (a subscription's events), the relationships the commit's earlier
  // writes make or end count already: a CareTeam and a result sent in one transaction.
  bool related(std::string_view organization, std::string_view patient) const;
  // The patients of an organization (for tests and the audit's reports).
  std::vector<std::string> patients_of(std::string_view organization) const;

  Result<void> on_write(const store::WriteEvent& event, store::CommitLog& log) override;
  void ended(bool committed) override;

 private:
  // (organization, patient) pairs a resource makes, as keys "org|patient".
  static std::vector<std::string> grants(std::string_view type, std::string_view access);
  // Counts the pairs a resource makes now and forgets those its last version made (the
  // store hands over that version's facts: nothing here holds a copy per resource).
  void change(const std::vector<std::string>& made, const std::vector<std::string>& unmade);

  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, int> pairs;  // "org|patient" -> resources making it
  };
  Shard& shard_of(std::string_view key) const;
  mutable std::array<Shard, 16> shards_;
  // Staged by the writer thread during a transaction (pairs made, pairs unmade), applied
  // when it commits.
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> staged_;
  // The thread staging them (the store's writer, during a commit); none between commits.
  std::atomic<std::thread::id> staging_thread_{};
};

}  // namespace carebridge::gateway::security
