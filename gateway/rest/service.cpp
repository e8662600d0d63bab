// Routing, rendering and the shared steps of the FHIR REST service.
#include "gateway/rest/service.h"

#include <charconv>

#include "fhir/io/format.h"
#include "fhir/model/resource_id.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {

using fhir::model::Issue;
using fhir::model::Severity;

Result failure(unsigned status, std::string code, std::string message) {
  Result r;
  r.status = status;
  r.issues.push_back({Severity::Error, std::move(code), std::move(message), {}, {}});
  return r;
}

std::optional<int64_t> parse_etag(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(etag.data(), etag.data() + etag.size(), v);
  if (ec != std::errc() || end != etag.data() + etag.size() || v < 0) return std::nullopt;
  return v;
}

bool valid_id(std::string_view id) { return fhir::model::is_resource_id(id); }

FhirService::FhirService(const fhir::definitions::Definitions& definitions, store::Store& store, ServiceOptions options)
    : definitions_(definitions), store_(store), options_(std::move(options)), registry_(definitions),
      extractor_(options_.engine ? make_fhirpath_extractor(registry_, *options_.engine) : make_path_extractor(registry_)) {}

FhirService::~FhirService() = default;

SearchLimits FhirService::search_limits() const {
  const auto& l = options_.limits;
  return {l.default_page_size, l.max_page_size, l.max_search_values, l.max_search_parameters, l.max_has_depth,
          l.max_search_query_bytes};
}

http::Response FhirService::handle(const http::Request& request) {
  Call call = make_call(request);
  return answer(call);
}

