// Batch Bundles (FHIR R4 http.html 3.1.0.11.1): each entry is answered on its own
// (a bad entry gets its own 4xx and OperationOutcome, the others are processed),
// as if the entries were sent one after another. Their writes are planned
// (validated, indexed) in order and handed to the store together, each as its
// own commit, so one group sync covers many entries and a conflict fails only
// its entry. An entry that depends on what is pending (the same resource, the
// same conditional criteria, a read or PATCH, a conditional update or delete of
// a type with pending writes, a conditional create of a type with pending updates or
// deletes or a pending create it selects, a conditional reference whose search they may
// change) first waits until the pending writes are durable.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "fhir/search/matcher.h"
#include "gateway/rest/bundle_entries.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

// What a pending write would make stale for a later entry: "Type/id", "Type?criteria".
std::string dependency_key(const BundleEntry& e) {
  if (e.method == "POST") return e.if_none_exist.empty() ? std::string() : e.type + "?" + e.if_none_exist;
  if (!e.id.empty()) return e.type + "/" + e.id;
  std::string key = e.type + "?";
  for (const auto& [name, value] : e.criteria) key += name + "=" + value + "&";
  return key;
}

// Writes planned but not yet committed, with the entries they answer.
class PendingWrites {
 public:
  // `audit` adds each write's AuditEvent to its commit.
  PendingWrites(store::Store& store, std::function<void(std::vector<store::Write>&)> audit)
      : store_(store), audit_(std::move(audit)) {}

  bool holds(const std::string& key) const { return !key.empty() && keys_.count(key); }
  bool holds_type(const std::string& type) const { return types_.count(type); }
  // Whether the pending writes may change what `query` (of `type`; null: criteria that do not
  // parse) selects: a pending update or delete of the type may take a match away or make one,
  // a pending create makes one when the query selects it. Beyond kScanned pending creates of
  // the type, waiting is cheaper than looking.
  bool may_change(const std::string& type, const fhir::search::SearchQuery* query) const {
    if (altered_types_.count(type)) return true;
    auto created = created_.find(type);
    if (created == created_.end()) return false;
    if (!query || created->second.size() > kScanned) return true;
    return std::any_of(created->second.begin(), created->second.end(), [&](size_t i) {
      const store::Write& w = writes_[i];
      return fhir::search::matches(*query, {w.record.type, w.record.id, w.record.updated_ms, w.index});
    });
  }
  static constexpr size_t kScanned = 256;

  void add(BundleEntry& entry, const std::string& key, store::Write write) {
    if (!key.empty()) keys_.insert(key);
    if (write.record.method != "POST" || !key.empty()) keys_.insert(write.record.type + "/" + write.record.id);
    if (write.record.method != "POST") altered_types_.insert(write.record.type);
    else created_[write.record.type].push_back(writes_.size());
    types_.insert(write.record.type);
    entries_.push_back(&entry);
    writes_.push_back(std::move(write));
  }

  // Commits every pending write (each its own commit, all in one store group) and
  // waits until they are durable. Returns the entries whose commit conflicted.
  std::vector<BundleEntry*> flush() {
    struct Wait {
      std::mutex mutex;
      std::condition_variable done;
      size_t left = 0;
      std::vector<store::CommitResult> results;
    } wait;
    wait.left = writes_.size();
    wait.results.resize(writes_.size());
    for (size_t i = 0; i < writes_.size(); ++i) {
      std::vector<store::Write> one;
      one.push_back(std::move(writes_[i]));
      audit_(one);
      store_.commit_async(std::move(one), [&wait, i](store::CommitResult result) {
        std::lock_guard lock(wait.mutex);
        wait.results[i] = std::move(result);
        if (--wait.left == 0) wait.done.notify_all();
      });
    }
    std::unique_lock lock(wait.mutex);
    wait.done.wait(lock, [&] { return wait.left == 0; });
    std::vector<BundleEntry*> conflicted;
    for (size_t i = 0; i < entries_.size(); ++i) {
      const auto& r = wait.results[i];
      if (r.status == store::CommitResult::Status::Conflict) conflicted.push_back(entries_[i]);
      if (!r.ok() && r.status != store::CommitResult::Status::Conflict) entries_[i]->result = commit_failure(r);
    }
    writes_.clear();
    entries_.clear();
    keys_.clear();
    types_.clear();
    altered_types_.clear();
    created_.clear();
    return conflicted;
  }

