// batch and transaction Bundles (FHIR R4 http.html 3.1.0.11). A transaction is
// one store commit: entries are resolved first (new ids for POST, conditional
// create/update/delete and conditional references searched once), urn:uuid and
// other fullUrl references rewritten through a hash map, writes planned in the
// order the specification sets (DELETE, POST, PUT) and committed together; GETs
// run after the commit. Any failing entry fails the whole transaction.
#include <unordered_map>
#include <unordered_set>

#include "fhir/io/base64.h"
#include "fhir/json/json_writer.h"
#include "fhir/validation/operation_outcome.h"
#include "gateway/rest/fhir_time.h"
#include "gateway/rest/resource_edit.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

// A PATCH entry carries its patch as a Binary (FHIR http.html#patch): its
// contentType and base64 data become the sub-request's Content-Type and body.
void patch_request(const fhir::model::Element* resource, http::Request& sub) {
  if (!resource || resource->type != "Binary") return;  // the PATCH then answers 415
  const fhir::model::Element* type = resource->child("contentType");
  const fhir::model::Element* data = resource->child("data");
  if (!type || !type->has_value || !data || !data->has_value) return;
  auto body = fhir::io::base64_decode(std::string(data->value));
  if (!body) return;
  for (auto& [name, value] : sub.headers) {
    if (http::iequals(name, "Content-Type")) value = std::string(type->value);
  }
  sub.body = std::move(*body);
}

using fhir::model::Element;
using fhir::model::Severity;

struct Entry {
  size_t index = 0;
  Element* resource = nullptr;
  std::string full_url, method, url, if_none_exist, if_match;
  std::string type, id;  // from the url (id resolved for conditional entries)
  Params criteria;       // conditional update/delete
  std::optional<int64_t> version;
  bool done = false;  // answered without a write (conditional create matched)
  Result result;
};

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

// "Patient/1", "Patient?x=y", "/fhir/Patient/1", "http://host/fhir/Patient/1" into type, id, criteria.
bool parse_entry_url(std::string url, const std::string& base_path, const std::string& base_url, Entry& e) {
  if (url.starts_with(base_url)) url = url.substr(base_url.size());
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

}  // namespace

