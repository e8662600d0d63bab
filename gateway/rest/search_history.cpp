// search (type and system, GET and POST _search) and history (instance, type,
// system) answered as searchset and history Bundles with paging links. A search is
// parsed, run by the store, its page's _include/_revinclude rounds run under the
// same deadline, then its links (holding the first page's snapshot) and Bundle made.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include <rapidjson/document.h>

#include "fhir/json/json_writer.h"
#include "fhir/search/parse_clause.h"
#include "fhir/validation/operation_outcome.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/inclusion.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

using fhir::model::Severity;

void append_string_member(std::string& out, const char* name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":";
  fhir::json::append_json_string(out, value);
}

// Opens a Bundle's JSON up to (not including) its entries.
std::string bundle_head(const char* type, int64_t total, const std::vector<std::pair<std::string, std::string>>& links) {
  std::string out = "{\"resourceType\":\"Bundle\",";
  append_string_member(out, "type", type);
  out += ",\"meta\":{";
  append_string_member(out, "lastUpdated", format_instant(now_ms()));
  out += "}";
  if (total >= 0) out += ",\"total\":" + std::to_string(total);
  if (!links.empty()) {
    out += ",\"link\":[";
    for (size_t i = 0; i < links.size(); ++i) {
      if (i) out += ',';
      out += '{';
      append_string_member(out, "relation", links[i].first);
      out += ',';
      append_string_member(out, "url", links[i].second);
      out += '}';
    }
    out += ']';
  }
  return out;
}

const char* status_line(const store::ResourceRecord& r) {
  if (r.deleted) return "204 No Content";
  return r.method == "POST" || r.version == 1 ? "201 Created" : "200 OK";
}

}  // namespace

std::string FhirService::bundle_link(const Call& call, const std::string& path, const Params& params, uint32_t offset,
                                     uint32_t count, int64_t snapshot) {
  std::string url = call.base_url + (path.empty() ? "" : "/" + path) + "?";
  for (const auto& [k, v] : params) {
    if (k == "_count" || k == "_offset" || k == "_snapshot") continue;
    url += url_encode(k) + "=" + url_encode(v) + "&";
  }
  // The format the client asked for by parameter stays on every page (HAPI keeps it too).
  for (const auto& [k, v] : call.target.params) {
    bool kept = std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == k; });
    if ((k == "_format" || k == "_pretty") && !kept) url += url_encode(k) + "=" + url_encode(v) + "&";
  }
  url += "_count=" + std::to_string(count) + "&_offset=" + std::to_string(offset);
  if (snapshot > 0) url += "&_snapshot=" + std::to_string(snapshot);
  return url;
}

http::Response FhirService::search_timeout(const Call& call) {
  return outcome(call, 503, {{fhir::model::Severity::Error, "too-costly",
                              "the search ran longer than " + std::to_string(options_.limits.search_timeout_ms) +
                                  " ms and was stopped; narrow it with more parameters",
                              {}, {}}});
}

http::Response FhirService::search_failure(const Call& call, Issues issues) {
  const std::string& code = issues.empty() ? std::string() : issues.front().code;
  if (code == "too-costly") return search_timeout(call);
  return outcome(call, code == "too-long" ? 400 : 500, std::move(issues));
}

http::Response FhirService::compartment_search(Call& call, const std::string& compartment, const std::string& id,
                                               const std::string& type, const Params& params) {
  if (!compartments_.defines(compartment)) {
    return outcome(call, 400, {{Severity::Error, "not-supported",
                                "this server has no " + compartment + " compartment to search in (its definitions define none)", {}, {}}});
  }
  if (type == "*") return compartment_search_all(call, compartment, id, params);
  SearchScope scope{compartment + "/" + id + "/" + type, compartments_.clause(compartment, id, type)};
  if (scope.clause.either.empty()) {
    return outcome(call, 400, {{Severity::Error, "invalid", type + " resources are not in the " + compartment + " compartment", {}, {}}});
  }
  return search(call, type, params, &scope);
}