 private:
  store::Store& store_;
  std::function<void(std::vector<store::Write>&)> audit_;
  std::vector<store::Write> writes_;
  std::vector<BundleEntry*> entries_;
  std::unordered_set<std::string> keys_, types_, altered_types_;
  std::unordered_map<std::string, std::vector<size_t>> created_;  // type -> its pending creates in writes_
};

// A conditional PATCH entry (Patient?identifier=x) is pointed at the one resource its
// criteria select, under the batch's conditional lock: its sub-request, sent as a
// conditional PATCH, would take that lock again and wait for ever. False, with the entry's
// result, when the criteria are invalid or select none or several.
bool point_at_match(WritePath& writes, const Caller& who, BundleEntry& e) {
  if (e.method != "PATCH" || !e.id.empty() || e.criteria.empty()) return true;
  auto id = writes.patch_target(who, e.type, e.criteria, "PATCH on " + e.type + " needs search criteria", e.result);
  if (!id) {
    for (auto& i : e.result.issues) {
      if (i.expression.empty()) i.expression = e.where();
    }
    return false;
  }
  e.id = *id;
  e.url = e.type + "/" + e.id;
  return true;
}

// References between batch entries are not allowed (R4 http.html 3.1.0.11.1). One that names
// an entry the batch creates, by that entry's RESTful fullUrl ("Patient/7" beside the entry
// https://ehr/fhir/Patient/7, as EHR exports write them), would be stored pointing at nothing:
// the entry gets a new id. Such an entry is refused with the reason, as a urn:uuid reference
// is (references.cpp); the others are processed.
void refuse_references_to_creates(const fhir::definitions::Definitions& definitions, std::vector<BundleEntry>& entries) {
  std::unordered_map<std::string, std::string> created;  // fullUrl of a POST entry -> "Bundle.entry[n]"
  for (const auto& e : entries) {
    if (e.method == "POST" && !e.done && !e.full_url.empty()) created.emplace(e.full_url, e.where());
  }
  if (created.empty()) return;
  for (auto& e : entries) {
    if (e.done || !e.resource || (e.method != "POST" && e.method != "PUT")) continue;
    std::string_view base = restful_base(definitions, e);
    std::string named;
    for_each_reference(*e.resource, [&](fhir::model::Element& value) {
      if (!named.empty() || value.base_name() != "reference" || value.value.starts_with("urn:")) return;
      const std::string* entry = entry_named(created, value.value, base);
      if (entry && *entry != e.where()) named = "the reference " + std::string(value.value.substr(0, 200)) + " names " + *entry;
    });
    if (named.empty()) continue;
    e.result = failure(400, "invalid", named + ", which this batch creates with a new id: references between batch "
                                               "entries are not allowed; send the Bundle as a transaction");
    e.result.issues.back().expression = e.where();
    e.done = true;
  }
}

// Whether `resource` names a resource by a search ("Organization?identifier=x|1") whose answer
// the pending writes may change (`changes`): settled before those are written, the reference
// would not find the resource an entry ahead of it creates (an engine's Organization, then its
// Locations naming it so).
bool searches_pending(fhir::model::Element& resource, const std::function<bool(const std::string&, std::string_view)>& changes) {
  bool found = false;
  for_each_reference(resource, [&](fhir::model::Element& value) {
    if (found || value.base_name() != "reference") return;
    auto [type, criteria] = conditional_reference(value.value);
    found = !type.empty() && changes(std::string(type), criteria);
  });
  return found;
}

}  // namespace

