// batch and transaction Bundles (FHIR R4 http.html 3.1.0.11). A transaction is
// one store commit: entries are resolved first (new ids for POST, conditional
// create/update/delete searched once, conditional references searched once among the
// stored resources and the transaction's own entries), urn:uuid and
// other fullUrl references (and the narrative's links) rewritten through a hash map, writes planned in the
// order the specification sets (DELETE, POST, PUT and PATCH, each PATCH planned as the
// update it amounts to) and committed together; GETs
// run after the commit. Any failing entry fails the whole transaction. Batches
// are in batch.cpp.
#include <algorithm>
#include <cctype>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "fhir/search/matcher.h"
#include "gateway/rest/bundle_entries.h"
#include "gateway/rest/patch.h"
#include "gateway/rest/parallel.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"
#include "gateway/security/disclosure.h"
#include "gateway/security/labels.h"

namespace carebridge::gateway::rest {
namespace {

using fhir::model::Element;
using fhir::model::Severity;

std::string_view value_of(const Element& parent, std::string_view name) {
  const Element* c = parent.child(name);
  return c && c->has_value ? c->value : std::string_view();
}

// A transaction fails whole: the failing entry's result, with the entry as the place.
// An issue the validator placed in the resource ("Observation.status") is placed in the
// Bundle ("Bundle.entry[2000].resource.status"): the sender of a 5,000-entry Bundle
// cannot tell which Observation otherwise.
std::optional<Result> entry_failure(const BundleEntry& e, Result result) {
  std::string_view type = e.resource ? std::string_view(e.resource->type) : std::string_view(e.type);
  for (auto& i : result.issues) {
    std::string_view at = i.expression;
    if (at.empty()) {
      i.expression = e.where();
    } else if (!type.empty() && at.starts_with(type) && (at.size() == type.size() || at[type.size()] == '.')) {
      i.expression = e.where() + ".resource" + std::string(at.substr(type.size()));
    }
  }
  return result;
}

std::optional<Result> entry_failure(const BundleEntry& e, unsigned status, std::string code, std::string message) {
  return entry_failure(e, failure(status, std::move(code), std::move(message)));
}

// The narrative's links to entries (<a href="urn:uuid:...">, <img src="...">) point where the
// entries' references do: R4 http.html#trules has servers replace matching links "in the
// narrative" as well, which were stored as written and led nowhere.
void link_narratives(fhir::model::Document& doc, Element& element, const std::unordered_map<std::string, std::string>& ids,
                     std::string_view base) {
  for (Element* c = element.first_child; c; c = c->next) {
    if (!c->definition || !c->definition->xhtml || !c->has_value) {
      link_narratives(doc, *c, ids, base);
      continue;
    }
    std::string div(c->value);
    bool changed = false;
    // An attribute after any whitespace (a space, or the line break XHTML writers put between
    // attributes), its value in either quote.
    for (std::string_view attribute : {"href=", "src="}) {
      for (size_t at = div.find(attribute); at != std::string::npos; at = div.find(attribute, at + 1)) {
        size_t start = at + attribute.size() + 1;
        if (at == 0 || !std::isspace(static_cast<unsigned char>(div[at - 1])) || start > div.size()) continue;
        char quote = div[start - 1];
        size_t end = quote == '"' || quote == '\'' ? div.find(quote, start) : std::string::npos;
        if (end == std::string::npos) continue;
        if (const std::string* target = entry_named(ids, std::string_view(div).substr(start, end - start), base)) {
          div.replace(start, end - start, *target);
          changed = true;
        }
      }
    }
    if (changed) c->value = doc.copy(div);
  }
}

// Conditional entries of a transaction that name one resource twice. A conditional create
// repeated (an engine merging patients who each carry their providers as POST ifNoneExist) is
// the first one's resource, as it would be in sequence; two conditional updates by the same
// criteria would write one resource twice, which fails the transaction (R4 http.html#trules:
// the identities of its writes overlap), where each created a resource of its own.
class RepeatedConditionals {
 public:
  // After the entry's id is resolved: nullopt, or the transaction's failure.
  std::optional<Result> note(BundleEntry& e) {
    bool create = e.method == "POST" && !e.if_none_exist.empty() && !e.done;
    bool update = e.method == "PUT" && !e.criteria.empty();
    if (!create && !update) return std::nullopt;
    // The same criteria however the sender ordered them: "a=1&b=2" is "b=2&a=1".
    auto criteria = create ? parse_query(e.if_none_exist) : e.criteria;
    std::sort(criteria.begin(), criteria.end());
    std::string key = e.method + " " + e.type + "?";
    for (const auto& [name, value] : criteria) key += name + "=" + value + "&";
    auto [first, fresh] = first_.try_emplace(std::move(key), &e);
    if (fresh) return std::nullopt;
    if (update) {
      return entry_failure(e, 400, "invalid", "the entries " + std::to_string(first->second->index) + " and " +
                                                  std::to_string(e.index) + " update the " + e.type +
                                                  " their criteria select: one resource written twice in a transaction");
    }
    e.id = first->second->id;
    e.done = true;
    creates_.emplace_back(&e, first->second);
    return std::nullopt;
  }

