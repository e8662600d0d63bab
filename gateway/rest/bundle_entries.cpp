// Reading, checking and answering the entries of batch and transaction Bundles.
#include "gateway/rest/bundle_entries.h"

#include "fhir/io/base64.h"
#include "fhir/json/json_writer.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/time/fhir_time.h"
#include "fhir/time/temporal.h"
#include "fhir/validation/rest_url.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

using fhir::model::Element;

std::string_view value_of(const Element& parent, std::string_view name) {
  const Element* c = parent.child(name);
  return c && c->has_value ? c->value : std::string_view();
}

// "200 OK": Bundle.entry.response.status, with the reason phrase HTTP uses.
std::string status_text(unsigned status) {
  std::string text = std::to_string(status);
  if (const char* phrase = http::reason_phrase(status); *phrase) text += std::string(" ") + phrase;
  return text;
}

// "Patient/1", "Patient?x=y", "/fhir/Patient/1" into type, id, criteria.
bool parse_entry_url(std::string url, const std::string& base_path, BundleEntry& e) {
  if (url.starts_with(base_path + "/")) url = url.substr(base_path.size());
  while (url.starts_with("/")) url = url.substr(1);
  auto q = url.find('?');
  std::string path = url.substr(0, q);
  if (q != std::string::npos) e.criteria = parse_query(url.substr(q + 1));
  auto slash = path.find('/');
  e.type = path.substr(0, slash);
  if (slash != std::string::npos) e.id = path.substr(slash + 1);
  return !e.type.empty();
}

void append_member(std::string& out, const char* name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":";
  fhir::json::append_json_string(out, value);
}

Result entry_failure(const BundleEntry& e, unsigned status, std::string code, std::string message) {
  Result r = failure(status, std::move(code), std::move(message));
  r.issues.back().expression = e.where();
  return r;
}

// A PATCH entry carries its patch as a Binary (FHIR http.html#patch): its
// contentType and base64 data become the sub-request's Content-Type and body; or as a
// Parameters resource, a FHIRPath Patch.
void patch_request(const Element* resource, http::Request& sub) {
  if (resource && resource->type == "Parameters") {  // a FHIRPath Patch, as the entry's resource
    sub.body = fhir::json::write(*resource);
    return;  // as application/fhir+json, the sub-request's Content-Type
  }
  if (!resource || resource->type != "Binary") return;  // the PATCH then answers 415
  const Element* type = resource->child("contentType");
  const Element* data = resource->child("data");
  if (!type || !type->has_value || !data || !data->has_value) return;
  auto body = fhir::io::base64_decode(std::string(data->value));
  if (!body) return;
  for (auto& [name, value] : sub.headers) {
    if (http::iequals(name, "Content-Type")) value = std::string(type->value);
  }
  sub.body = std::move(*body);
}

// An entry's answer as Prefer asks it of a write (R4 http.html#ops: each entry as its own
// interaction): its resource, nothing, or the outcome alone. A read's answer is its resource.
void append_response(std::string& out, const BundleEntry& e, const std::string& base_url, Return wanted) {
  out += '{';
  bool has_body = !e.result.resource_json.empty() && e.result.status < 400;
  if (!e.id.empty() && !e.is_read() && e.result.status < 400) {
    append_member(out, "fullUrl", base_url + "/" + e.type + "/" + e.id);
    out += ',';
  }
  Return answer = e.is_read() ? Return::Representation : wanted;
  if (has_body && answer == Return::Representation) out += "\"resource\":" + e.result.resource_json + ",";
  out += "\"response\":{";
  append_member(out, "status", status_text(e.result.status));
  if (!e.result.location.empty()) {
    out += ',';
    append_member(out, "location", e.result.location);
  }
  if (!e.result.etag.empty()) {
    out += ',';
    append_member(out, "etag", e.result.etag);
  }
  if (e.result.last_modified_ms) {
    out += ',';
    append_member(out, "lastModified", format_instant(e.result.last_modified_ms));
  }
  if (e.result.status >= 400) {
    out += ",\"outcome\":";
    out += e.result.resource_json.empty() ? fhir::validation::operation_outcome_json(e.result.issues) : e.result.resource_json;
  } else if (answer == Return::OperationOutcome) {
    out += ",\"outcome\":" + fhir::validation::operation_outcome_json(write_outcome(e.result));
  } else if (!e.result.issues.empty() && answer != Return::Minimal) {
    // The warnings the entry was accepted with (an outcome carries "hints and warnings").
    out += ",\"outcome\":" + fhir::validation::operation_outcome_json(e.result.issues);
  }
  out += "}}";
}

}  // namespace