FhirService::Planned FhirService::plan_batch_entry(const Caller& who, fhir::model::Document& doc, BundleEntry& e) {
  const Issues* validated = e.validated ? &*e.validated : nullptr;
  if (e.method == "POST") return writes_.plan_create(who, doc, *e.resource, e.type, e.if_none_exist, {}, validated);
  if (e.method == "PUT") {
    if (!e.id.empty()) return writes_.plan_update(who, doc, *e.resource, e.type, e.id, e.version, nullptr, validated);
    return writes_.plan_conditional_update(who, doc, *e.resource, e.type, e.criteria, e.version);
  }
  if (!e.id.empty()) return writes_.plan_delete(who, e.type, e.id, e.version);
  return writes_.plan_conditional_delete(who, e.type, e.criteria);
}

void FhirService::run_batch(Call& call, fhir::model::Document& doc, std::vector<BundleEntry>& entries) {
  refuse_references_to_creates(definitions_, entries);
  validate_entries(entries);  // before the lock: validation needs no store
  std::unique_lock<std::mutex> conditional_lock(writes_.conditional_mutex(), std::defer_lock);
  for (const auto& e : entries) {
    if (!e.done && (!e.if_none_exist.empty() || (!e.criteria.empty() && !e.is_read()))) {
      conditional_lock.lock();  // conditional entries search before they write
      break;
    }
  }
  PendingWrites pending(store_, [&](std::vector<store::Write>& w) { writes_.audit(w, {call.who, call.request.remote}); });
  // Whether the pending writes may change what the search `criteria` of `type` select.
  auto pending_changes = [&](const std::string& type, std::string_view criteria) {
    ParsedSearch parsed;
    Issues issues;
    bool read = parse_search(registry_, type, parse_query(criteria), search_limits(), false, parsed, issues);
    return pending.may_change(type, read ? &parsed.query : nullptr);
  };
  auto flush = [&] {
    // A write that conflicted with a concurrent request is planned again on its own.
    for (BundleEntry* e : pending.flush()) e->result = writes_.execute([&] { return plan_batch_entry(call.who, doc, *e); }, {call.who, call.request.remote});
  };
  size_t answered = 0;  // the response's size so far: a batch of searches is bounded too
  const size_t limit = options_.limits.max_response_bytes;
  for (auto& e : entries) {
    if (e.done) continue;
    if (e.is_read() || e.method == "PATCH") {
      flush();
      if (!point_at_match(writes_, call.who, e)) continue;
      if (answered <= limit || !e.is_read()) {
        e.result = entry_result(handle(entry_request(e, call.request, options_.base_path, call.base_url), call.who),
                                call.base_url);
        answered += e.result.resource_json.size();
      }
      if (answered > limit && e.is_read()) {
        e.result = failure(413, "too-costly",
                           "the batch's answers passed " + std::to_string(limit) + " bytes; ask for this entry in another request");
      }
      continue;
    }
    std::string key = dependency_key(e);
    bool by_criteria = e.method != "POST" && e.id.empty();
    // A conditional create searches too: after a pending delete of the resource its criteria
    // select (an engine replacing a record) it would answer 200 with what the batch deletes, and
    // before a pending create of it, make it twice.
    bool creates_if_none = e.method == "POST" && !e.if_none_exist.empty();
    if (pending.holds(key) || (by_criteria && pending.holds_type(e.type)) ||
        (creates_if_none && pending_changes(e.type, e.if_none_exist)) ||
        (e.resource && searches_pending(*e.resource, pending_changes)))
      flush();
    Planned planned = plan_batch_entry(call.who, doc, e);
    e.result = std::move(planned.result);
    if (e.result.status >= 400) {
      for (auto& i : e.result.issues) {
        if (i.expression.empty()) i.expression = e.where();
      }
    }
    if (planned.write) {
      e.id = planned.write->record.id;
      pending.add(e, key, std::move(*planned.write));
    } else if (e.id.empty() && e.result.status < 300 && !e.result.location.empty()) {
      e.id = e.result.location.substr(e.type.size() + 1, e.result.location.find("/_history") - e.type.size() - 1);
    }
  }
  flush();
}

}  // namespace carebridge::gateway::rest
