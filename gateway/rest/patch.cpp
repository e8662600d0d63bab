// The PATCH interaction (FHIR R4 http.html#patch) with JSON Patch bodies
// (application/json-patch+json), FHIRPath Patch ones (a Parameters resource, as
// application/fhir+json or +xml) or JSON Merge Patch ones (application/merge-patch+json,
// RFC 7386, which clients send too): the current version is patched, parsed and
// validated as FHIR, and stored as the next version like an update. A concurrent
// change between reading and committing makes the patch apply again to the newer
// version, unless the client pinned a version with If-Match.
#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "gateway/rest/fhirpath_patch.h"
#include "gateway/rest/json_patch.h"
#include "gateway/rest/patch.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

PatchKind patch_kind(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  std::string_view media = content_type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (http::iequals(media, "application/json-patch+json")) return PatchKind::JsonPatch;
  if (http::iequals(media, "application/merge-patch+json")) return PatchKind::MergePatch;
  // A Parameters resource: application/fhir+json or +xml (and the older json+fhir, xml+fhir).
  for (std::string_view fhir_type : {"application/fhir+json", "application/json+fhir", "application/fhir+xml", "application/xml+fhir"})
    if (http::iequals(media, fhir_type)) return PatchKind::FhirPathPatch;
  return PatchKind::None;
}

// A FHIRPath Patch's Parameters as JSON keeping its numbers' text, from JSON or XML; false
// when the body is not a FHIR resource.
bool read_fhirpath_patch(const http::Request& request, const fhir::definitions::Definitions& definitions,
                         const PatchLimits& limits, rapidjson::Document& out) {
  if (fhir::io::detect(request.body) == fhir::io::Format::Json)
    return parse_json_keeping_numbers(request.body, limits.max_depth, out);
  fhir::io::Limits read_limits;
  read_limits.max_bytes = limits.max_bytes;
  auto parsed = fhir::io::read(request.body, definitions, read_limits);
  return parsed.document && parsed.document->root() &&
         parse_json_keeping_numbers(fhir::json::write(*parsed.document->root()), limits.max_depth, out);
}

}  // namespace

std::optional<Result> FhirService::read_patch(const http::Request& request, PatchRequest& out) const {
  PatchKind kind = patch_kind(request.header("Content-Type"));
  if (kind == PatchKind::None) {
    return failure(415, "not-supported",
                   "PATCH takes a JSON Patch (Content-Type application/json-patch+json), a FHIRPath Patch "
                   "(a Parameters resource as application/fhir+json or application/fhir+xml) or a JSON Merge Patch "
                   "(application/merge-patch+json), not '" +
                       std::string(request.header("Content-Type")) + "'");
  }
  PatchLimits limits;
  limits.max_bytes = options_.limits.max_body_bytes;
  if (kind == PatchKind::FhirPathPatch && !options_.engine)
    return failure(415, "not-supported", "FHIRPath Patch needs the FHIRPath engine, which this server runs without");
  rapidjson::Document& operations = out.operations;
  bool json = kind == PatchKind::FhirPathPatch ? read_fhirpath_patch(request, definitions_, limits, operations)
                                               : parse_json_keeping_numbers(request.body, limits.max_depth, operations);
  if (kind == PatchKind::FhirPathPatch && (!json || !operations.IsObject() || !operations.HasMember("resourceType") ||
                                           operations["resourceType"] != "Parameters")) {
    return failure(400, "structure", "the body is not a FHIRPath Patch (a Parameters resource in JSON or XML)");
  }
  if (kind == PatchKind::JsonPatch && (!json || !operations.IsArray())) {
    return failure(400, "structure",
                   "the body is not a JSON Patch (a JSON array of operations, nested at most " +
                       std::to_string(limits.max_depth) + " deep)");
  }
  if (kind == PatchKind::MergePatch && (!json || !operations.IsObject())) {
    return failure(400, "structure", "the body is not a JSON Merge Patch (a JSON object, nested at most " +
                                         std::to_string(limits.max_depth) + " deep)");
  }
  out.kind = kind;
  return std::nullopt;
}

