// The terminology operations of FHIR R4 (terminology-service.html) over the code systems,
// value sets and concept maps the server's definitions hold (the core and its packages) and
// those a client stored: ValueSet $expand and $validate-code here, CodeSystem $lookup,
// $validate-code and $subsumes in code_system_operations.cpp, ConceptMap $translate in
// concept_map_operations.cpp.
// Parameters come from the query or, on a POST, from a Parameters body (JSON or XML), which
// may also carry the resource to work on (valueSet, codeSystem, conceptMap) and the concept as
// a coding or codeableConcept. What cannot be answered from what is held (a value set that
// includes all of LOINC, a code system not loaded) is said so (422), never answered as "not a member".
#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include <rapidjson/document.h>

#include "fhir/time/fhir_time.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"
#include "gateway/rest/terminology_support.h"

namespace carebridge::gateway::rest {
namespace terminology_ops {
namespace {

// The value set an operation works on: the stored one the instance names, the body's, or the
// one `url` (at valueSetVersion) names: the definitions', else a stored one. `own` holds it
// when it was expanded here.
// `json` is set to the value set's JSON when it is a resource (not a code system's implicit value set).
std::optional<Result> value_set_of(Sources& from, const std::string& id, const OperationInput& in,
                                   std::optional<terminology::Expansion>& own, const terminology::Expansion*& out, std::string& json) {
  std::string url = canonical(param(in.params, "url"), param(in.params, "valueSetVersion"));
  if (auto refused = from.given("ValueSet", id, in, json)) return refused;
  if (json.empty()) {
    if (url.empty()) return failure(400, "required", "the operation needs the value set: a url parameter or a valueSet resource");
    size_t bar = url.find('|');
    out = from.terms.expansion(url.substr(0, bar));
    if (out && names_version(url, out->version)) {
      const auto* resource = from.definitions ? from.definitions->resource("ValueSet", url.substr(0, bar)) : nullptr;
      if (resource) json = resource->json;
      return std::nullopt;
    }
    auto stored = from.stored("ValueSet", url);
    if (!stored) return failure(404, "not-found", "no ValueSet " + url + " is known here");
    json = std::move(*stored);
  }
  auto expanded = from.terms.expand(json, from.extra());
  if (!expanded) return failure(422, "invalid", "the value set cannot be read: " + expanded.message());
  own = std::move(*expanded);
  out = &*own;
  return std::nullopt;
}

// Why a value set's members cannot all be listed here, or "".
std::string not_listable(const terminology::Expansion& vs) {
  if (vs.unknown_part) return "part of it cannot be read here (a value set or code system it includes is not known)";
  std::string systems;
  for (const auto& [system, excluded] : vs.open_systems) systems += (systems.empty() ? "" : ", ") + system;
  if (!systems.empty()) return "it includes codes of " + systems + " that cannot be listed here (the whole system, or a filter on it)";
  return "";
}

// The concepts a value set lists one by one (compose.include.concept), by system and code:
// their place in the compose and the display it gives them.
struct Listed {
  uint32_t position = 0;
  std::string display;
};
using ListedConcepts = std::map<std::string, std::map<std::string, Listed, std::less<>>, std::less<>>;

ListedConcepts listed_concepts(const std::string& value_set_json) {
  ListedConcepts out;
  rapidjson::Document doc;
  doc.Parse(value_set_json.c_str(), value_set_json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("compose") || !doc["compose"].IsObject()) return out;
  const auto& compose = doc["compose"];
  if (!compose.HasMember("include") || !compose["include"].IsArray()) return out;
  for (const auto& include : compose["include"].GetArray()) {
    if (!include.IsObject() || !include.HasMember("system") || !include["system"].IsString() || !include.HasMember("concept") ||
        !include["concept"].IsArray())
      continue;
    auto& of_system = out[include["system"].GetString()];
    for (const auto& c : include["concept"].GetArray()) {
      if (!c.IsObject() || !c.HasMember("code") || !c["code"].IsString()) continue;
      bool display = c.HasMember("display") && c["display"].IsString();
      of_system.try_emplace(c["code"].GetString(), Listed{static_cast<uint32_t>(of_system.size()), display ? c["display"].GetString() : ""});
    }
  }
  return out;
}

struct Member {
  std::string_view system, code;
  const terminology::Concept* entry;  // null when the code system does not list it
  uint32_t order;                       // where the value set or code system lists it (codes neither lists last, by code)
  std::string_view given_display;       // the display the value set gives it, if any
};

// The members, system by system: in the order the value set lists them when it lists each one
// (as tx.fhir.org keeps it), else in the order the code system lists them.
std::vector<Member> members_of(const terminology::Expansion& vs, Sources& from, const ListedConcepts& listed) {
  std::vector<Member> out;
  for (const auto& [system, codes] : vs.codes) {
    const terminology::CodeSystem* cs = from.code_system(system);
    auto of_system = listed.find(system);
    bool compose_order = of_system != listed.end() && std::all_of(codes.begin(), codes.end(), [&](const std::string& code) {
                           return of_system->second.contains(code);
                         });
    for (const std::string& code : codes) {
      uint32_t at = cs ? cs->find(code) : terminology::CodeSystem::kNone;
      const Listed* given = nullptr;
      if (of_system != listed.end())
        if (auto l = of_system->second.find(code); l != of_system->second.end()) given = &l->second;
      out.push_back({system, code, at == terminology::CodeSystem::kNone ? nullptr : &cs->concepts[at],
                     compose_order ? given->position : at, given ? std::string_view(given->display) : std::string_view()});
    }
  }
  std::sort(out.begin(), out.end(), [](const Member& a, const Member& b) {
    return std::tie(a.system, a.order, a.code) < std::tie(b.system, b.order, b.code);
  });
  return out;
}

std::string folded(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// A count or offset parameter: absent is `fallback`; nullopt when it is no non-negative integer.
std::optional<size_t> whole_number(const Params& params, std::string_view name, size_t fallback) {
  std::string_view text = param(params, name);
  if (text.empty()) return fallback;
  size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

constexpr size_t kMaxListed = 10000;  // members listed without count and offset

// How the members are shown: the display in the language asked for, designations or not.
struct Presentation {
  std::string language;
  bool designations = false;

  std::string_view display(const Member& m) const {
    if (!m.entry) return m.given_display;
    for (const auto& d : m.entry->designations)
      if (!language.empty() && (d.language == language || d.language.starts_with(language + "-"))) return d.value;
    return m.given_display.empty() ? m.entry->display() : m.given_display;  // the value set's own display first
  }
};

void write_designations(Writer& w, const terminology::Concept& c) {
  w.Key("designation");
  w.StartArray();
  for (const auto& d : c.designations) {
    w.StartObject();
    if (!d.language.empty()) {
      w.Key("language");
      w.String(d.language.c_str());
    }
    if (!d.use_code.empty()) {
      w.Key("use");
      coding_value(w, d.use_system, d.use_code, d.use_display);
    }
    w.Key("value");
    w.String(d.value.c_str());
    w.EndObject();
  }
  w.EndArray();
}

void write_member(Writer& w, const Member& m, const Presentation& how) {
  w.StartObject();
  w.Key("system");
  w.String(m.system.data(), static_cast<rapidjson::SizeType>(m.system.size()));
  if (m.entry && m.entry->abstract()) {
    w.Key("abstract");
    w.Bool(true);
  }
  if (m.entry && m.entry->inactive()) {
    w.Key("inactive");
    w.Bool(true);
  }
  w.Key("code");
  w.String(m.code.data(), static_cast<rapidjson::SizeType>(m.code.size()));
  if (std::string_view display = how.display(m); !display.empty()) {
    w.Key("display");
    w.String(display.data(), static_cast<rapidjson::SizeType>(display.size()));
  }
  if (how.designations && m.entry && !m.entry->designations.empty()) write_designations(w, *m.entry);
  w.EndObject();
}

// The expansion.parameter echoing what shaped the expansion (the parameters the client gave).
void write_expansion_parameters(Writer& w, const Params& params) {
  std::vector<std::pair<const char*, const char*>> echoed;
  for (auto [name, type] : {std::pair<const char*, const char*>{"filter", "valueString"}, {"offset", "valueInteger"},
                            {"count", "valueInteger"}, {"activeOnly", "valueBoolean"},
                            {"includeDesignations", "valueBoolean"}, {"displayLanguage", "valueCode"}})
    if (!param(params, name).empty()) echoed.emplace_back(name, type);
  if (echoed.empty()) return;
  w.Key("parameter");
  w.StartArray();
  for (auto [name, type] : echoed) parameter(w, name, type, param(params, name));
  w.EndArray();
}

void write_expansion(Writer& w, const std::vector<const Member*>& page, size_t total, size_t offset,
                     const Params& params, const Presentation& how) {
  w.Key("expansion");
  w.StartObject();
  w.Key("identifier");
  w.String(("urn:uuid:" + new_resource_id()).c_str());
  w.Key("timestamp");
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  w.String(fhir::time::format_instant(now.count()).c_str());
  w.Key("total");
  w.Uint64(total);
  w.Key("offset");
  w.Uint64(offset);
  write_expansion_parameters(w, params);
  if (!page.empty()) {
    w.Key("contains");
    w.StartArray();
    for (const Member* m : page) write_member(w, *m, how);
    w.EndArray();
  }
  w.EndObject();
}

void write_value_set(Writer& w, const terminology::Expansion& vs) {
  w.Key("resourceType");
  w.String("ValueSet");
  for (auto [name, value] : {std::pair<const char*, const std::string*>{"url", &vs.url}, {"version", &vs.version}, {"name", &vs.name}}) {
    if (value->empty()) continue;
    w.Key(name);
    w.String(value->c_str());
  }
  w.Key("status");
  w.String("active");
}

}  // namespace

// ValueSet $expand: the members, filtered by text (code or display), active only when asked,
// and paged by count and offset.
Result expand(Sources& from, const std::string& id, const OperationInput& in) {
  std::optional<terminology::Expansion> own;
  const terminology::Expansion* vs = nullptr;
  std::string json;
  if (auto refused = value_set_of(from, id, in, own, vs, json)) return std::move(*refused);
  if (std::string why = not_listable(*vs); !why.empty()) return failure(422, "too-costly", "the value set cannot be expanded: " + why);
  auto count = whole_number(in.params, "count", kMaxListed), offset = whole_number(in.params, "offset", 0);
  if (!count || !offset) return failure(400, "invalid", "count and offset must be whole numbers");
  Presentation how{std::string(param(in.params, "displayLanguage")), param(in.params, "includeDesignations") == "true"};
  bool active_only = param(in.params, "activeOnly") == "true";
  std::string filter = folded(param(in.params, "filter"));
  ListedConcepts listed = listed_concepts(json);  // the members' given displays point into it
  std::vector<Member> all = members_of(*vs, from, listed);
  std::vector<const Member*> matching;
  for (const Member& m : all) {
    if (active_only && m.entry && m.entry->inactive()) continue;
    if (filter.empty() || folded(m.code).find(filter) != std::string::npos || folded(how.display(m)).find(filter) != std::string::npos)
      matching.push_back(&m);
  }
  if (!has_param(in.params, "count") && matching.size() > kMaxListed) {
    return failure(422, "too-costly", "the value set has " + std::to_string(matching.size()) +
                                          " members: ask for them in pages with count and offset");
  }
  size_t from_at = std::min(*offset, matching.size()), to = std::min(matching.size(), from_at + std::min(*count, kMaxListed));
  return resource_answer([&](Writer& w) {
    write_value_set(w, *vs);
    write_expansion(w, {matching.begin() + from_at, matching.begin() + to}, matching.size(), *offset, in.params, how);
  });
}

namespace {

// The one system whose listed codes include `code` (a code given without its system), else "".
std::string_view system_listing(const terminology::Expansion& vs, std::string_view code) {
  std::string_view found;
  for (const auto& [system, codes] : vs.codes) {
    if (!codes.contains(code)) continue;
    if (!found.empty()) return {};  // ambiguous
    found = system;
  }
  return found;
}

// A membership answer for one coding: in, not in, or unknown; `answer` set when there is one to
// give (`valid`: a true one).
terminology::Membership check_member(Sources& from, const terminology::Expansion& vs, const CodingIn& c,
                                     bool abstract_allowed, std::optional<Result>& answer, bool& valid) {
  std::string_view system = std::string_view(c.system).substr(0, c.system.find('|'));
  if (system.empty()) system = system_listing(vs, c.code);
  std::string wanted = c.system.empty() ? canonical(system, c.version) : canonical(c.system, c.version);
  const terminology::CodeSystem* cs = system.empty() ? nullptr : from.code_system(wanted);
  const terminology::Concept* found = cs ? cs->concept_of(c.code) : nullptr;
  std::string_view code = found ? std::string_view(found->code) : std::string_view(c.code);  // its case, when the system ignores case
  auto member = system.empty() ? vs.contains_code(code) : vs.contains(system, code);
  if (member != terminology::Membership::in) return member;
  if (!found && cs && cs->complete()) {  // listed by the value set, but its code system (held whole) has no such code
    answer = validation_answer(false, "'" + c.code + "' is not a code of " + std::string(system), "");
    return terminology::Membership::not_in;
  }
  if (!found) {
    auto listed = vs.codes.find(system);
    if (listed == vs.codes.end() || !listed->second.contains(code)) return terminology::Membership::unknown;  // open here
    answer = validation_answer(valid = true, "", "");
    return member;
  }
  if (!abstract_allowed && found->abstract()) {
    answer = validation_answer(false, std::string(system) + "#" + found->code + " is abstract: not to be used itself", found->display());
    return member;
  }
  std::string problem = display_problem(*cs, *found, c.display);
  answer = validation_answer(valid = problem.empty(), problem, found->display());
  return member;
}

}  // namespace

// ValueSet $validate-code: whether the code (or any coding of the concept) is in the value set,
// and its display right.
Result validate_in_value_set(Sources& from, const std::string& id, const OperationInput& in) {
  std::vector<CodingIn> concepts;
  if (auto refused = concepts_with_codes(in, "system", "systemVersion", "$validate-code", "validated", concepts)) return std::move(*refused);
  std::optional<terminology::Expansion> own;
  const terminology::Expansion* vs = nullptr;
  std::string json;
  if (auto refused = value_set_of(from, id, in, own, vs, json)) return std::move(*refused);
  bool unknown = false;
  bool abstract_allowed = param(in.params, "abstract") != "false";
  std::optional<Result> first;  // a concept is valid when any of its codings is (R4); else the first coding's reason
  for (const CodingIn& c : concepts) {
    std::optional<Result> answer;
    bool valid = false;
    unknown = check_member(from, *vs, c, abstract_allowed, answer, valid) == terminology::Membership::unknown || unknown;
    if (valid) return std::move(*answer);
    if (answer && !first) first = std::move(answer);
  }
  if (first) return std::move(*first);
  std::string named = concepts.front().system + (concepts.front().system.empty() ? "" : "|") + concepts.front().code;
  if (unknown) {
    return failure(422, "not-supported", "whether " + named + " is in the value set cannot be told here: " + not_listable(*vs));
  }
  return validation_answer(false, named + " is not in the value set " + vs->url, "");
}

}  // namespace terminology_ops

bool FhirService::is_terminology_operation(const std::string& type, const std::string& operation) {
  if (type == "ValueSet") return operation == "$expand" || operation == "$validate-code";
  if (type == "CodeSystem") return operation == "$lookup" || operation == "$validate-code" || operation == "$subsumes";
  return type == "ConceptMap" && operation == "$translate";
}

http::Response FhirService::terminology_operation(Call& call, const std::string& type, const std::string& id,
                                                  const std::string& operation) {
  namespace ops = terminology_ops;
  const std::string& m = call.request.method;
  if (m != "GET" && m != "HEAD" && m != "POST") return not_allowed(call, "GET, HEAD, POST");
  if (auto refusal = refused(call, id.empty() ? security::Interaction::Search : security::Interaction::Read, type)) return *refusal;
  ops::OperationInput in;
  if (auto refused = ops::read_input(call.request, call.target.params, definitions_, in)) return outcome(call, refused->status, refused->issues);
  ops::Sources from{registry_.terminology(),
                    [&](const std::string& t, std::string_view reference) { return stored_canonical(call, t, reference); },
                    [&](const std::string& t, const Params& criteria) { return stored_matches(call, t, criteria); }};
  from.definitions = &definitions_;
  Result r = operation == "$expand"      ? ops::expand(from, id, in)
             : operation == "$lookup"    ? ops::lookup(from, in)
             : operation == "$subsumes"  ? ops::subsumes(from, id, in)
             : operation == "$translate" ? ops::translate(from, id, in)
             : type == "ValueSet"        ? ops::validate_in_value_set(from, id, in)
                                         : ops::validate_in_code_system(from, id, in);
  if (r.status >= 400) return outcome(call, r.status, std::move(r.issues));
  return respond(call, 200, r.resource_json);
}

}  // namespace carebridge::gateway::rest