  // After the commit: a repeated create answers as a conditional create that finds its match.
  void answer() {
    for (auto [again, first] : creates_) {
      again->result = first->result;
      again->result.status = 200;
    }
  }

 private:
  std::unordered_map<std::string, const BundleEntry*> first_;  // "POST Type?criteria" -> its first entry
  std::vector<std::pair<BundleEntry*, const BundleEntry*>> creates_;
};

// The order a transaction's entries are resolved in: the DELETEs first, as they are processed
// (the creates' ifNoneExist then do not find what they delete), then the others as written,
// except that an entry whose conditions name another entry's fullUrl comes after that entry,
// whose id then replaces the placeholder (a cycle is taken as written).
std::vector<BundleEntry*> resolution_order(std::vector<BundleEntry>& entries) {
  std::unordered_map<std::string, BundleEntry*> full_urls;
  for (auto& e : entries)
    if (!e.full_url.empty() && !e.is_read() && e.method != "DELETE") full_urls.emplace(e.full_url, &e);
  std::vector<BundleEntry*> order;
  order.reserve(entries.size());
  for (auto& e : entries)
    if (e.method == "DELETE") order.push_back(&e);
  // Depth first, each entry after those it names; a stack of its own, as a chain may be long.
  struct Step {
    BundleEntry* entry;
    std::vector<BundleEntry*> named;
    size_t next = 0;
  };
  std::vector<char> seen(entries.size(), 0);
  for (auto& first : entries) {
    if (first.method == "DELETE" || seen[first.index]) continue;
    seen[first.index] = 1;
    std::vector<Step> path{{&first, entries_named_in_conditions(first, full_urls)}};
    while (!path.empty()) {
      Step& step = path.back();
      if (step.next < step.named.size()) {
        BundleEntry* named = step.named[step.next++];
        if (!seen[named->index]) {
          seen[named->index] = 1;
          path.push_back({named, entries_named_in_conditions(*named, full_urls)});
        }
        continue;
      }
      order.push_back(step.entry);
      path.pop_back();
    }
  }
  return order;
}

// The entries a transaction creates or updates, which its conditional references may name as
// well as stored resources: an engine that sends the providers (POST ifNoneExist) and the
// patients who refer to them conditionally in one transaction has them resolved on a server
// that holds none of them yet (R4 leaves this open; HAPI resolves them so). Each type's entries
// are indexed once, when a conditional reference first names the type.
class PendingEntries {
 public:
  PendingEntries(const SearchRegistry& registry, const fhir::search::IndexExtractor& extractor, SearchLimits limits,
                 const std::vector<BundleEntry>& entries)
      : registry_(registry), extractor_(extractor), limits_(limits), entries_(entries) {}

  // "Type/id" of the entries of `type` that `criteria` select (none when the criteria do not parse).
  std::vector<std::string> matching(const std::string& type, std::string_view criteria) {
    auto [written, fresh] = by_type_.try_emplace(type);
    if (fresh) {
      for (const auto& e : entries_) {
        // An entry answered without a write (a conditional create that found its match) stores
        // nothing: the stored resource it names is found among the stored ones.
        if (e.type != type || !e.resource || e.id.empty() || e.is_read() || e.method == "DELETE" || e.done) continue;
        auto indexed = fhir::search::index_resource(extractor_, *e.resource);
        indexed.id = e.id;
        written->second.push_back(std::move(indexed));
      }
    }
    std::vector<std::string> found;
    ParsedSearch parsed;
    Issues issues;
    if (written->second.empty() || !parse_search(registry_, type, parse_query(criteria), limits_, true, parsed, issues))
      return found;
    for (const auto& r : written->second) {
      if (fhir::search::matches(parsed.query, r.view())) found.push_back(type + "/" + r.id);
    }
    return found;
  }