http::Response FhirService::search(Call& call, const std::string& type, const Params& asked, const SearchScope* scope) {
  ParsedSearch parsed;
  Issues issues;
  // Scopes such as Observation.rs?category=laboratory restrict the search itself.
  auto restricted = options_.access ? options_.access->restriction_params(call.who.get(), type) : Params{};
  const Params* params = &asked;
  Params with_restrictions;
  if (!restricted.empty() && !type.empty()) {
    with_restrictions = asked;
    with_restrictions.insert(with_restrictions.end(), restricted.begin(), restricted.end());
    params = &with_restrictions;
  }
  auto stored_canonicals = [&](std::string_view of_type, std::string_view reference) {
    return stored_canonical(call, std::string(of_type), reference);
  };
  if (!parse_search(registry_, type, *params, search_limits(), call.prefer.strict, parsed, issues, stored_canonicals)) {
    return outcome(call, 400, std::move(issues));
  }
  if (scope) {
    parsed.query.clauses.push_back(scope->clause);
    parsed.query.clauses.insert(parsed.query.clauses.end(), scope->narrowing.begin(), scope->narrowing.end());
    parsed.used.insert(parsed.used.end(), scope->in_links.begin(), scope->in_links.end());
  }
  // One deadline for the search and its _revinclude queries.
  SearchRunner runner{store_, std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.limits.search_timeout_ms),
                      visibility(call, type, restricted.empty() ? "" : type), call.base_url + "/"};
  // A page of large resources (Synthea's notes, scanned reports) ends at the response limit.
  parsed.query.max_page_bytes = options_.limits.max_response_bytes;
  auto searched = runner.run(parsed.query);
  if (!searched) return search_failure(call, std::move(searched.issues()));
  Inclusion inclusion(registry_, runner, options_.limits.max_page_size);
  if (scope && scope->lead) {
    if (parsed.query.offset == 0) searched->page.insert(searched->page.begin(), *scope->lead);
    inclusion.leave_out(scope->lead->type + "/" + scope->lead->id);  // not repeated as what the others refer to
  }
  if (scope) inclusion.leave_out_types(scope->not_included);
  if (auto done = inclusion.run(parsed, searched->page); !done) return search_failure(call, done.issues());
  if (scope) issues.insert(issues.begin(), scope->said.begin(), scope->said.end());
  return searchset(call, scope ? scope->path : type, parsed, *searched, inclusion.included(), issues);
}

namespace {

constexpr size_t kMaxStoredVersions = 100;  // resources of one canonical URL compared for the latest

// Whether business version `a` comes before `b`: dotted parts compared as numbers when both are,
// else as text ("1.10" after "1.9", "2024" after "2023").
bool earlier_version(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    size_t da = a.find('.'), db = b.find('.');
    std::string_view pa = a.substr(0, da), pb = b.substr(0, db);
    bool numbers = !pa.empty() && !pb.empty() && pa.find_first_not_of("0123456789") == std::string_view::npos &&
                   pb.find_first_not_of("0123456789") == std::string_view::npos;
    if (numbers && pa.size() != pb.size()) return pa.size() < pb.size();
    if (pa != pb) return pa < pb;
    a = da == std::string_view::npos ? std::string_view() : a.substr(da + 1);
    b = db == std::string_view::npos ? std::string_view() : b.substr(db + 1);
  }
  return false;
}

std::string business_version(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  auto v = doc.FindMember("version");
  return v != doc.MemberEnd() && v->value.IsString() ? std::string(v->value.GetString(), v->value.GetStringLength()) : "";
}

// The latest of resources sharing a canonical URL: the highest business version, then the last written.
const store::ResourceRecord& latest_version(const std::vector<store::ResourceRecord>& found) {
  const store::ResourceRecord* best = &found.front();
  std::string best_version = business_version(best->body);
  for (size_t i = 1; i < found.size(); ++i) {
    std::string v = business_version(found[i].body);
    if (earlier_version(best_version, v) || (v == best_version && found[i].updated_ms > best->updated_ms)) {
      best = &found[i];
      best_version = std::move(v);
    }
  }
  return *best;
}

}  // namespace

