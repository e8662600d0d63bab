// Bundle rules: the fullUrl index used to resolve references, fullUrl agreeing
// with the resource id, unique fullUrls (bdl-7), request/response by Bundle type
// (bdl-3, bdl-4), search only in searchsets (bdl-2), total (bdl-1), entries not empty
// (bdl-5), no versioned fullUrl (bdl-8), document and message first entries
// (bdl-11, bdl-12) and their identifier and date (bdl-9, bdl-10).
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

const Element* entry_resource(const Element& entry) {
  for (const Element* c : entry.children()) {
    if (c->name == "resource" && c->is_resource()) return c;
  }
  return nullptr;
}

}  // namespace

void index_bundle(const Element& bundle, BundleIndex& index) {
  index.bundle = &bundle;
  for (const Element* entry : bundle.children()) {
    if (entry->name != "entry") continue;
    const Element* resource = entry_resource(*entry);
    if (!resource) continue;
    std::string_view full_url = value_of(child_named(*entry, "fullUrl"));
    if (!full_url.empty()) index.by_full_url[full_url].push_back(resource);
    std::string_view id = value_of(child_named(*resource, "id"));
    if (!id.empty()) index.by_type_id[std::string(resource->type) + "/" + std::string(id)].push_back(resource);
  }
}

void check_bundle(Run& run, const Element& bundle, const BundleIndex& index, const Path& path) {
  std::string_view type = value_of(child_named(bundle, "type"));
  bool transaction = type == "transaction" || type == "batch";
  bool response = type == "transaction-response" || type == "batch-response";
  bool history = type == "history";
  bool searchset = type == "searchset";
  if (child_named(bundle, "total") && !searchset && !history) {
    run.report(Severity::Error, "invariant", "total is only allowed in a searchset or history Bundle (bdl-1)", bundle, path);
  }
  int i = 0;
  bool first = true;
  for (const Element* entry : bundle.children()) {
    if (entry->name != "entry") continue;
    Path epath{&path, "entry", i++};
    const Element* resource = entry_resource(*entry);
    const Element* request = child_named(*entry, "request");
    const Element* response_el = child_named(*entry, "response");
    std::string_view full_url = value_of(child_named(*entry, "fullUrl"));
    if (!resource && !request && !response_el) {
      run.report(Severity::Error, "invariant", "an entry must have a resource, a request or a response (bdl-5)", *entry,
                 epath);
    }
    if (child_named(*entry, "search") && !searchset) {
      run.report(Severity::Error, "invariant", "entry.search is only allowed in a searchset Bundle (bdl-2)", *entry, epath);
    }
    if (!request && (transaction || history)) {
      run.report(Severity::Error, "invariant",
                 "entry.request is required in a " + std::string(type) + " Bundle (bdl-3)", *entry, epath);
    }
    if (request && !transaction && !history) {
      run.report(Severity::Error, "invariant", "entry.request is only allowed in batch, transaction and history Bundles",
                 *entry, epath);
    }
    if (!response_el && (response || history)) {
      run.report(Severity::Error, "invariant",
                 "entry.response is required in a " + std::string(type) + " Bundle (bdl-4)", *entry, epath);
    }
    if (response_el && !response && !history) {
      run.report(Severity::Error, "invariant",
                 "entry.response is only allowed in batch-response, transaction-response and history Bundles", *entry,
                 epath);
    }
    if (full_url.find("/_history/") != std::string_view::npos) {
      run.report(Severity::Error, "invariant", "fullUrl cannot be a version-specific reference (bdl-8)", *entry, epath);
    }
    if (!full_url.empty() && !history) {
      auto it = index.by_full_url.find(full_url);
      if (it != index.by_full_url.end() && it->second.size() > 1 && it->second.front() != resource) {
        run.report(Severity::Error, "invariant",
                   "the fullUrl '" + std::string(full_url) + "' is used by more than one entry (bdl-7)", *entry, epath);
      }
    }
    if (resource) {
      std::string_view id = value_of(child_named(*resource, "id"));
      // A RESTful fullUrl ends in Type/id and must agree with the resource.
      std::string tail = "/" + std::string(resource->type) + "/";
      auto at = full_url.rfind(tail);
      bool restful = full_url.find("://") != std::string_view::npos && at != std::string_view::npos &&
                     full_url.find('/', at + tail.size()) == std::string_view::npos;
      if (restful && id.empty()) {
        run.report(Severity::Error, "invalid",
                   "the fullUrl '" + std::string(full_url) + "' looks like a RESTful server URL, but the resource has no id",
                   *entry, epath);
      } else if (restful && full_url.substr(at + tail.size()) != id) {
        run.report(Severity::Warning, "invalid",
                   "the fullUrl '" + std::string(full_url) + "' does not match the resource id '" + std::string(id) + "'",
                   *entry, epath);
      }
      if (searchset && id.empty()) {
        const Element* search = child_named(*entry, "search");
        std::string_view mode = search ? value_of(child_named(*search, "mode")) : "";
        if (mode != "outcome" && resource->type != "OperationOutcome") {
          run.report(Severity::Error, "required", "resources in search results must have ids", *entry, epath);
        }
      }
      if (first && type == "document" && resource->type != "Composition") {
        run.report(Severity::Error, "invariant", "the first entry of a document Bundle must be a Composition (bdl-11)",
                   *entry, epath);
      }
      if (first && type == "message" && resource->type != "MessageHeader") {
        run.report(Severity::Error, "invariant", "the first entry of a message Bundle must be a MessageHeader (bdl-12)",
                   *entry, epath);
      }
    }
    first = false;
  }
  if (type == "document") {
    const Element* identifier = child_named(bundle, "identifier");
    if (!identifier || !child_named(*identifier, "system") || !child_named(*identifier, "value")) {
      run.report(Severity::Error, "invariant", "a document Bundle must have an identifier with a system and a value (bdl-9)",
                 bundle, path);
    }
    if (!child_named(bundle, "timestamp")) {
      run.report(Severity::Error, "invariant", "a document Bundle must have a timestamp (bdl-10)", bundle, path);
    }
    if (first) {
      run.report(Severity::Error, "invariant", "a document Bundle must start with a Composition (bdl-11)", bundle, path);
    }
  }
  if (type == "message" && first) {
    run.report(Severity::Error, "invariant", "a message Bundle must start with a MessageHeader (bdl-12)", bundle, path);
  }
}

}  // namespace carebridge::fhir::validation
