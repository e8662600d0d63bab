// GET [base]/metadata: the CapabilityStatement, generated from what the service
// really implements (types, interactions, search parameters from the registry);
// and the $validate operation on types and instances.
#include <set>

#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

using fhir::model::Element;
using fhir::model::Severity;

void member(std::string& out, const char* name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":";
  fhir::json::append_json_string(out, value);
}

std::string codes(std::initializer_list<const char*> list) {
  std::string out = "[";
  for (const char* c : list) {
    if (out.size() > 1) out += ',';
    out += "{\"code\":\"";
    out += c;
    out += "\"}";
  }
  return out + "]";
}

constexpr std::string_view kBackport = "http://hl7.org/fhir/uv/subscriptions-backport/";

// The Backport IG's topic discovery: one extension per topic served, on the Subscription entry.
std::string topic_extensions(const SubscriptionCapability& subscriptions) {
  std::string out = "\"extension\":[";
  for (size_t i = 0; i < subscriptions.topics.size(); ++i) {
    if (i) out += ',';
    out += "{\"url\":\"" + std::string(kBackport) + "StructureDefinition/capabilitystatement-subscriptiontopic-canonical\",";
    member(out, "valueCanonical", subscriptions.topics[i]);
    out += '}';
  }
  return out + "],";
}

// The terminology operations a type answers (terminology_operations.cpp), as operation entries.
std::string terminology_operations(const std::string& type) {
  std::string out;
  for (const char* name : {"expand", "validate-code", "lookup", "subsumes", "translate"}) {
    if (!FhirService::is_terminology_operation(type, std::string("$") + name)) continue;
    out += R"(,{"name":")" + std::string(name) + R"(","definition":"http://hl7.org/fhir/OperationDefinition/)" + type + "-" +
           name + R"("})";
  }
  return out;
}

// The Backport IG's operations on Subscription ($resend is ours, with no definition to cite).
std::string subscription_operations(const SubscriptionCapability& subscriptions) {
  std::string out;
  for (std::string_view name : {"status", "events", "get-ws-binding-token"}) {
    if (name == "get-ws-binding-token" && !subscriptions.websocket) continue;
    out += ",{\"name\":\"" + std::string(name) + "\",\"definition\":\"" + std::string(kBackport) +
           "OperationDefinition/backport-subscription-" + std::string(name) + "\"}";
  }
  return out;
}

using RevIncludes = std::map<std::string, std::vector<std::string>, std::less<>>;

// For each type, the reference parameters that can point at it ("Observation:subject" for
// Patient): what _revinclude takes on a search of that type.
RevIncludes rev_includes(const SearchRegistry& registry) {
  RevIncludes out;
  for (const auto& source : registry.types()) {
    for (const auto& [code, param] : registry.of(source)) {
      if (param.type != "reference") continue;
      const auto& targets = param.targets.empty() ? registry.types() : param.targets;
      for (const auto& target : targets) out[target].push_back(source + ":" + code);
    }
  }
  return out;
}

void string_array(std::string& out, const char* name, const std::vector<std::string>& values) {
  out += ",\"";
  out += name;
  out += "\":[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    fhir::json::append_json_string(out, values[i]);
  }
  out += ']';
}

// "searchParam": the parameters a search of `type` takes (SearchRegistry::kAnyType: a system search).
std::string declared_search_params(const SearchRegistry& registry, std::string_view type) {
  std::string out = ",\"searchParam\":[";
  out += R"({"name":"_id","definition":"http://hl7.org/fhir/SearchParameter/Resource-id","type":"token"})";
  out += R"(,{"name":"_lastUpdated","definition":"http://hl7.org/fhir/SearchParameter/Resource-lastUpdated","type":"date"})";
  for (const auto& [code, param] : registry.of(type)) {
    if (code == "_id" || code == "_lastUpdated") continue;
    out += ",{";
    member(out, "name", code);
    if (!param.url.empty()) {
      out += ',';
      member(out, "definition", param.url);
    }
    out += ',';
    member(out, "type", param.type);
    out += '}';
  }
  return out + "]";
}