// :in and :not-in a ValueSet a client wrote (FHIR search: the value set by its canonical URL,
// or relative, ValueSet/id), when the definitions do not have it, and the terminology
// operations' code systems, value sets and maps: of the stored versions the caller may see, the
// one "url|version" names, or the latest (as HAPI FHIR and tx.fhir.org pick).
std::optional<std::string> FhirService::stored_canonical(const Call& call, const std::string& type, std::string_view reference) {
  if (reference.starts_with(type + "/")) {
    std::string id(reference.substr(type.size() + 1));
    if (!valid_id(id)) return std::nullopt;
    auto record = store_.read(type, id);
    if (!record || record->deleted || !sees(call, *record)) return std::nullopt;
    return record->body;
  }
  auto bar = reference.find('|');
  Params criteria{{"url", std::string(reference.substr(0, bar))}};
  if (bar != std::string_view::npos) criteria.emplace_back("version", std::string(reference.substr(bar + 1)));
  Issues issues;
  auto found = writes_.match(call.who, type, criteria, kMaxStoredVersions, issues);
  if (found.empty()) return std::nullopt;
  return latest_version(found).body;
}

std::vector<std::string> FhirService::stored_matches(const Call& call, const std::string& type, const Params& criteria) {
  Issues issues;
  std::vector<std::string> out;
  for (auto& found : writes_.match(call.who, type, criteria, kMaxStoredVersions, issues)) out.push_back(std::move(found.body));
  return out;
}

std::vector<std::pair<std::string, std::string>> FhirService::search_links(const Call& call, const std::string& path,
                                                                           const ParsedSearch& parsed,
                                                                           const store::SearchResult& result) {
  // Every link holds the snapshot the first page saw: what is written meanwhile does not shift the pages.
  const auto& q = parsed.query;
  int64_t at = result.snapshot;
  std::vector<std::pair<std::string, std::string>> links;
  links.emplace_back("self", bundle_link(call, path, parsed.used, q.offset, q.count, at));
  if (q.count == 0) return links;
  links.emplace_back("first", bundle_link(call, path, parsed.used, 0, q.count, at));
  bool more = result.cut || (result.total >= 0 ? q.offset + q.count < result.total : result.page.size() == q.count);
  // A page cut at the byte bound is followed from where it ended.
  uint32_t shown = result.cut ? static_cast<uint32_t>(result.page.size()) : q.count;
  if (more) links.emplace_back("next", bundle_link(call, path, parsed.used, q.offset + shown, q.count, at));
  if (q.offset > 0) {
    links.emplace_back("previous", bundle_link(call, path, parsed.used, q.offset > q.count ? q.offset - q.count : 0, q.count, at));
  }
  return links;
}

namespace {

// The names of an _elements list qualified by a type ("Patient.name"), the others left out.
std::string qualified_names(std::string_view list) {
  std::string qualified;
  while (!list.empty()) {
    std::string_view one = list.substr(0, list.find(','));
    list.remove_prefix(std::min(list.size(), one.size() + 1));
    if (one.find('.') != std::string_view::npos) qualified += (qualified.empty() ? "" : ",") + std::string(one);
  }
  return qualified;
}

}  // namespace

http::Response FhirService::searchset(const Call& call, const std::string& path, const ParsedSearch& parsed,
                                      const store::SearchResult& result, const std::deque<store::ResourceRecord>& included,
                                      const Issues& issues) {
  std::string out = bundle_head("searchset", result.total, search_links(call, path, parsed, result));
  out += ",\"entry\":[";
  bool first = true;
  Call json_call = call;
  json_call.negotiation = {fhir::io::Format::Json, false, true};
  // _elements subsets the matches; what they include comes whole (search.html#elements),
  // unless a name qualified by its type (Patient.name) asks for it. Copied only then.
  std::optional<Call> trimmed;
  if (!included.empty() && !param(call.target.params, "_elements").empty()) {
    trimmed.emplace(json_call);
    for (auto& [name, value] : trimmed->target.params)
      if (name == "_elements") value = qualified_names(value);
    std::erase_if(trimmed->target.params, [](const auto& p) { return p.first == "_elements" && p.second.empty(); });
  }
  const Call& include_call = trimmed ? *trimmed : json_call;
  auto add = [&](const store::ResourceRecord& r, const char* mode) {
    if (!first) out += ',';
    first = false;
    out += '{';
    append_string_member(out, "fullUrl", call.base_url + "/" + r.type + "/" + r.id);
    const Call& as = std::string_view(mode) == "match" ? json_call : include_call;
    out += ",\"resource\":" + to_format(as, r.body, true) + ",\"search\":{";
    append_string_member(out, "mode", mode);
    out += "}}";
    call.disclosed.add_resource(r);
  };
  for (const auto& r : result.page) add(r, "match");
  for (const auto& r : included) add(r, "include");
  if (!issues.empty()) {
    if (!first) out += ',';
    first = false;
    out += "{\"resource\":" + fhir::validation::operation_outcome_json(issues) + ",\"search\":{\"mode\":\"outcome\"}}";
  }
  out += "]}";
  if (first) out.replace(out.size() - 12, 12, "}");  // no entries: drop the empty array
  return respond(call, 200, out);
}