 private:
  const SearchRegistry& registry_;
  const fhir::search::IndexExtractor& extractor_;
  SearchLimits limits_;
  const std::vector<BundleEntry>& entries_;
  std::unordered_map<std::string, std::vector<fhir::search::IndexedResource>> by_type_;
};

// A record that lists others of the transaction as its content (a DiagnosticReport its results,
// a Provenance its targets) carries their sensitivity labels (security/disclosure.h). The entries
// it lists are labelled first (their own writes label them again, alike), then it is, before any
// entry is planned, so that a resend finds every record as stored and writes nothing new. A list
// of lists (a panel of panels, the Provenance of a report) takes the rounds after the first.
void label_listings(WritePath& writes, const Caller& who, fhir::model::Document& doc, std::vector<BundleEntry>& entries) {
  auto written = [](const BundleEntry& e) { return e.resource && !e.done && e.method != "DELETE"; };
  std::vector<BundleEntry*> listings;
  for (auto& e : entries)
    if (written(e) && security::discloses(e.type)) listings.push_back(&e);
  if (listings.empty()) return;
  std::unordered_map<std::string, BundleEntry*> by_key;
  for (auto& e : entries)
    if (written(e) && !e.id.empty()) by_key.emplace(e.type + "/" + e.id, &e);
  std::unordered_map<std::string, uint32_t> labels;  // "Type/id" of a listed record -> its labels
  for (BundleEntry* listing : listings)
    security::for_each_disclosed(*listing->resource, [&](std::string_view reference) {
      std::string key = fhir::search::reference_key(reference);
      auto entry = by_key.find(key);
      if (entry != by_key.end() && !labels.count(key)) labels.emplace(key, writes.label(who, doc, *entry->second->resource));
    });
  // The stored records listed are read in the first round, and kept in `labels` for the others.
  for (int round = 0; round < 3; ++round)
    for (BundleEntry* listing : listings) {
      writes.add_listed_labels(doc, *listing->resource, labels);
      labels[listing->type + "/" + listing->id] = security::labels_of(*listing->resource);
    }
}

// The one resource a conditional reference in a transaction names, among the stored ones and
// the transaction's own entries (one resource found both ways is one); none or several: nullopt,
// with the failure (412, or 400 for criteria the server cannot run) in `failure_out`.
std::optional<std::string> conditional_target(WritePath& writes, const Caller& who, const std::string& reference,
                                              PendingEntries& pending, const std::unordered_set<std::string>& gone,
                                              Result& failure_out) {
  auto q = reference.find('?');
  std::vector<std::string> found = pending.matching(reference.substr(0, q), std::string_view(reference).substr(q + 1));
  Result stored_failure;
  auto stored = writes.resolve_conditional(who, reference, stored_failure, &gone);
  bool none_stored = !stored && stored_failure.status == 412 && !stored_failure.issues.empty() &&
                     stored_failure.issues.back().code == "not-found";
  if (!stored && !none_stored) {
    failure_out = std::move(stored_failure);
    return std::nullopt;
  }
  if (stored) found.push_back(*stored);
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  if (found.size() == 1) return found[0];
  failure_out = found.empty() ? std::move(stored_failure)
                              : failure(412, "multiple-matches", "the conditional reference " + reference.substr(0, 300) +
                                                                     " matches more than one resource (stored, or written by this transaction)");
  return std::nullopt;
}

}  // namespace

http::Response FhirService::bundle(Call& call) {
  // A transaction whose PATCH was made on a version written meanwhile runs again from its body,
  // patching the newer version, as a PATCH alone does.
  for (int attempt = 1;; ++attempt) {
    bool stale = false;
    http::Response response = bundle_once(call, attempt < kAttempts ? &stale : nullptr);
    if (!stale) return response;
  }
}

http::Response FhirService::bundle_once(Call& call, bool* stale) {
  unsigned status = 0;
  Issues issues;
  auto doc = parse_body(call, status, issues);
  if (!doc) return outcome(call, status, std::move(issues));
  Element& root = *doc->root();
  std::string kind(value_of(root, "type"));
  if (root.type != "Bundle" || (kind != "batch" && kind != "transaction")) {
    return outcome(call, 400, {{Severity::Error, "invalid", "POST to the base needs a batch or transaction Bundle", {}, {}}});
  }
  bool transaction = kind == "transaction";
  std::vector<BundleEntry> entries = read_entries(root);
  if (entries.size() > options_.limits.max_transaction_entries) {
    return outcome(call, 413, {{Severity::Error, "too-costly",
                                "the Bundle has " + std::to_string(entries.size()) + " entries; the limit is " +
                                    std::to_string(options_.limits.max_transaction_entries),
                                {}, {}}});
  }
  std::vector<std::string> bases{call.base_url};
  if (std::string own = request_base_url(call.request); own != call.base_url) bases.push_back(std::move(own));
  for (auto& e : entries) {
    auto failed = check_entry(e, options_.base_path, bases, registry_);
    // Writes are checked against the caller's scopes here; reads and a batch's PATCH as sub-requests.
    if (!failed && !e.is_read() && (e.method != "PATCH" || transaction)) {
      auto interaction = e.method == "POST"                        ? security::Interaction::Create
                         : e.method == "PUT" || e.method == "PATCH" ? security::Interaction::Update
                                                                    : security::Interaction::Delete;
      if (auto refusal = refused_entry(call.who, interaction, e.type)) failed = entry_failure(e, std::move(*refusal));
    }
    if (failed) {
      if (transaction) return render(call, *failed);
      e.result = std::move(*failed);
      e.done = true;
    }
  }
  if (transaction) {
    if (auto failed = run_transaction(call, *doc, entries)) {
      if (stale && std::any_of(entries.begin(), entries.end(), [](const BundleEntry& e) { return e.stale; })) *stale = true;
      return render(call, *failed);
    }
  } else {
    run_batch(call, *doc, entries);
  }
  return respond(call, 200, response_bundle(entries, transaction, call.base_url, call.prefer.return_));
}

std::optional<Result> FhirService::run_transaction(Call& call, fhir::model::Document& doc,
                                                   std::vector<BundleEntry>& entries) {
  // Conditional entries search before they write, PATCH entries read: keep other such writers out.
  std::unique_lock<std::mutex> conditional_lock(writes_.conditional_mutex(), std::defer_lock);
  for (const auto& e : entries) {
    if (!e.if_none_exist.empty() || !e.criteria.empty() || e.method == "PATCH") {
      conditional_lock.lock();
      break;
    }
  }
  std::unordered_map<std::string, std::string> ids;  // fullUrl -> "Type/id"
  std::unordered_set<std::string_view> full_urls;
  std::unordered_set<std::string> gone;  // "Type/id" the DELETE entries delete
  RepeatedConditionals repeated;
  for (BundleEntry* entry : resolution_order(entries)) {
    BundleEntry& e = *entry;
    // bdl-7: two entries with one fullUrl leave references to it meaning either of them.
    if (!e.full_url.empty() && !e.is_read() && !full_urls.insert(e.full_url).second)
      return entry_failure(e, 400, "invalid", "the fullUrl " + e.full_url.substr(0, 200) + " is given to more than one entry (bdl-7)");
    name_entry_ids(e, ids);
    if (auto failed = resolve_entry_id(call.who, e, gone)) return failed;
    if (e.method == "PATCH")
      if (auto failed = patch_entry(call, e)) return failed;
    if (auto failed = repeated.note(e)) return failed;
    if (e.method == "DELETE" && !e.id.empty()) gone.insert(e.type + "/" + e.id);
    if (!e.full_url.empty() && !e.id.empty() && !e.is_read()) ids[e.full_url] = e.type + "/" + e.id;
  }
  if (auto failed = resolve_references(call.who, doc, entries, ids, gone)) return failed;
  label_listings(writes_, call.who, doc, entries);
  if (auto failed = commit_transaction(call.who, doc, entries)) return failed;
  repeated.answer();
  // Reads see the transaction's results.
  for (auto& e : entries) {
    if (e.is_read()) {
      name_entry_ids(e, ids);
      e.result = entry_result(handle(entry_request(e, call.request, options_.base_path, call.base_url), call.who),
                              call.base_url);
    }
  }
  return std::nullopt;
}

void FhirService::validate_entries(std::vector<BundleEntry>& entries) {
  std::vector<BundleEntry*> writes;
  for (auto& e : entries) {
    if (e.done || !e.resource || (e.method != "POST" && e.method != "PUT")) continue;
    if (e.method == "POST") remove_children(*e.resource, "id");  // ignored, as plan_create ignores it
    writes.push_back(&e);
  }
  // Validation only reads the resources (and the validator is thread-safe).
  run_parallel(writes.size(), std::thread::hardware_concurrency(), 8,
               [&](size_t i) { writes[i]->validated = writes_.validate_write(*writes[i]->resource); });
}

std::optional<Result> FhirService::resolve_entry_id(const Caller& who, BundleEntry& e,
                                                    const std::unordered_set<std::string>& gone) {
  if (e.method == "POST") {
    if (!e.if_none_exist.empty()) {
      Issues found;
      auto matches = writes_.match(who, e.type, parse_query(e.if_none_exist), 2, found, &gone);
      if (has_error(found)) return entry_failure(e, 400, "invalid", found[0].message);
      if (matches.size() > 1) return entry_failure(e, 412, "duplicate", "ifNoneExist matches more than one " + e.type);
      if (matches.size() == 1) {
        e.id = matches[0].id;
        e.done = true;
        e.result = found_result(matches[0], 200);
      }
    }
    if (!e.done) e.id = new_resource_id();
  } else if (e.method == "PATCH" && e.id.empty()) {  // a conditional patch: one match, as PATCH [type]?criteria
    Result why;
    auto id = writes_.patch_target(who, e.type, e.criteria, "PATCH " + e.type + " needs an id or criteria", why);
    if (!id) return entry_failure(e, std::move(why));
    e.id = std::move(*id);
  } else if ((e.method == "PUT" || e.method == "DELETE") && e.id.empty()) {
    if (e.criteria.empty()) return entry_failure(e, 400, "required", e.method + " " + e.type + " needs an id or criteria");
    Issues found;
    // A conditional update does not find what the transaction deletes (DELETEs come first).
    auto matches = writes_.match(who, e.type, e.criteria, 2, found, e.method == "PUT" ? &gone : nullptr);
    if (has_error(found)) return entry_failure(e, 400, "invalid", found[0].message);
    if (matches.size() > 1) return entry_failure(e, 412, "multiple-matches", "the criteria match more than one " + e.type);
    if (matches.size() == 1) {
      e.id = matches[0].id;
      std::string_view body_id = e.resource ? resource_id(*e.resource) : std::string_view();
      if (e.method == "PUT" && !body_id.empty() && body_id != e.id)
        return entry_failure(e, 400, "invalid", "the id in the body is not the id of the " + e.type + " the criteria match");
    } else if (e.method == "PUT") {
      std::string_view body_id = resource_id(*e.resource);
      e.id = body_id.empty() ? new_resource_id() : std::string(body_id);
    } else {
      e.done = true;  // a conditional delete that matches nothing
      e.result.status = 204;
    }
  }
  if (!e.id.empty() && !e.is_read() && !valid_id(e.id)) return entry_failure(e, 400, "invalid", "'" + e.id + "' is not a valid id");
  return std::nullopt;
}

std::optional<Result> FhirService::patch_entry(const Call& call, BundleEntry& e) {
  const Element* binary = e.resource && e.resource->type == "Binary" ? e.resource : nullptr;
  if (binary && (!binary->child("contentType") || !binary->child("data")))
    return entry_failure(e, 400, "required", "a PATCH entry's Binary needs its contentType and its patch as base64 data");
  PatchRequest patch;
  if (auto refused = read_patch(entry_request(e, call.request, options_.base_path, call.base_url), patch))
    return entry_failure(e, std::move(*refused));
  std::optional<store::ResourceRecord> current;
  std::unique_ptr<fhir::model::Document> doc;
  if (auto refused = patch_current(call, e.type, e.id, e.version, patch, current, doc)) return entry_failure(e, std::move(*refused));
  // Stored as the update it amounts to, with the other PUTs (R4 http.html#trules), and only
  // if the version patched is still the current one when the transaction commits.
  e.resource = doc->root();
  e.method = "PUT";
  e.version = current->version;
  e.patched = std::move(doc);
  return std::nullopt;
}

std::optional<Result> FhirService::resolve_references(const Caller& who, fhir::model::Document& doc, std::vector<BundleEntry>& entries,
                                                      const std::unordered_map<std::string, std::string>& ids,
                                                      const std::unordered_set<std::string>& gone) {
  // First every reference to an entry, so that the entries a conditional reference is
  // matched against name each other as stored (an Encounter's subject, the Patient/id its
  // urn:uuid became), whichever entry comes first.
  for (auto& e : entries) {
    if (!e.resource || e.done || e.method == "DELETE") continue;
    std::string_view base = restful_base(definitions_, e);
    for_each_reference(*e.resource, [&](Element& value) {
      if (const std::string* target = entry_named(ids, value.value, base)) value.value = doc.copy(*target);
    });
    if (!ids.empty()) link_narratives(doc, *e.resource, ids, base);
  }
  std::unordered_map<std::string, std::string> conditional;  // "Type?criteria" -> "Type/id", searched once
  PendingEntries pending(registry_, *extractor_, search_limits(), entries);
  for (auto& e : entries) {
    if (!e.resource || e.done || e.method == "DELETE") continue;
    std::optional<Result> failed;
    for_each_reference(*e.resource, [&](Element& value) {
      std::string v(value.value);
      auto [type, criteria] = conditional_reference(v);
      if (type.empty() || value.base_name() != "reference" || failed) return;
      if (!ids.empty()) v = std::string(type) + "?" + with_entry_ids(criteria, ids);  // placeholders in its criteria too
      auto hit = conditional.find(v);
      if (hit == conditional.end()) {
        Result why;
        auto target = conditional_target(writes_, who, v, pending, gone, why);
        if (!target) {
          failed = std::move(why);
          return;
        }
        hit = conditional.emplace(v, std::move(*target)).first;
      }
      value.value = doc.copy(hit->second);
    });
    if (failed) return entry_failure(e, std::move(*failed));
  }
  return std::nullopt;
}

std::optional<Result> FhirService::commit_transaction(const Caller& who, fhir::model::Document& doc,
                                                      std::vector<BundleEntry>& entries) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    // The store writes each entry while the next one is planned.
    auto commit = store_.begin_streaming();
    std::unordered_set<std::string> touched;
    std::vector<store::Write> audited;  // one AuditEvent for the Bundle: its resources' identities

