// Routing, rendering and the shared steps of the FHIR REST service.
#include "gateway/rest/service.h"

#include <algorithm>
#include <charconv>

#include "fhir/io/format.h"
#include "fhir/json/json_reader.h"
#include "fhir/model/resource_id.h"
#include "fhir/search/matcher.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {

using fhir::model::Issue;
using fhir::model::Severity;
using http::parse_http_date;
using security::Interaction;

Result failure(unsigned status, std::string code, std::string message) {
  Result r;
  r.status = status;
  r.issues.push_back({Severity::Error, std::move(code), std::move(message), {}, {}});
  return r;
}

Result commit_failure(const store::CommitResult& c) {
  switch (c.status) {
    case store::CommitResult::Status::Conflict:
      return failure(409, "conflict", "the resource kept changing while this request was written; try again");
    case store::CommitResult::Status::Unavailable: return failure(503, "transient", c.message);
    default: return failure(500, "exception", c.message);
  }
}

bool etag_listed(std::string_view list, std::string_view etag) {
  auto wanted = parse_etag(etag);
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (auto v = parse_etag(item); v && wanted && *v == *wanted) return true;
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return false;
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

namespace {

WriteOptions write_options(const ServiceOptions& service) {
  WriteOptions w;
  w.validate = service.validate;
  w.policy = service.write_policy;
  w.policies = service.write_policies;
  w.profiles = service.profiles;
  w.observe = service.observe_validation;
  const auto& l = service.limits;
  w.access = service.access;
  w.audit = service.audit;
  w.search_limits = {l.default_page_size, l.max_page_size, l.max_search_values, l.max_search_parameters, l.max_has_depth,
                     l.max_search_query_bytes};
  return w;
}

}  // namespace

FhirService::FhirService(const fhir::definitions::Definitions& definitions, store::Store& store, ServiceOptions options)
    : definitions_(definitions), store_(store), options_(std::move(options)), registry_(definitions),
      compartments_(fhir::search::Compartments::load(definitions, definitions.root() / "r4", registry_)),
      extractor_(options_.engine ? make_fhirpath_extractor(registry_, *options_.engine) : make_path_extractor(registry_)),
      writes_(definitions_, store_, registry_, *extractor_, write_options(options_)) {}

FhirService::~FhirService() = default;

// The operations the server answers ($validate, $everything, the terminology operations).
static bool is_operation_name(std::string_view segment) {
  for (std::string_view known : {"$validate", "$everything", "$expand", "$validate-code", "$lookup", "$subsumes", "$translate",
                                 "$meta", "$meta-add", "$meta-delete"})
    if (segment == known) return true;
  return false;
}

std::string FhirService::route_label(std::string_view path) const {
  std::string route = options_.base_path;
  size_t i = 0;
  for (size_t at = options_.base_path.size(); at < path.size() && i < 4;) {
    auto next = path.find('/', at + 1);
    std::string_view seg = path.substr(at + 1, next == std::string_view::npos ? std::string_view::npos : next - at - 1);
    at = next == std::string_view::npos ? path.size() : next;
    if (seg.empty()) continue;
    bool fixed = seg == "_history" || seg == "_search" || seg == "metadata" ||
                 (seg.starts_with("$") && is_operation_name(seg));  // a bounded set of labels
    if (i == 0 && !fixed) route += registry_.is_resource_type(seg) ? "/" + std::string(seg) : "/{type}";
    else if (fixed) route += "/" + std::string(seg);
    else route += i == 1 ? "/{id}" : "/{vid}";
    ++i;
  }
  return route;
}

SearchLimits FhirService::search_limits() const {
  const auto& l = options_.limits;
  return {l.default_page_size, l.max_page_size, l.max_search_values, l.max_search_parameters, l.max_has_depth,
          l.max_search_query_bytes};
}

void FhirService::set_security(const security::AccessPolicy* access, security::AuditTrail* audit) {
  options_.access = access;
  options_.audit = audit;
  writes_.set_security(access, audit);
}

http::Response FhirService::handle(const http::Request& request, Caller who) {
  if (auto binary = binary_resource_request(request)) {
    Call call = make_call(*binary, std::move(who));
    return answer(call);
  }
  Call call = make_call(request, std::move(who));
  return answer(call);
}

http::Response FhirService::handle_own(const http::Request& request, Caller who, size_t max_body_bytes) {
  Call call = make_call(request, std::move(who));
  call.max_body_bytes = max_body_bytes;
  return answer(call);
}

std::string FhirService::base_url(const http::Request& request) const {
  return options_.public_base_url.empty() ? request_base_url(request) : options_.public_base_url;
}

std::string FhirService::request_base_url(const http::Request& request) const {
  std::string host(request.header("Host"));
  return std::string(request.tls ? "https://" : "http://") + (host.empty() ? "localhost" : host) + options_.base_path;
}

FhirService::Call FhirService::make_call(const http::Request& request, Caller who) const {
  Call call{request, parse_target(request.target), {}, parse_prefer(request.header("Prefer")), {}, {}, std::move(who)};
  call.negotiation = negotiate(request, call.target.params);
  call.base_url = base_url(request);
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
  if (is_binary_content_read(call)) {
    auto response = binary_content(call);
    audit_answer(call, response.status);
    return response;
  }
  if (!call.negotiation.acceptable) return not_acceptable(call);
  try {
    auto response = dispatch(call);
    audit_answer(call, response.status);
    return response;
  } catch (const std::exception& e) {
    return outcome(call, 500, {{Severity::Fatal, "exception", std::string("internal error: ") + e.what(), {}, {}}});
  }
}

http::Response FhirService::not_acceptable(Call& call) {
  call.negotiation.acceptable = true;  // the refusal itself is written as JSON
  return outcome(call, 406, {{Severity::Error, "not-supported", "this server writes FHIR R4 (fhirVersion 4.0) JSON and XML only", {}, {}}});
}

http::Response FhirService::as_negotiated(const http::Request& request, http::Response json_answer) {
  Call call = make_call(request, nullptr);
  if (!call.negotiation.acceptable) return not_acceptable(call);
  auto type = std::find_if(json_answer.headers.begin(), json_answer.headers.end(),
                           [](const auto& h) { return http::iequals(h.first, "Content-Type"); });
  if (json_answer.body.empty() || type == json_answer.headers.end() || !type->second.starts_with("application/fhir+json"))
    return json_answer;  // not a FHIR JSON answer, or one the service has already written as asked
  json_answer.body = to_format(call, json_answer.body, false);
  type->second = std::string(media_type(call.negotiation.format));
  return json_answer;
}

http::Response FhirService::not_allowed(const Call& call, const char* allow) {
  auto r = outcome(call, 405, {{Severity::Error, "not-supported",
                                call.request.method + " is not allowed on " + call.target.path + " (allowed: " + allow + ")",
                                {}, {}}});
  r.set_header("Allow", allow);
  return r;
}

// The system level: the base (Bundles, system search), metadata, _history, _search.
http::Response FhirService::dispatch(Call& call) {
  const auto& s = call.segments;
  const std::string& m = call.request.method;
  bool get = m == "GET" || m == "HEAD";
  if (s.empty()) {
    if (m == "POST") return bundle(call);
    return get ? search(call, "", call.target.params) : not_allowed(call, "GET, HEAD, POST");
  }
  if (s[0] == "metadata") return get ? capability(call) : not_allowed(call, "GET, HEAD");
  if (s[0] == "_history") return get && s.size() == 1 ? history(call, "", "") : not_allowed(call, "GET, HEAD");
  if (s[0] == "_search" && s.size() == 1) {
    if (m != "POST") return not_allowed(call, "POST");
    if (auto refusal = refused_search_body(call)) return *refusal;
    return search(call, "", search_params(call));
  }
  const std::string& type = s[0];
  if (!registry_.is_resource_type(type)) {
    return outcome(call, 404, {{Severity::Error, "not-supported", "'" + type + "' is not a FHIR R4 resource type", {}, {}}});
  }
  if (s.size() == 1) return dispatch_type(call, type);
  const std::string& second = s[1];
  if ((second == "_search" || second == "_history") && s.size() == 2) {
    if (auto refusal = refused(call, Interaction::Search, type)) return *refusal;
  }
  if (second == "_search" && s.size() == 2) {
    if (m != "POST") return not_allowed(call, "POST");
    if (auto refusal = refused_search_body(call)) return *refusal;
    return search(call, type, search_params(call));
  }
  if (second == "_history" && s.size() == 2) return get ? history(call, type, "") : not_allowed(call, "GET, HEAD");
  if (second == "$validate" && s.size() == 2) return m == "POST" ? validate_operation(call, type, "") : not_allowed(call, "POST");
  if (is_terminology_operation(type, second) && s.size() == 2) return terminology_operation(call, type, "", second);
  if (second == "$everything" && s.size() == 2 && type == "Patient") {
    if (!get && m != "POST") return not_allowed(call, "GET, HEAD, POST");
    if (auto refusal = refused(call, Interaction::Search, type)) return *refusal;
    return everything(call, "");
  }
  if (second.starts_with("$") && s.size() == 2)  // an operation this server does not offer at the type level
    return outcome(call, 400, {{Severity::Error, "not-supported", "the operation '" + second + "' is not offered on " + type +
                                                                     " (see the CapabilityStatement at /metadata)", {}, {}}});
  if (!valid_id(second)) {
    return outcome(call, 400, {{Severity::Error, "invalid", "'" + second + "' is not a valid resource id", {}, {}}});
  }
  return dispatch_instance(call, type, second);
}

// The interaction a method makes at the type level, or on an instance.
static std::optional<Interaction> type_interaction(const std::string& m) {
  if (m == "GET" || m == "HEAD") return Interaction::Search;
  if (m == "POST") return Interaction::Create;
  if (m == "PUT" || m == "PATCH") return Interaction::Update;
  if (m == "DELETE") return Interaction::Delete;
  return std::nullopt;
}

static std::optional<Interaction> instance_interaction(const std::string& m) {
  if (m == "GET" || m == "HEAD") return Interaction::Read;
  if (m == "PUT" || m == "PATCH") return Interaction::Update;
  if (m == "DELETE") return Interaction::Delete;
  return std::nullopt;
}

std::optional<http::Response> FhirService::refused(const Call& call, Interaction interaction, const std::string& type) {
  if (!options_.access) return std::nullopt;
  auto permitted = options_.access->permits(call.who.get(), interaction, type);
  if (permitted) return std::nullopt;
  return outcome(call, 403, permitted.issues());
}

std::optional<Result> FhirService::refused_entry(const Caller& who, Interaction interaction, const std::string& type) {
  if (!options_.access) return std::nullopt;
  auto permitted = options_.access->permits(who.get(), interaction, type);
  if (permitted) return std::nullopt;
  Result r;
  r.status = 403;
  r.issues = permitted.issues();
  return r;
}

bool FhirService::sees(const Call& call, const store::ResourceRecord& record) const {
  return !options_.access || options_.access->sees(call.who.get(), record);
}

// A resource of a type the caller's scopes restrict ("Observation.rs?category=laboratory")
// is readable when a search with those restrictions, on its id, finds it.
bool FhirService::within_restrictions(const Call& call, const store::ResourceRecord& record) {
  if (!options_.access || record.deleted) return false;
  auto restricted = options_.access->restriction_params(call.who.get(), record.type);
  if (restricted.empty()) return false;
  restricted.emplace_back("_id", record.id);
  ParsedSearch parsed;
  Issues issues;
  if (!parse_search(registry_, record.type, restricted, search_limits(), false, parsed, issues)) return false;
  parsed.query.visible = options_.access->visibility(call.who, record.type);
  parsed.query.want_total = false;
  auto found = store_.search(parsed.query);
  return found && !found->page.empty();
}

bool FhirService::meets_restrictions(const security::Principal* who, const store::ResourceRecord& record) const {
  if (!options_.access || !who || record.deleted) return false;
  auto restricted = options_.access->restriction_params(who, record.type);
  if (restricted.empty() || !options_.access->sees_unrestricted(who, record)) return false;
  ParsedSearch parsed;
  Issues issues;
  if (!parse_search(registry_, record.type, restricted, search_limits(), false, parsed, issues)) return false;
  // An event's record names its version without its body (a notification about to be sent).
  std::optional<store::ResourceRecord> stored;
  if (record.body.empty() && !(stored = store_.vread(record.type, record.id, record.version))) return false;
  auto read = fhir::json::read(stored ? stored->body : record.body, definitions_);
  if (!read.document || !read.document->root()) return false;
  auto indexed = fhir::search::index_resource(*extractor_, *read.document->root());
  return fhir::search::matches(parsed.query, indexed.view());
}

bool FhirService::reads(const Call& call, const store::ResourceRecord& record) {
  return sees(call, record) || within_restrictions(call, record);
}

std::shared_ptr<const fhir::search::Visibility> FhirService::visibility(const Call& call, std::string_view type,
                                                                       std::string_view restricted_type) const {
  // The open server's caller sees everything; system-wide history and searches still leave
  // the audit trail out (it is asked for by its type).
  class WithoutAuditTrail final : public fhir::search::Visibility {
   public:
    bool accepts(std::string_view t, std::string_view) const override { return t != "AuditEvent"; }
  };
  static const auto kWithoutAuditTrail = std::make_shared<const WithoutAuditTrail>();
  if (!options_.access) return nullptr;
  if (!call.who) return type.empty() ? kWithoutAuditTrail : nullptr;
  return options_.access->visibility(call.who, restricted_type);
}

Params FhirService::search_params(const Call& call) {
  Params params = parse_query(call.request.body);
  params.insert(params.end(), call.target.params.begin(), call.target.params.end());
  return params;
}

std::optional<http::Response> FhirService::refused_search_body(Call& call) {
  if (call.request.body.empty()) return std::nullopt;
  std::string_view type = call.request.header("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type.empty() || http::iequals(type, "application/x-www-form-urlencoded")) return std::nullopt;
  return outcome(call, 415, {{Severity::Error, "not-supported",
                              "POST _search takes its parameters as application/x-www-form-urlencoded, not '" +
                                  std::string(type.substr(0, 100)) + "'", {}, {}}});
}

// The type level: search, create (conditional with If-None-Exist), conditional update and delete.
http::Response FhirService::dispatch_type(Call& call, const std::string& type) {
  const std::string& m = call.request.method;
  if (auto interaction = type_interaction(m)) {
    if (auto refusal = refused(call, *interaction, type)) return *refusal;
  }
  if (m == "GET" || m == "HEAD") return search(call, type, call.target.params);
  if (m == "DELETE") {
    std::lock_guard conditional(writes_.conditional_mutex());
    return render(call, writes_.execute([&] { return writes_.plan_conditional_delete(call.who, type, call.target.params); }, {call.who, call.request.remote}));
  }
  if (m != "POST" && m != "PUT" && m != "PATCH") return not_allowed(call, "GET, HEAD, POST, PUT, PATCH, DELETE");
  auto if_match = m == "POST" ? std::string_view() : call.request.header("If-Match");
  std::optional<int64_t> version = if_match.empty() ? std::nullopt : parse_etag(if_match);
  if (!if_match.empty() && !version) {
    return outcome(call, 400, {{Severity::Error, "invalid", "If-Match must be an ETag such as W/\"1\"", {}, {}}});
  }
  if (m == "PATCH") return render(call, conditional_patch(call, type, version));
  if (m == "POST") {
    if (std::string name = create_url_parameter(call.target.params); !name.empty()) {
      return outcome(call, 400, {{Severity::Error, "invalid",
                                  "a create takes no search parameters ('" + name +
                                      "'); for a conditional create send them in the If-None-Exist header",
                                  {}, {}}});
    }
  }
  unsigned status = 0;
  Issues issues;
  auto doc = parse_body(call, status, issues);
  if (!doc) return outcome(call, status, std::move(issues));
  if (m == "POST") {
    std::string if_none_exist(create_criteria(type, call.request.header("If-None-Exist")));
    std::unique_lock<std::mutex> conditional(writes_.conditional_mutex(), std::defer_lock);
    if (!if_none_exist.empty()) conditional.lock();
    return render(call, writes_.execute([&] { return writes_.plan_create(call.who, *doc, *doc->root(), type, if_none_exist); }, {call.who, call.request.remote}));
  }
  std::lock_guard conditional(writes_.conditional_mutex());
  return render(call, writes_.execute([&] { return writes_.plan_conditional_update(call.who, *doc, *doc->root(), type, call.target.params, version); }, {call.who, call.request.remote}));
}

// The instance level: read (conditional), update, patch, delete, history and vread, $validate.
http::Response FhirService::dispatch_instance(Call& call, const std::string& type, const std::string& id) {
  const auto& s = call.segments;
  const std::string& m = call.request.method;
  bool get = m == "GET" || m == "HEAD";
  if (auto interaction = s.size() == 2 ? instance_interaction(m) : std::optional<Interaction>(Interaction::Read)) {
    if (auto refusal = refused(call, *interaction, type)) return *refusal;
  }
  if (s.size() == 2) {
    if (get) return render_read(call, read(call, type, id, std::nullopt));
    auto if_match = call.request.header("If-Match");
    std::optional<int64_t> version = if_match.empty() ? std::nullopt : parse_etag(if_match);
    if (!if_match.empty() && !version) {
      return outcome(call, 400, {{Severity::Error, "invalid", "If-Match must be an ETag such as W/\"1\"", {}, {}}});
    }
    if (m == "DELETE") return render(call, writes_.execute([&] { return writes_.plan_delete(call.who, type, id, version); }, {call.who, call.request.remote}));
    if (m == "PATCH") return render(call, patch(call, type, id, version));
    if (m != "PUT") return not_allowed(call, "GET, HEAD, PUT, PATCH, DELETE");
    unsigned status = 0;
    Issues issues;
    auto doc = parse_body(call, status, issues);
    if (!doc) return outcome(call, status, std::move(issues));
    return render(call, writes_.execute([&] { return writes_.plan_update(call.who, *doc, *doc->root(), type, id, version); }, {call.who, call.request.remote}));
  }
  if (s[2] == "$validate" && s.size() == 3) return validate_operation(call, type, id);
  if ((s[2] == "$meta" || s[2] == "$meta-add" || s[2] == "$meta-delete") && s.size() == 3) return meta_operation(call, type, id, s[2]);
  // $lookup is asked of the type only (R4 CodeSystem-lookup); $subsumes of an instance too.
  if (is_terminology_operation(type, s[2]) && s[2] != "$lookup" && s.size() == 3) return terminology_operation(call, type, id, s[2]);
  if (s[2] == "$everything" && s.size() == 3 && type == "Patient") {
    if (!get && m != "POST") return not_allowed(call, "GET, HEAD, POST");
    return everything(call, id);
  }
  if ((registry_.is_resource_type(s[2]) || s[2] == "*") && (s.size() == 3 || (s.size() == 4 && s[3] == "_search"))) {
    bool post = s.size() == 4;
    if (post ? m != "POST" : !get) return not_allowed(call, post ? "POST" : "GET, HEAD");
    if (s[2] != "*")  // every type: what the caller's scopes allow is its visibility's
      if (auto refusal = refused(call, Interaction::Search, s[2])) return *refusal;
    if (post)
      if (auto refusal = refused_search_body(call)) return *refusal;
    return compartment_search(call, type, id, s[2], post ? search_params(call) : call.target.params);
  }
  if (s[2] != "_history") {
    return outcome(call, 404, {{Severity::Error, "not-found", "no such endpoint: " + call.target.path, {}, {}}});
  }
  if (!get) return not_allowed(call, "GET, HEAD");
  if (s.size() == 3) return history(call, type, id);
  int64_t version = 0;
  auto [end, ec] = std::from_chars(s[3].data(), s[3].data() + s[3].size(), version);
  if (s.size() != 4 || ec != std::errc() || end != s[3].data() + s[3].size()) {
    return outcome(call, 400, {{Severity::Error, "invalid", "'" + s[3] + "' is not a version id", {}, {}}});
  }
  return render_read(call, read(call, type, id, version));
}

// A read, or 304 when the client's copy is current (If-None-Match, If-Modified-Since).
http::Response FhirService::render_read(const Call& call, const Result& result) {
  if (result.status == 200) {
    std::string_view none_match = call.request.header("If-None-Match");
    std::string_view modified_since = call.request.header("If-Modified-Since");
    bool current = false;
    if (!none_match.empty()) {
      current = none_match == "*" || etag_listed(none_match, result.etag);
    } else if (auto since = parse_http_date(modified_since)) {
      current = result.last_modified_ms / 1000 <= *since / 1000;
    }
    if (current) {
      http::Response r;
      r.status = 304;
      r.set_header("ETag", result.etag);
      if (result.last_modified_ms) r.set_header("Last-Modified", http_date(result.last_modified_ms));
      return r;
    }
  }
  return render(call, result);
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
  if (result.status == 503) r.set_header("Retry-After", "10");
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
    r.body = to_format(call, fhir::validation::operation_outcome_json(write_outcome(result)), false);
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
  auto declared = body_format(call.request);
  if (declared == fhir::io::Format::Unknown) {
    status = 415;
    issues.push_back({Severity::Error, "not-supported",
                      "Content-Type must be application/fhir+json or application/fhir+xml, not '" +
                          std::string(call.request.header("Content-Type")) + "'",
                      {}, {}});
    return nullptr;
  }
  // A body that is plainly the other format than its Content-Type says is refused, as the
  // declared format's parser would: it was not read as the sender meant it.
  if (auto written = fhir::io::detect(body); written != fhir::io::Format::Unknown && written != declared) {
    status = 400;
    auto name = [](fhir::io::Format f) { return f == fhir::io::Format::Xml ? "XML" : "JSON"; };
    issues.push_back({Severity::Error, "structure",
                      std::string("the body is ") + name(written) + " but its Content-Type says " + name(declared), {}, {}});
    return nullptr;
  }
  fhir::io::Limits limits;
  limits.max_bytes = std::max(options_.limits.max_body_bytes, call.max_body_bytes);
  auto parsed = fhir::io::read(body, definitions_, limits);
  if (!parsed.document || !parsed.document->root() || parsed.has_errors()) {
    status = 400;
    issues = std::move(parsed.issues);
    if (issues.empty()) issues.push_back({Severity::Error, "structure", "the body is not a FHIR resource", {}, {}});
    return nullptr;
  }
  return std::move(parsed.document);
}

Result FhirService::read(const Call& call, const std::string& type, const std::string& id, std::optional<int64_t> version) {
  auto record = version ? store_.vread(type, id, *version) : store_.read(type, id);
  if (record) call.disclosed.add_resource(*record);  // audited as disclosed, or as refused (404)
  if (record && !reads(call, *record)) record.reset();  // not there for the caller
  if (record && version && options_.access &&
      !security::disclosable_current(store_, *record, [&](const store::ResourceRecord& r) { return reads(call, r); }))
    record.reset();
  if (!record) {
    return failure(404, "not-found",
                   version ? type + "/" + id + " has no version " + std::to_string(*version) : type + "/" + id + " is not known");
  }
  if (record->deleted) {
    Result r = failure(410, "deleted", type + "/" + id + " was deleted");
    r.etag = "W/\"" + std::to_string(record->version) + "\"";
    r.last_modified_ms = record->updated_ms;
    return r;
  }
  Result r = found_result(*record, 200);
  r.location.clear();
  return r;
}

}  // namespace carebridge::gateway::rest