std::string resource_entry(const std::string& type, const SearchRegistry& registry,
                           const std::map<std::string, std::vector<std::string>>& profiles,
                           const std::optional<SubscriptionCapability>& subscriptions, const RevIncludes& rev_includes) {
  bool subscription = type == "Subscription" && subscriptions;
  std::string out = "{";
  if (subscription) out += topic_extensions(*subscriptions);
  member(out, "type", type);
  std::vector<std::string> supported;
  if (auto it = profiles.find(type); it != profiles.end()) supported = it->second;
  if (subscription) supported.push_back(std::string(kBackport) + "StructureDefinition/backport-subscription");
  if (!supported.empty()) string_array(out, "supportedProfile", supported);
  out += ",\"interaction\":" +
         codes({"read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type"});
  out += R"(,"versioning":"versioned-update","readHistory":true,"updateCreate":true,"conditionalCreate":true,)"
         R"("conditionalRead":"full-support","conditionalUpdate":true,"conditionalDelete":"single",)"
         R"("referencePolicy":["literal","local"],"searchInclude":[)";
  bool first = true;
  for (const auto& [code, param] : registry.of(type)) {
    if (param.type != "reference") continue;
    if (!first) out += ',';
    first = false;
    fhir::json::append_json_string(out, type + ":" + code);
  }
  out += ']';
  if (auto it = rev_includes.find(type); it != rev_includes.end()) string_array(out, "searchRevInclude", it->second);
  out += declared_search_params(registry, type);
  out += R"(,"operation":[{"name":"validate","definition":"http://hl7.org/fhir/OperationDefinition/Resource-validate"})";
  out += R"(,{"name":"meta","definition":"http://hl7.org/fhir/OperationDefinition/Resource-meta"})";
  out += R"(,{"name":"meta-add","definition":"http://hl7.org/fhir/OperationDefinition/Resource-meta-add"})";
  out += R"(,{"name":"meta-delete","definition":"http://hl7.org/fhir/OperationDefinition/Resource-meta-delete"})";
  if (type == "Patient") out += R"(,{"name":"everything","definition":"http://hl7.org/fhir/OperationDefinition/Patient-everything"})";
  out += terminology_operations(type);
  if (subscription) out += subscription_operations(*subscriptions);
  return out + "]}";
}

}  // namespace

std::shared_ptr<const std::string> FhirService::resource_capabilities() {
  std::lock_guard lock(capability_mutex_);
  if (resource_capabilities_) return resource_capabilities_;
  std::string out = "[";
  RevIncludes reverse = rev_includes(registry_);
  for (const auto& type : registry_.types()) {
    if (out.size() > 1) out += ',';
    out += resource_entry(type, registry_, options_.profiles, subscriptions_, reverse);
  }
  out += ']';
  resource_capabilities_ = std::make_shared<const std::string>(std::move(out));
  return resource_capabilities_;
}

// GET metadata?mode=terminology (R4 http.html#capabilities): the code systems the server holds
// and the terminology operations it answers, as terminology clients (the HL7 validator) ask.
http::Response FhirService::terminology_capabilities(Call& call) {
  std::string out = "{\"resourceType\":\"TerminologyCapabilities\",\"status\":\"active\",";
  member(out, "date", format_instant(now_ms()).substr(0, 10));
  out += R"(,"publisher":"Carebridge","kind":"instance","software":{"name":"Carebridge","version":"0.1.0"},)";
  out += "\"implementation\":{\"description\":\"Carebridge FHIR gateway\",";
  member(out, "url", call.base_url);
  out += R"(},"codeSystem":[)";
  std::set<std::string, std::less<>> listed;
  for (const auto* cs : definitions_.resources("CodeSystem")) {
    if (cs->url.empty() || !listed.insert(cs->url).second) continue;  // tcp-6: each code system once
    out += listed.size() > 1 ? ",{\"uri\":" : "{\"uri\":";
    fhir::json::append_json_string(out, cs->url);
    if (!cs->version.empty()) {
      out += R"(,"version":[{"code":)";
      fhir::json::append_json_string(out, cs->version);
      out += R"(,"isDefault":true}])";
    }
    out += R"(,"subsumption":true})";
  }
  out += R"(],"expansion":{"hierarchical":false,"paging":true,"incomplete":false},"codeSearch":"all",)"
         R"("validateCode":{"translations":false},"translation":{"needsMap":true}})";
  return respond(call, 200, out);
}