std::optional<Result> FhirService::apply_patch(const PatchRequest& patch, const store::ResourceRecord& current,
                                               std::unique_ptr<fhir::model::Document>& out) const {
  PatchLimits limits;
  limits.max_bytes = options_.limits.max_body_bytes;
  rapidjson::Document resource;
  if (!parse_json_keeping_numbers(current.body, limits.max_depth, resource)) {
    return failure(500, "exception", "the stored " + current.type + "/" + current.id + " cannot be read as JSON");
  }
  std::string error = patch.kind == PatchKind::JsonPatch ? apply_json_patch(resource, patch.operations, limits)
                      : patch.kind == PatchKind::FhirPathPatch
                          ? apply_fhirpath_patch(resource, patch.operations, *options_.engine, limits)
                          : apply_merge_patch(resource, patch.operations, limits);
  if (!error.empty()) return failure(422, "processing", "the patch does not apply: " + error);
  fhir::io::Limits read_limits;
  read_limits.max_bytes = options_.limits.max_body_bytes;
  auto parsed = fhir::io::read(write_json_keeping_numbers(resource), definitions_, read_limits);
  if (!parsed.document || !parsed.document->root() || parsed.has_errors()) {
    Result r;
    r.status = 422;
    r.issues = std::move(parsed.issues);
    if (r.issues.empty()) r.issues.push_back({fhir::model::Severity::Error, "structure", "the patched resource is not FHIR", {}, {}});
    return r;
  }
  out = std::move(parsed.document);
  return std::nullopt;
}

std::optional<Result> FhirService::patch_current(const Call& call, const std::string& type, const std::string& id,
                                                 std::optional<int64_t> if_match, const PatchRequest& patch,
                                                 std::optional<store::ResourceRecord>& current,
                                                 std::unique_ptr<fhir::model::Document>& out) const {
  current = store_.read(type, id);
  if (current && !sees(call, *current)) current.reset();  // not there for the caller
  if (!current || current->deleted) {
    return failure(current ? 410 : 404, current ? "deleted" : "not-found", type + "/" + id + (current ? " was deleted" : " is not known"));
  }
  if (if_match && *if_match != current->version) {
    return failure(412, "conflict", type + "/" + id + " is at version " + std::to_string(current->version) + ", not " +
                                        std::to_string(*if_match));
  }
  return apply_patch(patch, *current, out);
}

Result FhirService::patch(const Call& call, const std::string& type, const std::string& id,
                          std::optional<int64_t> if_match) {
  PatchRequest patch;
  if (auto refused = read_patch(call.request, patch)) return std::move(*refused);
  std::unique_ptr<fhir::model::Document> doc;
  // Planned on the version read here: a commit that finds a newer one conflicts,
  // and writes_.execute() plans again, patching that one.
  return writes_.execute([&]() -> Planned {
    Planned p;
    std::optional<store::ResourceRecord> current;
    if (auto refused = patch_current(call, type, id, if_match, patch, current, doc)) {
      p.result = std::move(*refused);
      return p;
    }
    return writes_.plan_update(call.who, *doc, *doc->root(), type, id, if_match, &*current);
  }, {call.who, call.request.remote});
}

// Conditional patch (FHIR R4 http.html#patch): the search criteria in the URL select the
// resource to patch, as a conditional update's do; none is 404, several 412.
Result FhirService::conditional_patch(const Call& call, const std::string& type, std::optional<int64_t> if_match) {
  std::lock_guard conditional(writes_.conditional_mutex());
  Result why;
  auto id = writes_.patch_target(call.who, type, call.target.params,
                                 "PATCH on " + type + " needs search criteria (conditional patch) or an id in the URL", why);
  if (!id) return why;
  return patch(call, type, *id, if_match);
}

}  // namespace carebridge::gateway::rest
