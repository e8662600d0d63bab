// Bundle rules: the entry index used to resolve references, absolute and present
// fullUrls agreeing with a RESTful resource id, unique fullUrls (bdl-7, versions
// apart), request/response by Bundle type (bdl-3, bdl-4), search only in searchsets
// (bdl-2) with the search modes' rules, total (bdl-1), entries not empty (bdl-5), no
// versioned fullUrl (bdl-8), link relations by Bundle type, document and message first
// entries (bdl-11, bdl-12) and their identifier and date (bdl-9, bdl-10). What a
// document's Composition refers to: bundle_documents.cpp.
#include <unordered_set>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

const Element* entry_resource(const Element& entry) {
  for (const Element* c : entry.children()) {
    if (c->name == "resource" && c->is_resource()) return c;
  }
  return nullptr;
}

std::string_view version_of(const Element* resource) {
  const Element* meta = resource ? child_named(*resource, "meta") : nullptr;
  return meta ? value_of(child_named(*meta, "versionId")) : std::string_view{};
}

bool one_of(std::string_view value, std::initializer_list<std::string_view> list) {
  for (auto v : list) {
    if (v == value) return true;
  }
  return false;
}

// Link relations: paging relations only where results are paged, each paging relation and
// "self" at most once (the reference validator flags the second and later ones), and a
// document's stylesheet, when given by a relative URL, one of its entries (Type/id).
void check_links(Run& run, const Element& bundle, const BundleIndex& index, const Path& path) {
  std::string_view type = index.type;
  bool paged = type == "searchset" || type == "history";
  bool known = paged || one_of(type, {"document", "message", "collection", "subscription-notification", "transaction",
                                       "transaction-response", "batch", "batch-response"});
  if (!known) return;
  std::unordered_set<std::string_view> seen;
  int i = 0;
  for (const Element* link : bundle.children()) {
    if (link->name != "link") continue;
    Path lpath{&path, "link", i++};
    std::string_view rel = value_of(child_named(*link, "relation"));
    bool paging = one_of(rel, {"first", "previous", "next", "last"});
    if (paging && !paged) {
      run.report(Severity::Error, "invalid",
                 "the link relation '" + std::string(rel) + "' is for paged search or history results, not a " +
                     std::string(type) + " Bundle",
                 *link, lpath);
    }
    if ((paging || rel == "self") && !seen.insert(rel).second && (paged || rel == "self")) {
      run.report(Severity::Error, "invalid", "the link relation '" + std::string(rel) + "' can occur only once", *link,
                 lpath);
    }
    std::string_view url = value_of(child_named(*link, "url"));
    if (type == "document" && rel == "stylesheet" && !url.empty() && !is_absolute_url(url) &&
        !index.type_id(std::string(url))) {
      run.report(Severity::Error, "not-found",
                 "the stylesheet '" + std::string(url) +
                     "' is not an entry of the document (a relative stylesheet URL names one)",
                 *link, lpath);
    }
  }
}

// A resource whose canonical url is also its entry's fullUrl says it lives on its own server,
// at that url: which is then the RESTful URL of its type and id (the reference's
// BUNDLE_BUNDLE_ENTRY_MISMATCHIDURL; pre-UTG v2 and v3 urls are let be).
void check_canonical_full_url(Run& run, const BundleEntry& e, const Path& epath) {
  if (!e.resource) return;
  std::string_view url = value_of(child_named(*e.resource, "url"));
  if (url.empty() || url != e.full_url) return;
  if (url.starts_with("http://hl7.org/fhir/v3/") || url.starts_with("http://hl7.org/fhir/v2/")) return;
  std::string id(value_of(child_named(*e.resource, "id")));
  if (!id.empty() && match_rest_url(run.defs, url) && url.ends_with("/" + id)) return;
  run.report(run.tolerable(), "invalid",
             "the fullUrl is the resource's canonical url '" + std::string(url) +
                 "', which then must be the RESTful URL of the resource (ending with its type and id '" + id + "')",
             *e.entry, epath);
}