FhirService::Call FhirService::make_call(const http::Request& request) const {
  Call call{request, parse_target(request.target), {}, parse_prefer(request.header("Prefer")), {}, {}};
  call.negotiation = negotiate(request, call.target.params);
  std::string host(request.header("Host"));
  call.base_url = std::string(request.tls ? "https://" : "http://") + (host.empty() ? "localhost" : host) + options_.base_path;
  std::string_view rest = std::string_view(call.target.path).substr(std::min(call.target.path.size(), options_.base_path.size()));
  while (!rest.empty()) {
    if (rest.front() == '/') {
      rest.remove_prefix(1);
      continue;
    }
    auto slash = rest.find('/');
    call.segments.emplace_back(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  return call;
}

http::Response FhirService::answer(Call& call) {
  if (!call.negotiation.acceptable) {
    call.negotiation.acceptable = true;
    return outcome(call, 406, {{Severity::Error, "not-supported", "this server writes FHIR JSON and FHIR XML only", {}, {}}});
  }
  try {
    return dispatch(call);
  } catch (const std::exception& e) {
    return outcome(call, 500, {{Severity::Fatal, "exception", std::string("internal error: ") + e.what(), {}, {}}});
  }
}

http::Response FhirService::dispatch(Call& call) {
  const auto& s = call.segments;
  const std::string& m = call.request.method;
  bool get = m == "GET" || m == "HEAD";
  auto not_allowed = [&] {
    return outcome(call, 405, {{Severity::Error, "not-supported", m + " is not allowed on " + call.target.path, {}, {}}});
  };
  if (s.empty()) {
    if (m == "POST") return bundle(call);
    if (get) return search(call, "", call.target.params);
    return not_allowed();
  }
  if (s[0] == "metadata") return get ? capability(call) : not_allowed();
  if (s[0] == "_history") return get && s.size() == 1 ? history(call, "", "") : not_allowed();
  if (s[0] == "_search" && s.size() == 1) {
    if (m != "POST") return not_allowed();
    Params params = parse_query(call.request.body);
    params.insert(params.end(), call.target.params.begin(), call.target.params.end());
    return search(call, "", params);
  }
  const std::string& type = s[0];
  if (!registry_.is_resource_type(type)) {
    return outcome(call, 404, {{Severity::Error, "not-supported", "'" + type + "' is not a FHIR R4 resource type", {}, {}}});
  }
  if (s.size() == 1) {
    if (get) return search(call, type, call.target.params);
    if (m == "POST") {
      unsigned status = 0;
      Issues issues;
      auto doc = parse_body(call, status, issues);
      if (!doc) return outcome(call, status, std::move(issues));
      std::string if_none_exist(call.request.header("If-None-Exist"));
      std::unique_lock<std::mutex> conditional(conditional_mutex_, std::defer_lock);
      if (!if_none_exist.empty()) conditional.lock();
      auto result = execute([&] { return plan_create(*doc, *doc->root(), type, if_none_exist); });
      return render(call, result);
    }
    if (m == "PUT") {
      unsigned status = 0;
      Issues issues;
      auto doc = parse_body(call, status, issues);
      if (!doc) return outcome(call, status, std::move(issues));
      auto if_match = call.request.header("If-Match");
      std::optional<int64_t> version = if_match.empty() ? std::nullopt : parse_etag(if_match);
      std::lock_guard conditional(conditional_mutex_);
      return render(call, execute([&] { return plan_conditional_update(*doc, *doc->root(), type, call.target.params, version); }));
    }
    if (m == "DELETE") {
      std::lock_guard conditional(conditional_mutex_);
      return render(call, execute([&] { return plan_conditional_delete(type, call.target.params); }));
    }
    return not_allowed();
  }
  const std::string& second = s[1];
  if (second == "_search" && s.size() == 2) {
    if (m != "POST") return not_allowed();
    Params params = parse_query(call.request.body);
    params.insert(params.end(), call.target.params.begin(), call.target.params.end());
    return search(call, type, params);
  }
  if (second == "_history" && s.size() == 2) return get ? history(call, type, "") : not_allowed();
  if (second == "$validate" && s.size() == 2) return m == "POST" ? validate_operation(call, type, "") : not_allowed();
  if (!valid_id(second)) {
    return outcome(call, 400, {{Severity::Error, "invalid", "'" + second + "' is not a valid resource id", {}, {}}});
  }
  const std::string& id = second;
  if (s.size() == 2) {
    if (get) return render(call, read(type, id, std::nullopt));
    auto if_match = call.request.header("If-Match");
    std::optional<int64_t> version;
    if (!if_match.empty()) {
      version = parse_etag(if_match);
      if (!version) {
        return outcome(call, 400, {{Severity::Error, "invalid", "If-Match must be an ETag such as W/\"1\"", {}, {}}});
      }
    }
    if (m == "PUT") {
      unsigned status = 0;
      Issues issues;
      auto doc = parse_body(call, status, issues);
      if (!doc) return outcome(call, status, std::move(issues));
      return render(call, execute([&] { return plan_update(*doc, *doc->root(), type, id, version); }));
    }
    if (m == "DELETE") return render(call, execute([&] { return plan_delete(type, id, version); }));
    if (m == "PATCH") return render(call, patch(call, type, id, version));
    return not_allowed();
  }
  if (s[2] == "$validate" && s.size() == 3) return validate_operation(call, type, id);
  if (s[2] == "_history") {
    if (!get) return not_allowed();
    if (s.size() == 3) return history(call, type, id);
    int64_t version = 0;
    auto [end, ec] = std::from_chars(s[3].data(), s[3].data() + s[3].size(), version);
    if (s.size() != 4 || ec != std::errc() || end != s[3].data() + s[3].size()) {
      return outcome(call, 400, {{Severity::Error, "invalid", "'" + s[3] + "' is not a version id", {}, {}}});
    }
    return render(call, read(type, id, version));
  }
  return outcome(call, 404, {{Severity::Error, "not-found", "no such endpoint: " + call.target.path, {}, {}}});
}

std::string FhirService::to_format(const Call& call, const std::string& json, bool subset) {
  const auto& params = call.target.params;
  std::string_view summary = subset ? param(params, "_summary") : std::string_view();
  std::string_view elements = subset ? param(params, "_elements") : std::string_view();
  bool plain = call.negotiation.format == fhir::io::Format::Json && !call.negotiation.pretty;
  if (plain && (summary.empty() || summary == "false") && elements.empty()) return json;
  auto parsed = fhir::io::read(json, definitions_);
  if (!parsed.document) return json;
  if (!elements.empty()) {
    std::set<std::string, std::less<>> names;
    for (auto list = std::string(elements); !list.empty();) {
      auto comma = list.find(',');
      names.insert(list.substr(0, comma));
      list = comma == std::string::npos ? std::string() : list.substr(comma + 1);
    }
    keep_elements(*parsed.document, definitions_, names);
  } else if (!summary.empty()) {
    apply_summary(*parsed.document, definitions_,
                  summary == "true" ? Summary::True : summary == "text" ? Summary::Text
                  : summary == "data" ? Summary::Data : Summary::False);
  }
  std::string out;
  Issues ignored;
  fhir::io::write(*parsed.document->root(), call.negotiation.format, out, ignored, call.negotiation.pretty);
  return out;
}

http::Response FhirService::respond(const Call& call, unsigned status, const std::string& json) {
  http::Response r;
  r.status = status;
  r.body = to_format(call, json, false);
  r.set_header("Content-Type", std::string(media_type(call.negotiation.format)));
  return r;
}

http::Response FhirService::outcome(const Call& call, unsigned status, Issues issues) {
  return respond(call, status, fhir::validation::operation_outcome_json(issues));
}

http::Response FhirService::render(const Call& call, const Result& result) {
  http::Response r;
  r.status = result.status;
  if (!result.location.empty()) r.set_header("Location", call.base_url + "/" + result.location);
  if (!result.etag.empty()) r.set_header("ETag", result.etag);
  if (result.last_modified_ms) r.set_header("Last-Modified", http_date(result.last_modified_ms));
  bool write = call.request.method != "GET" && call.request.method != "HEAD";
  if (result.resource_json.empty() || result.status >= 400) {
    if (result.status == 204 || (write && result.status < 300 && call.prefer.return_ == Return::Minimal)) return r;
    auto o = outcome(call, result.status, result.issues);
    r.body = std::move(o.body);
    r.set_header("Content-Type", std::string(media_type(call.negotiation.format)));
    return r;
  }
  if (write && call.prefer.return_ == Return::Minimal) return r;
  if (write && call.prefer.return_ == Return::OperationOutcome) {
    Issues issues = result.issues;
    if (issues.empty()) issues.push_back({Severity::Information, "informational", "done: " + result.location, {}, {}});
    r.body = to_format(call, fhir::validation::operation_outcome_json(issues), false);
  } else {
    r.body = to_format(call, result.resource_json, !write);
  }
  r.set_header("Content-Type", std::string(media_type(call.negotiation.format)));
  return r;
}

std::unique_ptr<fhir::model::Document> FhirService::parse_body(const Call& call, unsigned& status, Issues& issues) {
  const auto& body = call.request.body;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    status = 400;
    issues.push_back({Severity::Error, "required", "the request has no resource in its body", {}, {}});
    return nullptr;
  }
  if (body_format(call.request) == fhir::io::Format::Unknown) {
    status = 415;
    issues.push_back({Severity::Error, "not-supported",
                      "Content-Type must be application/fhir+json or application/fhir+xml, not '" +
                          std::string(call.request.header("Content-Type")) + "'",
                      {}, {}});
    return nullptr;
  }
  fhir::io::Limits limits;
  limits.max_bytes = options_.limits.max_body_bytes;
  auto parsed = fhir::io::read(body, definitions_, limits);
  if (!parsed.document || !parsed.document->root() || parsed.has_errors()) {
    status = 400;
    issues = std::move(parsed.issues);
    if (issues.empty()) issues.push_back({Severity::Error, "structure", "the body is not a FHIR resource", {}, {}});
    return nullptr;
  }
  return std::move(parsed.document);
}

Issues FhirService::validate(const fhir::model::Element& resource, Policy policy,
                             const std::vector<std::string>& extra_profiles) {
  if (!options_.validate) return {};
  std::vector<std::string> profiles = extra_profiles;
  if (auto it = options_.profiles.find(std::string(resource.type)); it != options_.profiles.end()) {
    profiles.insert(profiles.end(), it->second.begin(), it->second.end());
  }
  return options_.validate(resource, profiles, policy);
}

Issues FhirService::validate_write(const fhir::model::Element& resource) {
  Policy policy = write_policy(resource.type);
  Issues issues = validate(resource, policy);
  if (options_.observe_validation) options_.observe_validation(policy, resource.type, issues);
  return issues;
}

Policy FhirService::write_policy(std::string_view type) const {
  auto it = options_.write_policies.find(type);
  return it == options_.write_policies.end() ? options_.write_policy : it->second;
}

}  // namespace carebridge::gateway::rest
