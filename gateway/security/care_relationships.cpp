#include "gateway/security/care_relationships.h"

#include <algorithm>

namespace carebridge::gateway::security {
namespace {

std::string pair_key(std::string_view organization, std::string_view patient) {
  std::string key;
  key.reserve(organization.size() + patient.size() + 1);
  key.append(organization).append(1, '|').append(patient);
  return key;
}

}  // namespace

const std::vector<std::string>& CareRelationships::relationship_types() {
  static const std::vector<std::string> kTypes = {"Patient", "CareTeam", "EpisodeOfCare", "Task"};
  return kTypes;
}

std::vector<std::string> CareRelationships::grants(std::string_view type, std::string_view access) {
  std::vector<std::string> keys;
  FactsView view(access);
  if (!view.valid()) return keys;
  AccessFacts facts = view.facts();
  // The organization that registered a patient cares for the patient.
  if (type == "Patient" && !facts.owner.empty()) {
    for (const auto& p : facts.patients) keys.push_back(pair_key(facts.owner, p));
  }
  if (facts.relationship) {
    for (const auto& org : facts.parties) {
      for (const auto& p : facts.patients) keys.push_back(pair_key(org, p));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

CareRelationships::Shard& CareRelationships::shard_of(std::string_view key) const {
  return shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

void CareRelationships::change(const std::vector<std::string>& made, const std::vector<std::string>& unmade) {
  for (const auto& k : made) {
    Shard& s = shard_of(k);
    std::unique_lock shard_lock(s.mutex);
    ++s.pairs[k];
  }
  for (const auto& k : unmade) {
    Shard& s = shard_of(k);
    std::unique_lock shard_lock(s.mutex);
    if (auto it = s.pairs.find(k); it != s.pairs.end() && --it->second <= 0) s.pairs.erase(it);
  }
}

void CareRelationships::load(store::Store& store) {
  for (const auto& type : relationship_types()) {
    store.scan(type, false, [&](const store::ResourceRecord& r) {
      if (!r.deleted) change(grants(r.type, r.access), {});
    });
  }
}

bool CareRelationships::related(std::string_view organization, std::string_view patient) const {
  if (organization.empty() || patient.empty()) return false;
  std::string key = pair_key(organization, patient);
  int count = 0;
  {
    const Shard& s = shard_of(key);
    std::shared_lock lock(s.mutex);
    if (auto it = s.pairs.find(key); it != s.pairs.end()) count = it->second;
  }
  // Only the writer thread, in its commit, reads what it staged (no other thread touches it).
  if (staging_thread_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
    for (const auto& [made, unmade] : staged_) {
      count += static_cast<int>(std::count(made.begin(), made.end(), key));
      count -= static_cast<int>(std::count(unmade.begin(), unmade.end(), key));
    }
  }
  return count > 0;
}

std::vector<std::string> CareRelationships::patients_of(std::string_view organization) const {
  std::vector<std::string> out;
  std::string prefix = std::string(organization) + "|";
  for (const Shard& s : shards_) {
    std::shared_lock lock(s.mutex);
    for (const auto& [key, n] : s.pairs) {
      if (key.compare(0, prefix.size(), prefix) == 0) out.push_back(key.substr(prefix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<void> CareRelationships::on_write(const store::WriteEvent& event, store::CommitLog&) {
  const auto& r = event.record;
  const auto& types = relationship_types();
  if (std::find(types.begin(), types.end(), r.type) == types.end()) return {};
  auto made = r.deleted ? std::vector<std::string>() : grants(r.type, r.access);
  auto unmade = grants(r.type, event.previous_access);
  if (!made.empty() || !unmade.empty()) {
    staging_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    staged_.emplace_back(std::move(made), std::move(unmade));
  }
  return {};
}

void CareRelationships::ended(bool committed) {
  if (committed) {
    for (const auto& [made, unmade] : staged_) change(made, unmade);
  }
  staged_.clear();
  staging_thread_.store(std::thread::id(), std::memory_order_relaxed);
}

}  // namespace carebridge::gateway::security
