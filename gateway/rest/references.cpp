// References a write cannot keep as written (write_path.h). A conditional reference
// ("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999") names a search, and a
// urn:uuid reference names an entry of the Bundle it came in: stored as they are, neither
// points at anything, and searches by patient miss the resource. Transactions resolve
// both before their entries are planned (transaction.cpp). A batch's entries and single
// creates and updates, which is how interface engines that split or re-type Bundles send
// them, get their conditional references resolved the same way (FHIR R4 defines them for
// transactions; taking them elsewhere is lenient), and a urn:uuid reference is refused
// with the reason (R4 http.html 3.1.0.11.1: references between batch entries are not
// allowed), as other servers do.
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/service_call.h"
#include "gateway/rest/write_path.h"

namespace carebridge::gateway::rest {

std::optional<std::string> WritePath::resolve_conditional(const Caller& who, std::string_view reference, Result& failure_out,
                                                          const std::unordered_set<std::string>* gone) {
  auto q = reference.find('?');
  Issues issues;
  std::string type(reference.substr(0, q));
  auto matches = q == std::string_view::npos || !registry_.is_resource_type(type)
                     ? std::vector<store::ResourceRecord>{}
                     : match(who, type, parse_query(reference.substr(q + 1)), 2, issues, gone);
  if (matches.size() == 1) return matches[0].type + "/" + matches[0].id;
  std::string shown(reference.substr(0, 300));
  if (has_error(issues)) {
    failure_out = failure(400, "invalid", "the conditional reference " + shown + " is not a search this server runs");
    failure_out.issues.insert(failure_out.issues.end(), issues.begin(), issues.end());
  } else if (matches.empty()) {
    failure_out = failure(412, "not-found", "the conditional reference " + shown + " matches no resource");
  } else {
    failure_out = failure(412, "multiple-matches", "the conditional reference " + shown + " matches more than one resource");
  }
  return std::nullopt;
}

std::optional<Result> WritePath::settle_references(const Caller& who, fhir::model::Document& doc,
                                                   fhir::model::Element& resource) {
  // A Bundle stored as a resource (a document) keeps its references: they resolve within it.
  if (resource.type == "Bundle") return std::nullopt;
  std::optional<Result> refused;
  for_each_reference(resource, [&](fhir::model::Element& value) {
    if (refused || value.base_name() != "reference") return;
    std::string_view v = value.value;
    if (v.starts_with("urn:uuid:") || v.starts_with("urn:oid:")) {
      refused = failure(400, "invalid", "the reference " + std::string(v.substr(0, 100)) +
                                            " names an entry of a Bundle; it resolves only inside a transaction Bundle "
                                            "that has an entry with that fullUrl");
      return;
    }
    if (conditional_reference(v).first.empty()) return;  // a reference, or another server's URL
    Result failed;
    if (auto target = resolve_conditional(who, v, failed)) {
      value.value = doc.copy(*target);
    } else {
      refused = std::move(failed);
    }
  });
  return refused;
}

}  // namespace carebridge::gateway::rest
