// The entries of a batch or transaction Bundle (FHIR R4 http.html 3.1.0.11), shared
// by the two ways they are processed: each entry's request read and checked, and
// the response Bundle written with one entry per request entry, in order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/model/element.h"
#include "gateway/http/message.h"
#include "fhir/search/registry.h"
#include "gateway/rest/service.h"

namespace carebridge::gateway::rest {

struct BundleEntry {
  size_t index = 0;
  fhir::model::Element* resource = nullptr;
  std::string full_url, method, url, if_none_exist, if_match;
  std::string if_none_match, if_modified_since;  // a read's conditions (conditional read)
  std::string type, id;  // from the url (id resolved for conditional entries)
  Params criteria;       // conditional update/delete
  std::optional<int64_t> version;
  bool done = false;  // answered without a write (a check failed, a conditional create matched)
  Result result;
  std::optional<Issues> validated;  // what validating the resource found, when done ahead of planning
  // A PATCH without ifMatch, patched on the version read: when another write replaces that
  // version before the commit, the transaction is planned again rather than refused.
  bool patched_on_read = false;
  bool stale = false;  // that happened

  // "Bundle.entry[3]": where issues about the entry point.
  std::string where() const { return "Bundle.entry[" + std::to_string(index) + "]"; }
  bool is_read() const { return method == "GET" || method == "HEAD"; }
};

// The entries of `bundle` with their request members.
std::vector<BundleEntry> read_entries(fhir::model::Element& bundle);

// Checks an entry's request and reads its url ("Patient/1", "Patient?x=y", absolute urls
// under one of this server's `bases`, the first the one it answers with: its public base and
// the one the request's Host names; scheme and host in any case). Nullopt when fine, else
// what the entry is answered with.
std::optional<Result> check_entry(BundleEntry& entry, const std::string& base_path,
                                  const std::vector<std::string>& bases, const SearchRegistry& registry);

// A sub-request for a GET or PATCH entry (a PATCH carries its JSON Patch as a Binary).
http::Request entry_request(const BundleEntry& entry, const http::Request& outer, const std::string& base_path,
                            const std::string& base_url);
// The entry's result from the answer to its sub-request.
Result entry_result(const http::Response& response, const std::string& base_url);

// The base a relative reference in the entry resolves against: its fullUrl up to the type
// when the fullUrl is a RESTful URL of the entry's resource ("https://ehr/fhir/" for
// "https://ehr/fhir/Encounter/9"), else empty (bundle.html, "Resolving references in Bundles").
std::string_view restful_base(const fhir::definitions::Definitions& definitions, const BundleEntry& entry);
// What `full_urls` maps the fullUrl a reference names to: the entry it names by its fullUrl, or
// relative to the referring entry's RESTful `base` ("Patient/7" in an entry whose fullUrl is
// https://ehr/fhir/Encounter/9 names https://ehr/fhir/Patient/7). A version the reference
// names is not part of the fullUrl it matches. Null when it names no entry.
const std::string* entry_named(const std::unordered_map<std::string, std::string>& full_urls, std::string_view reference,
                               std::string_view base);

// The query with each value (each of a list's values) that names an entry by its fullUrl
// replaced by the entry's "Type/id", as `ids` maps them: a transaction's conditional url may
// name another entry's placeholder ("Encounter?subject=urn:uuid:..."), as HAPI FHIR and
// Medplum read it.
std::string with_entry_ids(std::string_view query, const std::unordered_map<std::string, std::string>& ids);
// The entries `e`'s conditions (its ifNoneExist, or its url's search) name by their fullUrl,
// `full_urls` mapping each fullUrl to its entry.
std::vector<BundleEntry*> entries_named_in_conditions(const BundleEntry& e,
                                                      const std::unordered_map<std::string, BundleEntry*>& full_urls);
// Replaces the placeholders in `e`'s conditions by the ids their entries resolved to (with_entry_ids).
void name_entry_ids(BundleEntry& e, const std::unordered_map<std::string, std::string>& ids);

// The batch-response or transaction-response Bundle (compact JSON). Each write entry answers
// as Prefer asks (`wanted`: return=minimal, no resource; return=OperationOutcome, its outcome).
std::string response_bundle(const std::vector<BundleEntry>& entries, bool transaction, const std::string& base_url,
                            Return wanted);

}  // namespace carebridge::gateway::rest