// The fullUrl of an entry: absolute, present unless the Bundle is a transaction or batch (or
// their response), not versioned (bdl-8), and when it reads as a RESTful URL it ends with
// the resource's type and id.
void check_full_url(Run& run, const BundleEntry& e, std::string_view type, const Path& epath) {
  const Element& entry = *e.entry;
  if (e.full_url.empty()) {
    // R4: "fullUrl SHALL have a value except ... on a POST, and results from operations
    // might involve resources that are not identified" (a search outcome).
    const Element* search = child_named(entry, "search");
    bool outcome = search && value_of(child_named(*search, "mode")) == "outcome";
    if (!child_named(entry, "fullUrl") && !outcome &&
        !one_of(type, {"transaction", "transaction-response", "batch", "batch-response"})) {
      run.report(Severity::Error, "required", "a " + std::string(type) + " Bundle entry must have a fullUrl", entry, epath);
    }
    return;
  }
  std::string shown(e.full_url);
  if (!is_absolute_url(e.full_url)) {
    run.report(Severity::Error, "invalid",
               "the fullUrl '" + shown + "' must be an absolute URL (a RESTful URL, or urn:uuid: / urn:oid:)", entry, epath);
    return;
  }
  if (e.full_url.find("/_history/") != std::string_view::npos) {
    run.report(Severity::Error, "invariant", "fullUrl cannot be a version-specific reference (bdl-8)", entry, epath);
  }
  check_canonical_full_url(run, e, epath);
  if (!e.resource || !match_rest_url(run.defs, e.full_url)) return;
  std::string_view id = value_of(child_named(*e.resource, "id"));
  if (id.empty()) {
    run.report(Severity::Error, "invalid",
               "the fullUrl '" + shown + "' looks like a RESTful server URL, but the resource has no id", entry, epath);
    return;
  }
  std::string tail = "/" + std::string(e.resource->type) + "/" + std::string(id);
  std::string_view head = e.full_url.substr(0, e.full_url.rfind('/'));
  if (!head.ends_with("/" + std::string(e.resource->type))) {
    run.report(Severity::Error, "invalid",
               "the fullUrl '" + shown + "' names another type than its resource's ('" + std::string(e.resource->type) +
                   "'): it SHALL NOT disagree with the resource",
               entry, epath);
  } else if (!e.full_url.ends_with(tail)) {
    // The reference validator has made this an error since 2023 (BUNDLE_ENTRY_URL_MATCHES_TYPE_ID);
    // the R4 examples predate that (Bundle-lri-example has fullUrl .../Observation/lri-gramstain1
    // for id gramstain1), so data systems send it: a warning when ingesting.
    run.report(run.tolerable(), "invalid",
               "the fullUrl '" + shown + "' looks like a RESTful server URL, but does not end with the type and id '" + tail +
                   "' of its resource",
               entry, epath);
  }
}

// Request, response and search by Bundle type (bdl-2..5).
void check_entry_parts(Run& run, const BundleEntry& e, std::string_view type, const Path& epath) {
  const Element& entry = *e.entry;
  bool transaction = type == "transaction" || type == "batch";
  bool response = type == "transaction-response" || type == "batch-response";
  bool history = type == "history";
  const Element* request = child_named(entry, "request");
  const Element* response_el = child_named(entry, "response");
  if (!e.resource && !request && !response_el) {
    run.report(Severity::Error, "invariant", "an entry must have a resource, a request or a response (bdl-5)", entry, epath);
  }
  if (child_named(entry, "search") && type != "searchset") {
    run.report(Severity::Error, "invariant", "entry.search is only allowed in a searchset Bundle (bdl-2)", entry, epath);
  }
  if (!request && (transaction || history)) {
    run.report(Severity::Error, "invariant", "entry.request is required in a " + std::string(type) + " Bundle (bdl-3)",
               entry, epath);
  }
  if (request && !transaction && !history) {
    run.report(Severity::Error, "invariant", "entry.request is only allowed in batch, transaction and history Bundles",
               entry, epath);
  }
  if (!response_el && (response || history)) {
    run.report(Severity::Error, "invariant", "entry.response is required in a " + std::string(type) + " Bundle (bdl-4)",
               entry, epath);
  }
  if (response_el && !response && !history) {
    run.report(Severity::Error, "invariant",
               "entry.response is only allowed in batch-response, transaction-response and history Bundles", entry, epath);
  }
}