    for (const char* method : {"DELETE", "POST", "PUT"}) {
      for (auto& e : entries) {
        if (e.method != method || e.done) continue;
        if (!touched.insert(e.type + "/" + e.id).second) {
          return entry_failure(e, 400, "invalid", e.type + "/" + e.id + " appears in more than one entry of the transaction");
        }
        const Issues* validated = e.validated ? &*e.validated : nullptr;
        // A conditional update's body need not carry the id its criteria found (or chose).
        if (e.method == "PUT" && !e.criteria.empty() && e.resource && resource_id(*e.resource).empty())
          set_primitive(doc, definitions_, *e.resource, "id", e.id);
        Planned planned = e.method == "DELETE" ? writes_.plan_delete(who, e.type, e.id, e.version)
                          : e.method == "POST" ? writes_.plan_create(who, doc, *e.resource, e.type, "", e.id, validated)
                                               : writes_.plan_update(who, doc, *e.resource, e.type, e.id, e.version, nullptr, validated);
        if (planned.result.status == 412 && e.patched) {  // written meanwhile: the patch was made on an older version
          e.stale = true;
          return entry_failure(e, 409, "conflict", e.type + "/" + e.id + " changed while the transaction ran (version " +
                                                       std::to_string(*e.version) + " was patched): send the transaction again");
        }
        if (planned.result.status >= 400) return entry_failure(e, std::move(planned.result));
        e.result = planned.result;
        if (!planned.write) continue;
        audited.push_back(store::Write{store::ResourceRecord{planned.write->record.type, planned.write->record.id, 0, {},
                                                             0, false, planned.write->record.method, {},
                                                             planned.write->record.access}, {}, {}});
        commit->add(std::move(*planned.write));
      }
    }
    writes_.audit(audited, {who, {}, "transaction"});
    if (!audited.empty() && !audited.back().logs.empty()) {
      store::Write record;  // no resource: only the Bundle's audit record, in its commit
      record.logs = std::move(audited.back().logs);
      commit->add(std::move(record));
    }
    auto result = commit->finish();
    if (result.ok()) return std::nullopt;
    if (!retry(result, attempt)) return commit_failure(result);
  }
  return commit_failure({store::CommitResult::Status::Conflict, {}, 0});
}

}  // namespace carebridge::gateway::rest
