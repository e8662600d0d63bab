// Which subscriptions a write may fire, found without trying each one: a subscription
// whose every target for a resource type requires a reference to one resource (the
// `patient=Patient/7` filter of a provider following a patient, `subject=...` criteria)
// is filed under that reference, and a write is tried only against the subscriptions
// filed under the references it holds, and those that could not be filed. With a
// subscriber per patient, matching costs the same for 10 subscriptions as for 10,000.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/search/index_row.h"
#include "gateway/routing/subscription.h"

namespace carebridge::gateway::routing {

class SubscriptionIndex {
 public:
  using Entry = std::shared_ptr<const Subscription>;

  // Files `subscription` under each resource type of its targets.
  void add(const Entry& subscription);
  // The subscriptions that may fire for a resource of `type` with index rows `rows` (a
  // superset: the caller matches each), each once.
  std::vector<const Entry*> candidates(std::string_view type, std::span<const fhir::search::IndexEntry> rows) const;
  // Every subscription with a target for `type` (for tests and metrics).
  size_t size(std::string_view type) const;

 private:
  struct OfType {
    std::vector<Entry> unfiled;                         // tried on every write of the type
    std::unordered_map<std::string, std::vector<Entry>> filed;  // "param|Type/id" → subscriptions
  };
  std::map<std::string, OfType, std::less<>> by_type_;
};

}  // namespace carebridge::gateway::routing