namespace {

// The query with each value, and each of a list's values, that `replace` gives another for
// (decoded, it is looked up) written as that other; everything else as it was.
template <typename Replace>
std::string replace_query_values(std::string_view query, Replace replace) {
  std::string out;
  for (size_t start = 0; start <= query.size();) {
    size_t amp = std::min(query.find('&', start), query.size());
    std::string_view pair = query.substr(start, amp - start);
    size_t eq = pair.find('=');
    out += pair.substr(0, eq == std::string_view::npos ? pair.size() : eq + 1);
    for (size_t at = eq + 1; eq != std::string_view::npos && at <= pair.size();) {
      size_t comma = std::min(pair.find(',', at), pair.size());
      std::string_view part = pair.substr(at, comma - at);
      const std::string* other = replace(url_decode(part));
      out += other ? url_encode(*other) : std::string(part);
      if (comma < pair.size()) out += ',';
      at = comma + 1;
    }
    if (amp < query.size()) out += '&';
    start = amp + 1;
  }
  return out;
}

std::string_view condition_query(const BundleEntry& e) {
  if (e.method == "POST") return e.if_none_exist;
  size_t q = e.url.find('?');
  return q == std::string::npos ? std::string_view() : std::string_view(e.url).substr(q + 1);
}

}  // namespace

std::string with_entry_ids(std::string_view query, const std::unordered_map<std::string, std::string>& ids) {
  return replace_query_values(query, [&](const std::string& value) -> const std::string* {
    auto it = ids.find(value);
    return it == ids.end() ? nullptr : &it->second;
  });
}

std::vector<BundleEntry*> entries_named_in_conditions(const BundleEntry& e,
                                                      const std::unordered_map<std::string, BundleEntry*>& full_urls) {
  std::vector<BundleEntry*> named;
  replace_query_values(condition_query(e), [&](const std::string& value) -> const std::string* {
    if (auto it = full_urls.find(value); it != full_urls.end() && it->second != &e) named.push_back(it->second);
    return nullptr;
  });
  return named;
}

void name_entry_ids(BundleEntry& e, const std::unordered_map<std::string, std::string>& ids) {
  std::string_view query = condition_query(e);
  if (query.empty() || ids.empty()) return;
  std::string named = with_entry_ids(query, ids);
  if (named == query) return;
  if (e.method == "POST") {
    e.if_none_exist = std::move(named);
    return;
  }
  e.url = e.url.substr(0, e.url.find('?') + 1) + named;
  e.criteria = parse_query(named);
}

std::string_view restful_base(const fhir::definitions::Definitions& definitions, const BundleEntry& e) {
  fhir::validation::RestUrl url;
  if (!fhir::validation::match_rest_url(definitions, e.full_url, &url) || url.type != e.type || !url.version.empty())
    return {};
  return url.base;
}

const std::string* entry_named(const std::unordered_map<std::string, std::string>& full_urls, std::string_view reference,
                               std::string_view base) {
  reference = reference.substr(0, reference.find("/_history/"));
  if (auto it = full_urls.find(std::string(reference)); it != full_urls.end()) return &it->second;
  bool relative = !base.empty() && reference.find(':') == std::string_view::npos && !reference.starts_with('#');
  if (!relative) return nullptr;
  auto it = full_urls.find(std::string(base) + std::string(reference));
  return it == full_urls.end() ? nullptr : &it->second;
}