http::Response FhirService::bundle(Call& call) {
  unsigned status = 0;
  Issues issues;
  auto doc = parse_body(call, status, issues);
  if (!doc) return outcome(call, status, std::move(issues));
  Element& root = *doc->root();
  std::string kind(value_of(root, "type"));
  if (root.type != "Bundle" || (kind != "batch" && kind != "transaction")) {
    return outcome(call, 400, {{Severity::Error, "invalid", "POST to the base needs a batch or transaction Bundle", {}, {}}});
  }
  bool transaction = kind == "transaction";
  std::vector<Entry> entries;
  for (Element* c = root.first_child; c; c = c->next) {
    if (c->base_name() != "entry") continue;
    Entry e;
    e.index = entries.size();
    e.full_url = std::string(value_of(*c, "fullUrl"));
    for (Element* r = c->first_child; r; r = r->next) {
      if (r->base_name() == "resource") e.resource = r;
    }
    const Element* request = c->child("request");
    if (request) {
      e.method = std::string(value_of(*request, "method"));
      e.url = std::string(value_of(*request, "url"));
      e.if_none_exist = std::string(value_of(*request, "ifNoneExist"));
      e.if_match = std::string(value_of(*request, "ifMatch"));
    }
    entries.push_back(std::move(e));
  }
  if (entries.size() > options_.limits.max_transaction_entries) {
    return outcome(call, 413, {{Severity::Error, "too-costly",
                                "the Bundle has " + std::to_string(entries.size()) + " entries; the limit is " +
                                    std::to_string(options_.limits.max_transaction_entries),
                                {}, {}}});
  }
  auto entry_error = [&](const Entry& e, unsigned code, std::string type, std::string message) {
    return outcome(call, code, {{Severity::Error, std::move(type), std::move(message),
                                 "Bundle.entry[" + std::to_string(e.index) + "]", {}}});
  };
  // Check every entry's request before doing anything.
  for (auto& e : entries) {
    if (e.method.empty() || e.url.empty()) return entry_error(e, 400, "required", "the entry has no request.method or request.url");
    if (!parse_entry_url(e.url, options_.base_path, call.base_url, e)) return entry_error(e, 400, "invalid", "cannot read the url " + e.url);
    bool writes = e.method == "POST" || e.method == "PUT";
    if (writes && !e.resource) return entry_error(e, 400, "required", e.method + " needs a resource in the entry");
    if (e.method == "PATCH" && transaction) {
      return entry_error(e, 400, "not-supported", "PATCH entries are taken in batch Bundles, not in transactions");
    }
    if (e.method != "GET" && e.method != "HEAD" && !registry_.is_resource_type(e.type)) {
      return entry_error(e, 404, "not-supported", "the resource type " + e.type + " is not supported");
    }
    if (writes && e.resource->type != e.type) {
      return entry_error(e, 400, "invalid", "the resource is a " + std::string(e.resource->type) + ", the url names " + e.type);
    }
    if (!e.if_match.empty()) {
      e.version = parse_etag(e.if_match);
      if (!e.version) return entry_error(e, 400, "invalid", "ifMatch must be an ETag such as W/\"1\"");
    }
  }
  if (!transaction) {
    // A batch: each entry on its own, as if it were a separate request.
    for (auto& e : entries) {
      http::Request sub;
      sub.method = e.method;
      sub.target = options_.base_path + "/" + e.url.substr(e.url.starts_with("/") ? 1 : 0);
      if (e.url.starts_with(call.base_url)) sub.target = options_.base_path + e.url.substr(call.base_url.size());
      sub.headers = {{"Host", std::string(call.request.header("Host"))}, {"Accept", "application/fhir+json"},
                     {"Content-Type", "application/fhir+json"}};
      if (!e.if_match.empty()) sub.headers.emplace_back("If-Match", e.if_match);
      if (!e.if_none_exist.empty()) sub.headers.emplace_back("If-None-Exist", e.if_none_exist);
      if (e.method == "PATCH") {
        patch_request(e.resource, sub);
      } else if (e.resource) {
        sub.body = fhir::json::write(*e.resource, {false});
      }
      sub.tls = call.request.tls;
      auto response = handle(sub);
      e.result.status = response.status;
      for (const auto& [k, v] : response.headers) {
        if (http::iequals(k, "Location")) e.result.location = v.substr(std::min(v.size(), call.base_url.size() + 1));
        if (http::iequals(k, "ETag")) e.result.etag = v;
      }
      e.result.resource_json = response.body;
    }
  } else {
    // Conditional entries search before they write: keep other conditional writers out.
    std::unique_lock<std::mutex> conditional_lock(conditional_mutex_, std::defer_lock);
    for (const auto& e : entries) {
      if (!e.if_none_exist.empty() || !e.criteria.empty()) {
        conditional_lock.lock();
        break;
      }
    }
    // 1. Resolve ids: fullUrl -> "Type/id" for everything the transaction creates or updates.
    std::unordered_map<std::string, std::string> ids;
    for (auto& e : entries) {
      if (e.method == "POST") {
        if (!e.if_none_exist.empty()) {
          Issues found;
          auto matches = match(e.type, parse_query(e.if_none_exist), 2, found);
          if (has_error(found)) return entry_error(e, 400, "invalid", found[0].message);
          if (matches.size() > 1) return entry_error(e, 412, "duplicate", "ifNoneExist matches more than one " + e.type);
          if (matches.size() == 1) {
            e.id = matches[0].id;
            e.done = true;
            e.result.status = 200;
            e.result.resource_json = matches[0].body;
            e.result.location = e.type + "/" + e.id + "/_history/" + std::to_string(matches[0].version);
            e.result.etag = "W/\"" + std::to_string(matches[0].version) + "\"";
            e.result.last_modified_ms = matches[0].updated_ms;
          }
        }
        if (!e.done) e.id = new_resource_id();
      } else if ((e.method == "PUT" || e.method == "DELETE") && e.id.empty()) {
        Issues found;
        auto matches = match(e.type, e.criteria, 2, found);
        if (e.criteria.empty()) return entry_error(e, 400, "required", e.method + " " + e.type + " needs an id or criteria");
        if (has_error(found)) return entry_error(e, 400, "invalid", found[0].message);
        if (matches.size() > 1) return entry_error(e, 412, "multiple-matches", "the criteria match more than one " + e.type);
        if (matches.size() == 1) {
          e.id = matches[0].id;
        } else if (e.method == "PUT") {
          std::string_view body_id = resource_id(*e.resource);
          e.id = body_id.empty() ? new_resource_id() : std::string(body_id);
        } else {
          e.done = true;  // a conditional delete that matches nothing
          e.result.status = 204;
        }
      }
      if (!valid_id(e.id) && !e.id.empty() && e.method != "GET" && e.method != "HEAD") {
        return entry_error(e, 400, "invalid", "'" + e.id + "' is not a valid id");
      }
      if (!e.full_url.empty() && !e.id.empty() && e.method != "GET") ids[e.full_url] = e.type + "/" + e.id;
    }
    // 2. Rewrite references to fullUrls and resolve conditional references.
    std::unordered_map<std::string, std::string> conditional;
    for (auto& e : entries) {
      if (!e.resource || e.done || e.method == "DELETE") continue;
      std::string failed;
      for_each_reference(*e.resource, [&](Element& value) {
        std::string v(value.value);
        if (auto it = ids.find(v); it != ids.end()) {
          value.value = doc->copy(it->second);
          return;
        }
        auto q = v.find('?');
        if (q == std::string::npos || value.base_name() != "reference" || !failed.empty()) return;
        auto hit = conditional.find(v);
        if (hit == conditional.end()) {
          Issues found;
          auto matches = match(v.substr(0, q), parse_query(v.substr(q + 1)), 2, found);
          if (matches.size() != 1) {
            failed = "the conditional reference " + v + " matches " + std::to_string(matches.size()) + " resources, not one";
            return;
          }
          hit = conditional.emplace(v, matches[0].type + "/" + matches[0].id).first;
        }
        value.value = doc->copy(hit->second);
      });
      if (!failed.empty()) return entry_error(e, 412, "not-found", failed);
    }
    // 3. Plan in the specification's order and commit everything at once.
    bool committed = false;
    for (int attempt = 0; attempt < 5 && !committed; ++attempt) {
      std::vector<store::Write> writes;
      std::unordered_set<std::string> touched;
      for (const char* method : {"DELETE", "POST", "PUT"}) {
        for (auto& e : entries) {
          if (e.method != method || e.done) continue;
          if (!touched.insert(e.type + "/" + e.id).second) {
            return entry_error(e, 400, "invalid", e.type + "/" + e.id + " appears in more than one entry of the transaction");
          }
          Planned planned = e.method == "DELETE" ? plan_delete(e.type, e.id, e.version)
                            : e.method == "POST" ? plan_create(*doc, *e.resource, e.type, "", e.id)
                                                 : plan_update(*doc, *e.resource, e.type, e.id, e.version);
          if (planned.result.status >= 400) {
            Issues entry_issues = planned.result.issues;
            for (auto& i : entry_issues) {
              if (i.expression.empty()) i.expression = "Bundle.entry[" + std::to_string(e.index) + "]";
            }
            return outcome(call, planned.result.status, std::move(entry_issues));
          }
          e.result = planned.result;
          if (planned.write) writes.push_back(std::move(*planned.write));
        }
      }
      auto result = store_.commit(std::move(writes));
      if (result.ok()) {
        committed = true;
      } else if (result.status != store::CommitResult::Status::Conflict) {
        return outcome(call, 500, {{Severity::Fatal, "exception", result.message, {}, {}}});
      }
    }
    if (!committed) return outcome(call, 409, {{Severity::Error, "conflict", "the transaction kept conflicting with other writes", {}, {}}});
    // 4. Reads see the transaction's results.
    for (auto& e : entries) {
      if (e.method != "GET" && e.method != "HEAD") continue;
      http::Request sub;
      sub.method = "GET";
      sub.target = options_.base_path + "/" + e.url;
      sub.headers = {{"Host", std::string(call.request.header("Host"))}, {"Accept", "application/fhir+json"}};
      auto response = handle(sub);
      e.result.status = response.status;
      e.result.resource_json = response.body;
    }
  }
  // The response Bundle, entries in the request's order.
  std::string out = "{\"resourceType\":\"Bundle\",";
  append_member(out, "type", transaction ? "transaction-response" : "batch-response");
  out += ",\"meta\":{";
  append_member(out, "lastUpdated", format_instant(now_ms()));
  out += "},\"entry\":[";
  bool minimal = call.prefer.return_ == Return::Minimal;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (i) out += ',';
    out += '{';
    bool has_body = !e.result.resource_json.empty() && e.result.status < 400;
    if (!e.id.empty() && e.method != "GET") {
      append_member(out, "fullUrl", call.base_url + "/" + e.type + "/" + e.id);
      out += ',';
    }
    if (has_body && !minimal) out += "\"resource\":" + e.result.resource_json + ",";
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
    }
    out += "}}";
  }
  out += "]}";
  return respond(call, 200, out);
}

}  // namespace carebridge::gateway::rest