http::Response FhirService::capability(Call& call) {
  if (param(call.target.params, "mode") == "terminology") return terminology_capabilities(call);
  std::string out = "{\"resourceType\":\"CapabilityStatement\",\"status\":\"active\",";
  member(out, "date", format_instant(now_ms()).substr(0, 10));
  out += R"(,"publisher":"Carebridge","kind":"instance","software":{"name":"Carebridge","version":"0.1.0"},)";
  out += "\"implementation\":{\"description\":\"Carebridge FHIR gateway\",";
  member(out, "url", call.base_url);
  out += "},";
  if (subscriptions_) out += "\"instantiates\":[\"" + std::string(kBackport) + "CapabilityStatement/backport-subscription-server-r4\"],";
  out += R"("fhirVersion":"4.0.1","format":["json","xml"],"patchFormat":["application/json-patch+json","application/fhir+json","application/fhir+xml","application/merge-patch+json"],"rest":[{"mode":"server",)";
  if (options_.access) {
    // SMART on FHIR (Backend Services): where tokens come from (the SMART App Launch oauth-uris extension).
    std::string root = call.base_url.substr(0, call.base_url.size() - options_.base_path.size());
    out += R"("security":{"extension":[{"url":"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",)"
           R"("extension":[{"url":"token","valueUri":)";
    fhir::json::append_json_string(out, root + "/auth/token");
    out += R"(}]}],"cors":true,"service":[{"coding":[{"system":)"
           R"("http://terminology.hl7.org/CodeSystem/restful-security-service","code":"SMART-on-FHIR"}]}],)"
           R"("description":"OAuth 2.0 bearer tokens (SMART Backend Services); see /.well-known/smart-configuration"},)";
  }
  out += R"("resource":)";
  out += *resource_capabilities();
  out += ",\"interaction\":" + codes({"transaction", "batch", "search-system", "history-system"});
  // The compartments a search may be made in (Patient/7/Observation), by their definitions' URLs.
  if (!compartments_.urls().empty()) string_array(out, "compartment", compartments_.urls());
  out += declared_search_params(registry_, SearchRegistry::kAnyType) + "}]}";
  return respond(call, 200, out);
}

http::Response FhirService::validate_operation(Call& call, const std::string& type, const std::string& id) {
  std::string mode(param(call.target.params, "mode"));
  std::vector<std::string> profiles;
  if (auto p = param(call.target.params, "profile"); !p.empty()) profiles.emplace_back(p);
  std::unique_ptr<fhir::model::Document> doc;
  Issues issues;
  const Element* resource = nullptr;
  if (!call.request.body.empty() && call.request.method == "POST") {
    unsigned status = 0;
    doc = parse_body(call, status, issues);
    if (!doc) return outcome(call, status, std::move(issues));
    resource = doc->root();
    if (resource->type == "Parameters") {
      resource = nullptr;
      for (const Element* p : doc->root()->children()) {
        if (p->base_name() != "parameter") continue;
        const Element* name = p->child("name");
        std::string_view n = name && name->has_value ? name->value : std::string_view();
        for (const Element* v : p->children()) {
          if (n == "resource" && v->base_name() == "resource") resource = v;
          if (n == "mode" && v->base_name() == "value" && v->has_value) mode = std::string(v->value);
          if (n == "profile" && v->base_name() == "value" && v->has_value) profiles.emplace_back(v->value);
        }
      }
    }
  } else if (!id.empty()) {
    auto record = store_.read(type, id);
    if (!record || record->deleted || !sees(call, *record)) {
      return outcome(call, 404, {{Severity::Error, "not-found", type + "/" + id + " is not known", {}, {}}});
    }
    auto parsed = fhir::io::read(record->body, definitions_);
    doc = std::move(parsed.document);
    resource = doc ? doc->root() : nullptr;
  }
  if (mode == "delete") {
    auto record = id.empty() ? std::nullopt : store_.read(type, id);
    if (!record || record->deleted || !sees(call, *record)) {
      return outcome(call, 400, {{Severity::Error, "required", "mode=delete needs an existing resource's URL", {}, {}}});
    }
    return outcome(call, 200, {{Severity::Information, "informational", type + "/" + id + " can be deleted", {}, {}}});
  }
  if (!resource) {
    return outcome(call, 400, {{Severity::Error, "required", "$validate needs a resource (the body or a Parameters 'resource')", {}, {}}});
  }
  if (resource->type != type) {
    return outcome(call, 400, {{Severity::Error, "invalid",
                                "the resource is a " + std::string(resource->type) + ", not a " + type, {}, {}}});
  }
  if (mode == "update" && resource_id(*resource).empty()) {
    issues.push_back({Severity::Error, "required", "mode=update needs the resource's id", {}, {}});
  }
  // A resource given in a Parameters is validated as a resource of its own: as an element
  // inside the Parameters, the profiles asked for were not applied to it.
  std::unique_ptr<fhir::model::Document> own;
  if (resource != doc->root()) {
    own = fhir::io::read(fhir::json::write(*resource, {false}), definitions_).document;
    if (own) resource = own->root();
  }
  Issues found = writes_.validate(*resource, Policy::Strict, profiles);
  issues.insert(issues.end(), found.begin(), found.end());
  return outcome(call, 200, std::move(issues));
}

}  // namespace carebridge::gateway::rest
