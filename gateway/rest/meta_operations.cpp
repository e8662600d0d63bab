// $meta, $meta-add and $meta-delete on a resource (R4 resource-operations.html): its profiles,
// tags and security labels read, added and removed. An addition or a removal is written as
// the next version through the update path, so it is validated, labelled, audited and routed
// like any other write (the specification leaves whether meta changes make a version to the
// server); a removal cannot take a label the labelling rules put back. Answers are Parameters
// with the resulting meta as `return`.
#include <algorithm>

#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "gateway/rest/json_patch.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

using Json = rapidjson::Value;

// Whether two items of a meta list are one: a profile by its URL, a Coding by system and code.
bool same_item(const Json& a, const Json& b) {
  if (a.IsString() || b.IsString()) return a.IsString() && b.IsString() && a == b;
  auto text = [](const Json& coding, const char* name) {
    return coding.IsObject() && coding.HasMember(name) && coding[name].IsString() ? std::string_view(coding[name].GetString())
                                                                                   : std::string_view();
  };
  return text(a, "system") == text(b, "system") && text(a, "code") == text(b, "code");
}

// `change`'s profiles, tags and security labels added to the resource's meta, or removed from it.
void change_meta(rapidjson::Document& resource, const Json& change, bool add) {
  auto& alloc = resource.GetAllocator();
  if (!resource.HasMember("meta")) resource.AddMember("meta", Json(rapidjson::kObjectType), alloc);
  Json& meta = resource["meta"];
  for (const char* list : {"profile", "tag", "security"}) {
    if (!change.HasMember(list) || !change[list].IsArray()) continue;
    if (!meta.HasMember(list)) meta.AddMember(Json(list, alloc), Json(rapidjson::kArrayType), alloc);
    Json& items = meta[list];
    for (const Json& item : change[list].GetArray()) {
      auto found = std::find_if(items.Begin(), items.End(), [&](const Json& have) { return same_item(have, item); });
      if (add && found == items.End()) items.PushBack(Json(item, alloc), alloc);
      if (!add && found != items.End()) items.Erase(found);
    }
    if (items.Empty()) meta.RemoveMember(list);
  }
  if (meta.ObjectEmpty()) resource.RemoveMember("meta");
}

// The resource's profiles, tags and security labels as $meta's Parameters.
std::string meta_parameters(const rapidjson::Document& resource) {
  rapidjson::Document meta(rapidjson::kObjectType);
  auto& alloc = meta.GetAllocator();
  if (resource.HasMember("meta"))
    for (const char* list : {"profile", "security", "tag"})
      if (resource["meta"].HasMember(list)) meta.AddMember(Json(list, alloc), Json(resource["meta"][list], alloc), alloc);
  return R"({"resourceType":"Parameters","parameter":[{"name":"return","valueMeta":)" + write_json_keeping_numbers(meta) + "}]}";
}

// The `meta` parameter of a $meta-add or $meta-delete body (JSON or XML Parameters) in
// `change`; false when the body has none.
bool read_meta_change(const http::Request& request, const fhir::definitions::Definitions& definitions, size_t max_bytes,
                      rapidjson::Document& parameters, const Json*& change) {
  std::string json(request.body);
  if (fhir::io::detect(request.body) != fhir::io::Format::Json) {
    fhir::io::Limits limits;
    limits.max_bytes = max_bytes;
    auto parsed = fhir::io::read(request.body, definitions, limits);
    if (!parsed.document || !parsed.document->root()) return false;
    json = fhir::json::write(*parsed.document->root());
  }
  if (!parse_json_keeping_numbers(json, 64, parameters) || !parameters.IsObject() || !parameters.HasMember("parameter") ||
      !parameters["parameter"].IsArray())
    return false;
  for (const Json& p : parameters["parameter"].GetArray())
    if (p.IsObject() && p.HasMember("name") && p["name"] == "meta" && p.HasMember("valueMeta") && p["valueMeta"].IsObject())
      change = &p["valueMeta"];
  return change != nullptr;
}

}  // namespace

http::Response FhirService::meta_operation(Call& call, const std::string& type, const std::string& id, const std::string& operation) {
  const std::string& m = call.request.method;
  bool reading = operation == "$meta";
  if (reading ? (m != "GET" && m != "HEAD" && m != "POST") : m != "POST") return not_allowed(call, reading ? "GET, HEAD, POST" : "POST");
  if (!reading)  // a change of the resource: its writers' scopes
    if (auto refusal = refused(call, security::Interaction::Update, type)) return *refusal;
  if (reading) {
    Result r = read(call, type, id, std::nullopt);
    if (r.status != 200) return render_read(call, std::move(r));
    rapidjson::Document resource;
    if (!parse_json_keeping_numbers(r.resource_json, 256, resource)) return outcome(call, 500, {{fhir::model::Severity::Error, "exception", "the stored resource cannot be read", {}, {}}});
    return respond(call, 200, meta_parameters(resource));
  }
  rapidjson::Document parameters;
  const Json* change = nullptr;
  if (!read_meta_change(call.request, definitions_, options_.limits.max_body_bytes, parameters, change))
    return outcome(call, 400, {{fhir::model::Severity::Error, "invalid", operation + " takes a Parameters resource with a 'meta' parameter (valueMeta)", {}, {}}});
  std::unique_ptr<fhir::model::Document> doc;
  std::string answer;
  Result written = writes_.execute([&]() -> Planned {
    Planned p;
    auto current = store_.read(type, id);
    if (current && !sees(call, *current)) current.reset();  // not there for the caller
    if (!current || current->deleted) {
      p.result = failure(current ? 410 : 404, current ? "deleted" : "not-found", type + "/" + id + (current ? " was deleted" : " is not known"));
      return p;
    }
    rapidjson::Document resource;
    if (!parse_json_keeping_numbers(current->body, 256, resource)) {
      p.result = failure(500, "exception", "the stored " + type + "/" + id + " cannot be read as JSON");
      return p;
    }
    change_meta(resource, *change, operation == "$meta-add");
    answer = meta_parameters(resource);
    auto parsed = fhir::io::read(write_json_keeping_numbers(resource), definitions_);
    if (!parsed.document || !parsed.document->root() || parsed.has_errors()) {
      p.result = failure(422, "processing", "the meta given does not make a valid resource");
      if (!parsed.issues.empty()) p.result.issues = std::move(parsed.issues);
      return p;
    }
    doc = std::move(parsed.document);
    return writes_.plan_update(call.who, *doc, *doc->root(), type, id, std::nullopt, &*current);
  }, {call.who, call.request.remote});
  if (written.status >= 300) return render(call, written);
  rapidjson::Document stored;  // what the write made of it: labels the rules keep are there again
  if (!written.resource_json.empty() && parse_json_keeping_numbers(written.resource_json, 256, stored)) answer = meta_parameters(stored);
  return respond(call, 200, answer);
}

}  // namespace carebridge::gateway::rest