http::Response FhirService::history(Call& call, const std::string& type, const std::string& id) {
  const auto& params = call.target.params;
  store::HistoryQuery q;
  q.type = type;
  q.id = id;
  q.count = options_.limits.default_page_size;
  Params used;
  for (const auto& [k, v] : params) {
    if (k == "_since") {
      auto range = date_range(v);
      if (!range) return outcome(call, 400, {{Severity::Error, "invalid", "_since must be an instant, not '" + v + "'", {}, {}}});
      q.since_ms = static_cast<int64_t>(range->first * 1000);
      used.emplace_back(k, v);
    } else if (k == "_at") {
      auto range = date_range(v);
      if (!range) return outcome(call, 400, {{Severity::Error, "invalid", "_at must be a date or dateTime, not '" + v + "'", {}, {}}});
      q.at_ms = {static_cast<int64_t>(range->first * 1000), static_cast<int64_t>(range->second * 1000)};
      used.emplace_back(k, v);
    } else if (k == "_count" || k == "_offset") {
      uint32_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size()) {
        return outcome(call, 400, {{Severity::Error, "invalid", k + " must be a non-negative integer", {}, {}}});
      }
      if (k == "_count") q.count = std::min(n, options_.limits.max_page_size);
      if (k == "_offset") q.offset = n;
    } else if (k == "_snapshot") {  // a paging link's: the first page's point in the history
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), q.snapshot);
      if (ec != std::errc() || end != v.data() + v.size() || q.snapshot < 0)
        return outcome(call, 400, {{Severity::Error, "invalid", "_snapshot must be what a paging link gave", {}, {}}});
    }
  }
  q.visible = visibility(call, type);
  auto result = store_.history(q);
  if (!id.empty() && result.total == 0) {
    return outcome(call, 404, {{Severity::Error, "not-found", type + "/" + id + " is not known", {}, {}}});
  }
  std::string path = type.empty() ? "_history" : id.empty() ? type + "/_history" : type + "/" + id + "/_history";
  std::vector<std::pair<std::string, std::string>> links;
  // Every link holds the first page's point in the history: versions written meanwhile do
  // not push the ones already shown onto the next page again.
  int64_t at = result.snapshot;
  links.emplace_back("self", bundle_link(call, path, used, q.offset, q.count, at));
  // _count=0 asks for the total alone: no page follows (a next link equal to self never ends).
  if (q.count > 0 && q.offset + q.count < result.total)
    links.emplace_back("next", bundle_link(call, path, used, q.offset + q.count, q.count, at));
  if (q.count > 0 && q.offset > 0)
    links.emplace_back("previous", bundle_link(call, path, used, q.offset > q.count ? q.offset - q.count : 0, q.count, at));
  std::string out = bundle_head("history", result.total, links);
  out += ",\"entry\":[";
  for (size_t i = 0; i < result.page.size(); ++i) {
    const auto& r = result.page[i];
    call.disclosed.add_resource(r);
    if (i) out += ',';
    out += '{';
    append_string_member(out, "fullUrl", call.base_url + "/" + r.type + "/" + r.id);
    if (!r.deleted) out += ",\"resource\":" + r.body;
    out += ",\"request\":{";
    append_string_member(out, "method", r.method);
    out += ',';
    append_string_member(out, "url", r.method == "POST" ? r.type : r.type + "/" + r.id);
    out += "},\"response\":{";
    append_string_member(out, "status", status_line(r));
    out += ',';
    append_string_member(out, "etag", "W/\"" + std::to_string(r.version) + "\"");
    out += ',';
    append_string_member(out, "lastModified", r.last_updated);
    out += "}}";
  }
  out += "]}";
  if (result.page.empty()) out.replace(out.size() - 12, 12, "}");
  return respond(call, 200, out);
}

}  // namespace carebridge::gateway::rest