std::vector<BundleEntry> read_entries(Element& bundle) {
  std::vector<BundleEntry> entries;
  for (Element* c = bundle.first_child; c; c = c->next) {
    if (c->base_name() != "entry") continue;
    BundleEntry e;
    e.index = entries.size();
    e.full_url = std::string(value_of(*c, "fullUrl"));
    for (Element* r = c->first_child; r; r = r->next) {
      if (r->base_name() == "resource") e.resource = r;
    }
    if (const Element* request = c->child("request")) {
      e.method = std::string(value_of(*request, "method"));
      e.url = std::string(value_of(*request, "url"));
      e.if_none_exist = std::string(value_of(*request, "ifNoneExist"));
      e.if_match = std::string(value_of(*request, "ifMatch"));
      e.if_none_match = std::string(value_of(*request, "ifNoneMatch"));
      e.if_modified_since = std::string(value_of(*request, "ifModifiedSince"));
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

std::optional<Result> check_entry(BundleEntry& e, const std::string& base_path,
                                  const std::vector<std::string>& bases, const SearchRegistry& registry) {
  if (e.method.empty() || e.url.empty()) return entry_failure(e, 400, "required", "the entry has no request.method or request.url");
  for (const std::string& base : bases)  // an absolute url under one of this server's bases: relative to it
    if (e.url.size() > base.size() && e.url[base.size()] == '/' && http::iequals(std::string_view(e.url).substr(0, base.size()), base))
      e.url = e.url.substr(base.size() + 1);
  // Another base (the engine's own server, or this one under a name it is not configured with)
  // was read as the type "https:" and answered 404.
  if (std::string_view(e.url).substr(0, e.url.find('?')).find("://") != std::string_view::npos) {
    Result r = entry_failure(e, 400, "invalid", "the url " + e.url.substr(0, 200) + " is not under this server's base " + bases.front() +
                                                  ": write it relative to the base (Patient, Patient/123, Patient?identifier=...), "
                                                  "or, behind a proxy, name its public address in the config's public_base_url");
    r.issues.back().expression += ".request.url";
    return r;
  }
  if (!parse_entry_url(e.url, base_path, e)) return entry_failure(e, 400, "invalid", "cannot read the url " + e.url);
  e.if_none_exist = std::string(create_criteria(e.type, e.if_none_exist));
  bool writes = e.method == "POST" || e.method == "PUT";
  if (!writes && !e.is_read() && e.method != "DELETE" && e.method != "PATCH") {
    return entry_failure(e, 405, "not-supported", "the method " + e.method + " is not a FHIR interaction");
  }
  if (writes && !e.resource) return entry_failure(e, 400, "required", e.method + " needs a resource in the entry");
  // Criteria in a create's url ("Organization?identifier=x|1"), as some engines write a
  // conditional create, were dropped and each send created the resource again; a POST to
  // the type refuses them the same way.
  if (std::string name = e.method == "POST" ? create_url_parameter(e.criteria) : ""; !name.empty()) {
    return entry_failure(e, 400, "invalid", "a create's url takes no search parameters ('" + name +
                                                "'); for a conditional create put them in request.ifNoneExist");
  }
  // A create's url is its type, as a POST to [type]/[id] is refused (405): the id was replaced by a
  // new one, and the references naming it ("Patient/123", as the sender wrote them) led nowhere.
  if (e.method == "POST" && (e.id.starts_with("_") || e.id.starts_with("$"))) {
    return entry_failure(e, 405, "not-supported", "POST " + e.url.substr(0, 200) + " is a search or an operation, which an entry "
                                                      "here does not take: send the search as a GET entry");
  }
  if (e.method == "POST" && !e.id.empty()) {
    return entry_failure(e, 405, "not-supported", "POST " + e.url.substr(0, 200) + " names a resource: a create's url is its type (POST " +
                                                      e.type + "); PUT " + e.type + "/[id] creates with the id the sender chose");
  }
  if (!e.is_read() && !registry.is_resource_type(e.type)) {
    return entry_failure(e, 404, "not-supported", "'" + e.type + "' is not a FHIR R4 resource type");
  }
  if (writes && e.resource->type != e.type) {
    return entry_failure(e, 400, "invalid", "the resource is a " + std::string(e.resource->type) + ", the url names " + e.type);
  }
  if (!e.if_match.empty()) {
    e.version = parse_etag(e.if_match);
    if (!e.version) return entry_failure(e, 400, "invalid", "ifMatch must be an ETag such as W/\"1\"");
  }
  if (e.is_read() && !e.if_modified_since.empty() &&
      !fhir::time::try_parse(e.if_modified_since, fhir::time::Syntax::Instant)) {
    return entry_failure(e, 400, "invalid", "ifModifiedSince must be an instant such as 2024-03-05T07:08:09Z");
  }
  if (!e.id.empty() && !e.is_read() && !valid_id(e.id)) return entry_failure(e, 400, "invalid", "'" + e.id + "' is not a valid id");
  return std::nullopt;
}

http::Request entry_request(const BundleEntry& e, const http::Request& outer, const std::string& base_path,
                            const std::string& base_url) {
  http::Request sub;
  sub.method = e.method;
  sub.target = base_path + "/" + e.url.substr(e.url.starts_with("/") ? 1 : 0);
  if (e.url.starts_with(base_url)) sub.target = base_path + e.url.substr(base_url.size());
  sub.headers = {{"Host", std::string(outer.header("Host"))}, {"Accept", "application/fhir+json"},
                 {"Content-Type", "application/fhir+json"}};
  if (!e.if_match.empty()) sub.headers.emplace_back("If-Match", e.if_match);
  // A read's ifNoneMatch and ifModifiedSince are the conditional read's headers (R4
  // Bundle.entry.request): a copy that is current answers 304. The instant becomes an HTTP date.
  if (e.is_read() && !e.if_none_match.empty()) sub.headers.emplace_back("If-None-Match", e.if_none_match);
  if (auto since = e.is_read() ? fhir::time::date_range(e.if_modified_since) : std::nullopt) {
    sub.headers.emplace_back("If-Modified-Since", fhir::time::http_date(static_cast<int64_t>(since->first * 1000)));
  }
  if (e.method == "PATCH") patch_request(e.resource, sub);
  sub.tls = outer.tls;
  return sub;
}

Result entry_result(const http::Response& response, const std::string& base_url) {
  Result r;
  r.status = response.status;
  for (const auto& [k, v] : response.headers) {
    if (http::iequals(k, "Location")) r.location = v.substr(std::min(v.size(), base_url.size() + 1));
    if (http::iequals(k, "ETag")) r.etag = v;
  }
  r.resource_json = response.body;
  return r;
}

std::string response_bundle(const std::vector<BundleEntry>& entries, bool transaction, const std::string& base_url,
                            Return wanted) {
  std::string out = "{\"resourceType\":\"Bundle\",";
  append_member(out, "type", transaction ? "transaction-response" : "batch-response");
  out += ",\"meta\":{";
  append_member(out, "lastUpdated", format_instant(now_ms()));
  out += "},\"entry\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i) out += ',';
    append_response(out, entries[i], base_url, wanted);
  }
  out += "]}";
  return out;
}

}  // namespace carebridge::gateway::rest
