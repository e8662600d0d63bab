#include "gateway/routing/subscription_index.h"

#include <algorithm>

namespace carebridge::gateway::routing {

namespace {

using fhir::search::Clause;
using fhir::search::ValueMatch;

std::string key(std::string_view param, std::string_view reference) {
  std::string k(param);
  k += '|';
  k += reference;
  return k;
}

// The keys a write must hold for the clause to match: every value a typed reference
// ("Patient/7", matched by equality on the row's code), under the clause's parameter
// and the parameters it stands for. Empty when the clause is not of that kind.
std::vector<std::string> reference_keys(const Clause& clause) {
  if (clause.negate || clause.chain || !clause.either.empty() || !clause.has_type.empty() || clause.any_of.empty()) return {};
  std::vector<std::string> keys;
  for (const ValueMatch& m : clause.any_of) {
    if (m.kind != ValueMatch::Kind::Reference || m.code.find('/') == std::string::npos) return {};
    keys.push_back(key(clause.param, m.code));
    for (const std::string& also : clause.also) keys.push_back(key(also, m.code));
  }
  return keys;
}

// The keys of a target's most selective reference clause (the one with fewest keys);
// empty when it has none, or when nothing is asked of the resource's content.
std::vector<std::string> target_keys(const Target& target) {
  std::vector<std::string> best;
  for (const Clause& clause : target.query.clauses) {
    auto keys = reference_keys(clause);
    if (!keys.empty() && (best.empty() || keys.size() < best.size())) best = std::move(keys);
  }
  return best;
}

}  // namespace

void SubscriptionIndex::add(const Entry& subscription) {
  std::map<std::string, std::vector<std::string>> keys_by_type;  // empty: unfiled
  std::map<std::string, bool> unfiled;
  for (const Target& t : subscription->targets) {
    auto keys = target_keys(t);
    // A delete fires without looking at content: such a target cannot be filed.
    if (keys.empty() || t.del) unfiled[t.resource] = true;
    auto& all = keys_by_type[t.resource];
    all.insert(all.end(), keys.begin(), keys.end());
  }
  for (auto& [type, keys] : keys_by_type) {
    OfType& of = by_type_[type];
    if (unfiled[type]) {
      of.unfiled.push_back(subscription);
      continue;
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (const std::string& k : keys) of.filed[k].push_back(subscription);
  }
}

std::vector<const SubscriptionIndex::Entry*> SubscriptionIndex::candidates(
    std::string_view type, std::span<const fhir::search::IndexEntry> rows) const {
  std::vector<const Entry*> out;
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return out;
  const OfType& of = it->second;
  for (const Entry& s : of.unfiled) out.push_back(&s);
  if (of.filed.empty()) return out;
  size_t unfiled = out.size();
  std::string k;
  for (const auto& row : rows) {
    if (row.kind != fhir::search::IndexKind::Reference || row.code.empty()) continue;
    k = key(row.param, row.code);
    if (auto found = of.filed.find(k); found != of.filed.end())
      for (const Entry& s : found->second) out.push_back(&s);
  }
  // A subscription filed under two references the write holds is tried once.
  auto filed = out.begin() + static_cast<std::ptrdiff_t>(unfiled);
  std::sort(filed, out.end(), [](const Entry* a, const Entry* b) { return a->get() < b->get(); });
  out.erase(std::unique(filed, out.end(), [](const Entry* a, const Entry* b) { return a->get() == b->get(); }), out.end());
  return out;
}

size_t SubscriptionIndex::size(std::string_view type) const {
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return 0;
  std::vector<const Subscription*> all;
  for (const Entry& s : it->second.unfiled) all.push_back(s.get());
  for (const auto& [k, entries] : it->second.filed)
    for (const Entry& s : entries) all.push_back(s.get());
  std::sort(all.begin(), all.end());
  return static_cast<size_t>(std::unique(all.begin(), all.end()) - all.begin());
}

}  // namespace carebridge::gateway::routing
