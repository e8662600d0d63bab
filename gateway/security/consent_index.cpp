#include "gateway/security/consent_index.h"

#include <algorithm>

#include "fhir/json/json_reader.h"
#include "fhir/time/fhir_time.h"
#include "gateway/security/access_facts.h"

namespace carebridge::gateway::security {

ConsentIndex::Recorded ConsentIndex::parse(const store::ResourceRecord& record) const {
  if (record.deleted || record.body.empty()) return {};
  auto parsed = fhir::json::read(record.body, definitions_);
  if (!parsed.document || !parsed.document->root()) return {};
  auto policy = ConsentPolicy::from(*parsed.document->root());
  if (!policy || policy->status() != "active") return {};
  FactsView facts(record.access);
  return {std::make_shared<const ConsentPolicy>(std::move(*policy)), facts.valid() ? std::string(facts.owner()) : std::string(),
          facts.valid()};
}

void ConsentIndex::put(const std::string& id, Recorded consent) {
  std::unique_lock lock(mutex_);
  if (auto old = patient_of_.find(id); old != patient_of_.end()) {
    auto& list = by_patient_[old->second];
    list.erase(std::remove_if(list.begin(), list.end(), [&](const Recorded& c) { return c.policy->id() == id; }), list.end());
    if (list.empty()) by_patient_.erase(old->second);
    patient_of_.erase(old);
  }
  if (!consent.policy) return;
  patient_of_[id] = consent.policy->patient();
  by_patient_[consent.policy->patient()].push_back(std::move(consent));
}

void ConsentIndex::load(store::Store& store) {
  store.scan("Consent", true, [&](const store::ResourceRecord& r) { put(r.id, parse(r)); });
}

size_t ConsentIndex::size() const {
  std::shared_lock lock(mutex_);
  return patient_of_.size();
}

ConsentVerdict ConsentIndex::decide(std::string_view patient, const Principal& who, std::string_view type,
                                    std::string_view id, uint32_t labels, std::string_view custodian) const {
  std::shared_lock lock(mutex_);  // deciding reads only the parsed policies: under the shared lock, nothing copied
  auto it = by_patient_.find(std::string(patient));
  if (it == by_patient_.end()) return ConsentVerdict::NotApplicable;
  ConsentQuery query;
  query.actor_org = who.organization;
  query.purpose = who.purpose;
  query.resource_type = std::string(type);
  if (!id.empty()) query.resource_ref = std::string(type) + "/" + std::string(id);  // a provision's data names it so
  query.labels = labels;
  query.now_ms = fhir::time::now_ms();
  // As decide_all, except that only permits given through the custodian count (see the header).
  bool permit = false;
  for (const auto& consent : it->second) {
    Decision decision = consent.policy->decide(query);
    if (decision == Decision::Deny) return ConsentVerdict::Deny;
    bool custodians = consent.known_recorder && (consent.recorder.empty() ||
                                                 (consent.recorder == custodian && consent.recorder != who.organization));
    permit = permit || (decision == Decision::Permit && custodians);
  }
  return permit ? ConsentVerdict::Permit : ConsentVerdict::NotApplicable;
}

Result<void> ConsentIndex::on_write(const store::WriteEvent& event, store::CommitLog&) {
  if (event.record.type == "Consent") staged_.emplace_back(event.record.id, parse(event.record));
  return {};
}

void ConsentIndex::ended(bool committed) {
  if (committed) {
    for (auto& [id, consent] : staged_) put(id, std::move(consent));
  }
  staged_.clear();
}

}  // namespace carebridge::gateway::security