// bdl-7: a fullUrl occurs once, unless the entries are versions of it (meta.versionId differs);
// history Bundles are exempt.
void check_unique_full_urls(Run& run, const BundleIndex& index, const Path& path) {
  if (index.type == "history") return;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < index.entries.size(); ++i) {
    const BundleEntry& e = index.entries[i];
    if (e.full_url.empty()) continue;
    std::string key = std::string(e.full_url) + '\n' + std::string(e.version);
    if (!seen.insert(key).second) {
      Path epath{&path, "entry", static_cast<int>(i)};
      run.report(Severity::Error, "invariant",
                 "the fullUrl '" + std::string(e.full_url) + "' is used by more than one entry" +
                     (e.version.empty() ? "" : " with the same meta.versionId") + " (bdl-7)",
                 *e.entry, epath);
    }
  }
}

void check_document_and_message(Run& run, const Element& bundle, const BundleIndex& index, const Path& path) {
  bool document = index.type == "document", message = index.type == "message";
  if (!document && !message) return;
  const char* first_type = document ? "Composition" : "MessageHeader";
  const char* rule = document ? "bdl-11" : "bdl-12";
  if (index.entries.empty()) {
    run.report(Severity::Error, "invariant",
               "a " + std::string(index.type) + " Bundle must start with a " + first_type + " (" + rule + ")", bundle, path);
  } else if (const Element* first = index.entries.front().resource; first && first->type != first_type) {
    Path epath{&path, "entry", 0};
    run.report(Severity::Error, "invariant",
               "the first entry of a " + std::string(index.type) + " Bundle must be a " + first_type + " (" + rule + ")",
               *index.entries.front().entry, epath);
  }
  if (!document) return;
  const Element* identifier = child_named(bundle, "identifier");
  if (!identifier || !child_named(*identifier, "system") || !child_named(*identifier, "value")) {
    run.report(Severity::Error, "invariant", "a document Bundle must have an identifier with a system and a value (bdl-9)",
               bundle, path);
  }
  if (!child_named(bundle, "timestamp")) {
    run.report(Severity::Error, "invariant", "a document Bundle must have a timestamp (bdl-10)", bundle, path);
  }
}

}  // namespace

const std::vector<uint32_t>* BundleIndex::full_url(const std::string& url) const {
  auto it = by_full_url.find(url);
  return it == by_full_url.end() ? nullptr : &it->second;
}

const std::vector<uint32_t>* BundleIndex::type_id(const std::string& key) const {
  auto it = by_type_id.find(key);
  return it == by_type_id.end() ? nullptr : &it->second;
}

void index_bundle(const Element& bundle, BundleIndex& index) {
  index.bundle = &bundle;
  index.type = value_of(child_named(bundle, "type"));
  for (const Element* entry : bundle.children()) {
    if (entry->name != "entry") continue;
    BundleEntry e{entry, entry_resource(*entry), value_of(child_named(*entry, "fullUrl")), {}};
    e.version = version_of(e.resource);
    auto at = static_cast<uint32_t>(index.entries.size());
    if (!e.full_url.empty()) {
      index.by_full_url[std::string(e.full_url)].push_back(at);
      if (!e.version.empty()) index.by_full_url[std::string(e.full_url) + "/_history/" + std::string(e.version)].push_back(at);
    }
    if (e.resource) {
      std::string_view id = value_of(child_named(*e.resource, "id"));
      if (!id.empty()) {
        std::string key = std::string(e.resource->type) + "/" + std::string(id);
        if (!e.version.empty()) index.by_type_id[key + "/_history/" + std::string(e.version)].push_back(at);
        index.by_type_id[key].push_back(at);
      }
    }
    index.entries.push_back(e);
  }
}

void check_bundle(Run& run, const Element& bundle, const BundleIndex& index, const Path& path) {
  std::string_view type = index.type;
  if (child_named(bundle, "total") && type != "searchset" && type != "history") {
    run.report(Severity::Error, "invariant", "total is only allowed in a searchset or history Bundle (bdl-1)", bundle, path);
  }
  check_links(run, bundle, index, path);
  for (size_t i = 0; i < index.entries.size(); ++i) {
    Path epath{&path, "entry", static_cast<int>(i)};
    check_entry_parts(run, index.entries[i], type, epath);
    check_full_url(run, index.entries[i], type, epath);
  }
  check_unique_full_urls(run, index, path);
  if (type == "searchset") check_search_results(run, bundle, index, path);
  check_document_and_message(run, bundle, index, path);
  check_bundle_links(run, index, path);
}

}  // namespace carebridge::fhir::validation
