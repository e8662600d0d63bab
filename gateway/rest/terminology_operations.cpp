// The terminology operations of FHIR R4 (terminology-service.html) over the code systems,
// value sets and concept maps the server's definitions hold (the core and its packages) and
// those a client stored: ValueSet $expand and $validate-code, CodeSystem $lookup,
// $validate-code and $subsumes, ConceptMap $translate. Parameters come from the query or, on
// a POST, from a Parameters body (JSON or XML), which may also carry the resource to work on
// (valueSet, codeSystem, conceptMap) and the concept as a coding or codeableConcept. What
// cannot be answered from what is held (a value set that includes all of LOINC, a code
// system not loaded) is said so (422), never answered as "not a member".
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>

#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "fhir/terminology/terminology.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {
namespace {

namespace terminology = fhir::terminology;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct CodingIn {
  std::string system, code, display;
  std::string parameter;  // the Parameters name it came in ("coding", "codeableConcept", "codingA")
};

// What an operation was asked: its primitive parameters, the concepts it names (a coding, or
// each coding of a codeableConcept) and the resource given in the body.
struct OperationInput {
  Params params;
  std::vector<CodingIn> codings;
  std::string resource_json;  // valueSet, codeSystem or conceptMap, as JSON
};

std::string text_of(const fhir::model::Element* parent, std::string_view name) {
  const fhir::model::Element* child = parent ? parent->child(name) : nullptr;
  return child && child->has_value ? std::string(child->value) : std::string();
}

void add_coding(const fhir::model::Element& coding, const std::string& parameter, std::vector<CodingIn>& out) {
  out.push_back({text_of(&coding, "system"), text_of(&coding, "code"), text_of(&coding, "display"), parameter});
}

// One parameter of a Parameters body into `in`.
void read_parameter(const fhir::model::Element& parameter, OperationInput& in) {
  std::string name = text_of(&parameter, "name");
  for (const fhir::model::Element* v = parameter.first_child; v; v = v->next) {
    if (v->base_name() == "resource" && (name == "valueSet" || name == "codeSystem" || name == "conceptMap")) {
      in.resource_json = fhir::json::write(*v, {false});
    } else if (v->base_name() == "value" && v->type == "Coding") {
      add_coding(*v, name, in.codings);
    } else if (v->base_name() == "value" && v->type == "CodeableConcept") {
      for (const fhir::model::Element* c = v->first_child; c; c = c->next)
        if (c->name == "coding") add_coding(*c, name, in.codings);
    } else if (v->base_name() == "value" && v->has_value) {
      in.params.emplace_back(name, std::string(v->value));
    }
  }
}

// The query's parameters and a POST's Parameters body; a body that is no Parameters is refused.
std::optional<Result> read_input(const http::Request& request, const Params& query,
                                 const fhir::definitions::Definitions& definitions, OperationInput& in) {
  in.params = query;
  if (request.method != "POST" || request.body.empty()) return std::nullopt;
  auto parsed = fhir::io::read(request.body, definitions);
  const fhir::model::Element* root = parsed.document ? parsed.document->root() : nullptr;
  if (!root || root->type != "Parameters")
    return failure(400, "structure", "the body of a terminology operation is a Parameters resource (JSON or XML)");
  for (const fhir::model::Element* p = root->first_child; p; p = p->next)
    if (p->base_name() == "parameter") read_parameter(*p, in);
  return std::nullopt;
}

// The concepts asked about: the code (with `system_param` and display) parameters, else each
// coding given as `coding` or in `codeableConcept`.
std::vector<CodingIn> concepts_asked(const OperationInput& in, std::string_view system_param) {
  if (!param(in.params, "code").empty()) {
    return {{std::string(param(in.params, system_param)), std::string(param(in.params, "code")),
             std::string(param(in.params, "display")), "code"}};
  }
  std::vector<CodingIn> out;
  for (const CodingIn& c : in.codings)
    if (c.parameter == "coding" || c.parameter == "codeableConcept") out.push_back(c);
  return out;
}

// The one concept an operation asks about (its first), or an empty one.
CodingIn asked_concept(const OperationInput& in, std::string_view system_param) {
  auto concepts = concepts_asked(in, system_param);
  return concepts.empty() ? CodingIn{} : concepts.front();
}

// The code of the parameter `code_param` ("codeA"), else of the coding `coding_param` ("codingA").
CodingIn named_concept(const OperationInput& in, std::string_view code_param, std::string_view coding_param) {
  if (auto code = param(in.params, code_param); !code.empty()) return {std::string(param(in.params, "system")), std::string(code), "", ""};
  for (const CodingIn& c : in.codings)
    if (c.parameter == coding_param) return c;
  return {};
}

Result parameters(const std::function<void(Writer&)>& members) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("resourceType");
  w.String("Parameters");
  w.Key("parameter");
  w.StartArray();
  members(w);
  w.EndArray();
  w.EndObject();
  Result r;
  r.status = 200;
  r.resource_json = buffer.GetString();
  return r;
}

void parameter(Writer& w, const char* name, const char* type, std::string_view value) {
  w.StartObject();
  w.Key("name");
  w.String(name);
  w.Key(type);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  w.EndObject();
}

void boolean_parameter(Writer& w, const char* name, bool value) {
  w.StartObject();
  w.Key("name");
  w.String(name);
  w.Key("valueBoolean");
  w.Bool(value);
  w.EndObject();
}

void coding_value(Writer& w, std::string_view system, std::string_view code, std::string_view display) {
  w.StartObject();
  for (auto [key, value] : {std::pair<const char*, std::string_view>{"system", system}, {"code", code}, {"display", display}}) {
    if (value.empty()) continue;
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  w.EndObject();
}

// A $validate-code answer: result, and the message and display when there are.
Result validation_answer(bool result, const std::string& message, std::string_view display) {
  return parameters([&](Writer& w) {
    boolean_parameter(w, "result", result);
    if (!message.empty()) parameter(w, "message", "valueString", message);
    if (!display.empty()) parameter(w, "display", "valueString", display);
  });
}

// What a display given for a concept found in `cs` adds to a $validate-code answer: "" when right.
std::string display_problem(const terminology::CodeSystem& cs, const terminology::Concept& found, std::string_view display) {
  switch (terminology::compare_display(cs, found, display)) {
    case terminology::DisplayMatch::same:
    case terminology::DisplayMatch::cut_short:  // may be right: the system's displays are cut short
      return "";
    case terminology::DisplayMatch::whitespace:
    case terminology::DisplayMatch::wrong:
      break;
  }
  return "the display '" + std::string(display) + "' for " + cs.url + "#" + found.code + " is not right: it is '" +
         std::string(found.display()) + "'";
}

}  // namespace

bool FhirService::is_terminology_operation(const std::string& type, const std::string& operation) {
  if (type == "ValueSet") return operation == "$expand" || operation == "$validate-code";
  if (type == "CodeSystem") return operation == "$lookup" || operation == "$validate-code" || operation == "$subsumes";
  return type == "ConceptMap" && operation == "$translate";
}

namespace {

// What the operations read from: the definitions' terminology, and the resources of a type
// a client stored, by canonical URL or "Type/id", as the caller sees them.
struct Sources {
  const terminology::Terminology& terms;
  std::function<std::optional<std::string>(const std::string& type, std::string_view reference)> stored;
};

// The JSON of the `type` resource an operation works on: the stored one the instance names, the
// body's (`in.resource_json`), or the one `url` names — left empty when `held(url)` says the
// definitions hold it, else the stored one. `asked` says how to name it ("a url parameter").
std::optional<Result> resource_json_of(const Sources& from, const std::string& type, const std::string& id,
                                       const OperationInput& in, const std::string& url, const std::string& asked,
                                       const std::function<bool()>& held, std::string& json) {
  json = in.resource_json;
  if (!id.empty()) {
    auto stored = from.stored(type, type + "/" + id);
    if (!stored) return failure(404, "not-found", type + "/" + id + " is not known");
    json = std::move(*stored);
  } else if (json.empty()) {
    if (url.empty()) return failure(400, "required", "the operation needs the " + type + ": " + asked);
    if (held()) return std::nullopt;
    auto stored = from.stored(type, url);
    if (!stored) return failure(404, "not-found", "no " + type + " " + url + " is known here");
    json = std::move(*stored);
  }
  return std::nullopt;
}

// The value set an operation works on (resource_json_of, `url` the parameter). `own` holds it when
// it was expanded here.
std::optional<Result> value_set_of(const Sources& from, const std::string& id, const OperationInput& in,
                                   std::optional<terminology::Expansion>& own, const terminology::Expansion*& out) {
  std::string url(param(in.params, "url")), json;
  auto held = [&] { return (out = from.terms.expansion(url)) != nullptr; };
  if (auto refused = resource_json_of(from, "ValueSet", id, in, url, "a url parameter or a valueSet resource", held, json)) return refused;
  if (json.empty()) return std::nullopt;
  auto expanded = from.terms.expand(json);
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

struct Member {
  std::string_view system, code, display;
  uint32_t order;  // where the code system lists it (codes it does not list last, by code)
};

// The members, system by system and each system's codes in the order it lists them.
std::vector<Member> members_of(const terminology::Expansion& vs, const terminology::Terminology& terms) {
  std::vector<Member> out;
  for (const auto& [system, codes] : vs.codes) {
    const terminology::CodeSystem* cs = terms.code_system(system);
    for (const std::string& code : codes) {
      uint32_t at = cs ? cs->find(code) : terminology::CodeSystem::kNone;
      out.push_back({system, code, at == terminology::CodeSystem::kNone ? std::string_view() : cs->concepts[at].display(), at});
    }
  }
  std::sort(out.begin(), out.end(), [](const Member& a, const Member& b) {
    return std::tie(a.system, a.order, a.code) < std::tie(b.system, b.order, b.code);
  });
  return out;
}

bool contains_folded(std::string_view text, const std::string& lower_needle) {
  if (lower_needle.empty()) return true;
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(lower_needle) != std::string::npos;
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

}  // namespace
namespace {

constexpr size_t kMaxListed = 10000;  // members listed without count and offset

void write_expansion(Writer& w, const std::vector<const Member*>& page, size_t total, size_t offset,
                     const std::string& filter) {
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
  if (!filter.empty()) {
    w.Key("parameter");
    w.StartArray();
    parameter(w, "filter", "valueString", filter);
    w.EndArray();
  }
  if (!page.empty()) {
    w.Key("contains");
    w.StartArray();
    for (const Member* m : page) coding_value(w, m->system, m->code, m->display);
    w.EndArray();
  }
  w.EndObject();
}

// ValueSet $expand: the members, filtered by text (code or display) and paged by count and offset.
Result expand(const Sources& from, const std::string& id, const OperationInput& in) {
  std::optional<terminology::Expansion> own;
  const terminology::Expansion* vs = nullptr;
  if (auto refused = value_set_of(from, id, in, own, vs)) return std::move(*refused);
  if (std::string why = not_listable(*vs); !why.empty()) return failure(422, "too-costly", "the value set cannot be expanded: " + why);
  auto count = whole_number(in.params, "count", kMaxListed), offset = whole_number(in.params, "offset", 0);
  if (!count || !offset) return failure(400, "invalid", "count and offset must be whole numbers");
  std::string filter(param(in.params, "filter")), folded = filter;
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<Member> all = members_of(*vs, from.terms);
  std::vector<const Member*> matching;
  for (const Member& m : all)
    if (contains_folded(m.code, folded) || contains_folded(m.display, folded)) matching.push_back(&m);
  if (!has_param(in.params, "count") && matching.size() > kMaxListed) {
    return failure(422, "too-costly", "the value set has " + std::to_string(matching.size()) +
                                          " members: ask for them in pages with count and offset");
  }
  size_t from_at = std::min(*offset, matching.size()), to = std::min(matching.size(), from_at + std::min(*count, kMaxListed));
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("resourceType");
  w.String("ValueSet");
  if (!vs->url.empty()) {
    w.Key("url");
    w.String(vs->url.c_str());
  }
  if (!vs->name.empty()) {
    w.Key("name");
    w.String(vs->name.c_str());
  }
  w.Key("status");
  w.String("active");
  write_expansion(w, {matching.begin() + from_at, matching.begin() + to}, matching.size(), *offset, filter);
  w.EndObject();
  Result r;
  r.status = 200;
  r.resource_json = buffer.GetString();
  return r;
}

// What one concept of a $validate-code comes to.
struct Verdict {
  enum Kind { valid, wrong_display, not_in, unknown } kind;
  std::string message, display;
};

// The answer to a $validate-code of several concepts (a codeableConcept's codings): true when
// any is valid (R4); else a wrong display, then "not in"; 422 when nothing could be told (`why`).
Result answer(const std::vector<Verdict>& verdicts, const std::string& why) {
  for (Verdict::Kind kind : {Verdict::valid, Verdict::wrong_display, Verdict::not_in}) {
    for (const Verdict& v : verdicts)
      if (v.kind == kind) return validation_answer(kind == Verdict::valid, v.message, v.display);
  }
  return failure(422, "not-supported", why);
}

Verdict judge_in_value_set(const terminology::Expansion& vs, const terminology::Terminology& terms, CodingIn c) {
  if (c.system.empty()) {  // a bare code: of the system the value set lists it under
    for (const auto& [system, codes] : vs.codes) {
      if (!system.empty() && codes.contains(c.code)) {
        c.system = system;
        break;
      }
    }
  }
  std::string named = c.system + (c.system.empty() ? "" : "|") + c.code;
  auto member = c.system.empty() ? vs.contains_code(c.code) : vs.contains(c.system, c.code);
  if (member == terminology::Membership::not_in) return {Verdict::not_in, named + " is not in the value set " + vs.url, ""};
  if (member == terminology::Membership::unknown) return {Verdict::unknown, "", ""};
  auto found = terms.lookup(c.system, c.code);
  if (found.status == terminology::LookupStatus::not_found)
    return {Verdict::not_in, "'" + c.code + "' is not a code of " + c.system, ""};
  if (!found.entry) {  // listed by the value set itself, or in a part only open here (a system not loaded)
    auto listed = vs.codes.find(c.system);
    bool is_listed = listed != vs.codes.end() && listed->second.contains(c.code);
    return {is_listed ? Verdict::valid : Verdict::unknown, "", ""};
  }
  std::string problem = display_problem(*found.code_system, *found.entry, c.display);
  return {problem.empty() ? Verdict::valid : Verdict::wrong_display, problem, std::string(found.display())};
}

// ValueSet $validate-code: whether the code (or any coding of the concept) is in the value set,
// and its display right.
Result validate_in_value_set(const Sources& from, const std::string& id, const OperationInput& in) {
  std::optional<terminology::Expansion> own;
  const terminology::Expansion* vs = nullptr;
  if (auto refused = value_set_of(from, id, in, own, vs)) return std::move(*refused);
  auto concepts = concepts_asked(in, "system");
  if (concepts.empty()) return failure(400, "required", "$validate-code needs a code (with its system), a coding or a codeableConcept");
  std::vector<Verdict> verdicts;
  for (const CodingIn& c : concepts) verdicts.push_back(judge_in_value_set(*vs, from.terms, c));
  std::string why = not_listable(*vs);
  return answer(verdicts, "whether " + concepts.front().code + " is in the value set cannot be told here" +
                              (why.empty() ? ": its code system is not loaded" : ": " + why));
}

}  // namespace
namespace {

// The code system an operation works on (resource_json_of). `own` holds it when it was read here.
std::optional<Result> code_system_of(const Sources& from, const std::string& id, const OperationInput& in, const std::string& url,
                                     std::optional<terminology::CodeSystem>& own, const terminology::CodeSystem*& out) {
  std::string json;
  auto held = [&] { return (out = from.terms.code_system(url)) != nullptr; };
  if (auto refused = resource_json_of(from, "CodeSystem", id, in, url, "a system (or url) parameter or a coding", held, json))
    return refused;
  if (json.empty()) return std::nullopt;
  auto read = terminology::read_code_system(json);
  if (!read) return failure(422, "invalid", "the code system cannot be read: " + read.message());
  own = std::move(*read);
  out = &*own;
  return std::nullopt;
}

// The concept `code` of `cs`, or the answer when it is not there: 404 when the system is held
// whole, else 422 (it may be a code of the part not held).
std::optional<Result> concept_in(const terminology::CodeSystem& cs, const std::string& code, const terminology::Concept*& out) {
  if (code.empty()) return failure(400, "required", "the operation needs a code");
  if ((out = cs.concept_of(code))) return std::nullopt;
  if (cs.complete()) return failure(404, "not-found", "'" + code + "' is not a code of " + cs.url);
  return failure(422, "not-supported", "'" + code + "' is not among the codes of " + cs.url + " held here, which are not all of them");
}

void part(Writer& w, const char* name, const char* type, std::string_view value) { parameter(w, name, type, value); }

// CodeSystem $lookup: the code's name, display, designations and properties.
Result lookup(const Sources& from, const OperationInput& in) {
  CodingIn c = asked_concept(in, "system");
  std::optional<terminology::CodeSystem> own;
  const terminology::CodeSystem* cs = nullptr;
  if (auto refused = code_system_of(from, "", in, c.system, own, cs)) return std::move(*refused);
  const terminology::Concept* found = nullptr;
  if (auto refused = concept_in(*cs, c.code, found)) return std::move(*refused);
  return parameters([&](Writer& w) {
    parameter(w, "name", "valueString", cs->name.empty() ? cs->url : cs->name);
    if (!found->display().empty()) parameter(w, "display", "valueString", found->display());
    for (size_t i = 1; i < found->displays.size(); ++i) {
      w.StartObject();
      w.Key("name");
      w.String("designation");
      w.Key("part");
      w.StartArray();
      part(w, "value", "valueString", found->displays[i]);
      w.EndArray();
      w.EndObject();
    }
    for (const auto& [code, value] : found->properties) {
      w.StartObject();
      w.Key("name");
      w.String("property");
      w.Key("part");
      w.StartArray();
      part(w, "code", "valueCode", code);
      part(w, "value", "valueString", value);
      w.EndArray();
      w.EndObject();
    }
  });
}

// CodeSystem $validate-code: whether the code is one of the system's, and its display right.
Result validate_in_code_system(const Sources& from, const std::string& id, const OperationInput& in) {
  auto concepts = concepts_asked(in, "url");
  if (concepts.empty()) return failure(400, "required", "$validate-code needs a code, a coding or a codeableConcept");
  std::string url(param(in.params, "url"));
  std::optional<terminology::CodeSystem> own;
  const terminology::CodeSystem* cs = nullptr;
  std::string system = url.empty() ? concepts.front().system : url;
  if (auto refused = code_system_of(from, id, in, system, own, cs)) return std::move(*refused);
  std::vector<Verdict> verdicts;
  for (const CodingIn& c : concepts) {
    if (!c.system.empty() && c.system != cs->url && c.system != system) continue;  // a coding of another system
    const terminology::Concept* found = nullptr;
    if (auto refused = concept_in(*cs, c.code, found)) {
      verdicts.push_back({refused->status == 404 ? Verdict::not_in : Verdict::unknown, refused->issues.front().message, ""});
      continue;
    }
    std::string problem = display_problem(*cs, *found, c.display);
    verdicts.push_back({problem.empty() ? Verdict::valid : Verdict::wrong_display, problem, std::string(found->display())});
  }
  if (verdicts.empty()) return validation_answer(false, "no code of " + cs->url + " was given", "");
  return answer(verdicts, "whether the code is one of " + cs->url + " cannot be told here: the system is not held whole");
}

// CodeSystem $subsumes: how codeA relates to codeB in the system's hierarchy.
Result subsumes(const Sources& from, const std::string& id, const OperationInput& in) {
  std::optional<terminology::CodeSystem> own;
  const terminology::CodeSystem* cs = nullptr;
  CodingIn first = named_concept(in, "codeA", "codingA"), second = named_concept(in, "codeB", "codingB");
  std::string system = first.system.empty() ? second.system : first.system;
  if (!first.system.empty() && !second.system.empty() && first.system != second.system)
    return failure(400, "invalid", "codingA and codingB are of different code systems");
  if (auto refused = code_system_of(from, id, in, system, own, cs)) return std::move(*refused);
  const terminology::Concept *a = nullptr, *b = nullptr;
  if (auto refused = concept_in(*cs, first.code, a)) return std::move(*refused);
  if (auto refused = concept_in(*cs, second.code, b)) return std::move(*refused);
  auto at = [&](const terminology::Concept* c) { return static_cast<uint32_t>(c - cs->concepts.data()); };
  std::string outcome = a == b                           ? "equivalent"
                        : cs->ancestors(at(b), false)[at(a)] ? "subsumes"
                        : cs->ancestors(at(a), false)[at(b)] ? "subsumed-by"
                                                             : "not-subsumed";
  return parameters([&](Writer& w) { parameter(w, "outcome", "valueCode", outcome); });
}

}  // namespace
namespace {

void write_match(Writer& w, const terminology::TranslationMatch& m) {
  w.StartObject();
  w.Key("name");
  w.String("match");
  w.Key("part");
  w.StartArray();
  if (!m.equivalence.empty()) parameter(w, "equivalence", "valueCode", m.equivalence);
  if (!m.code.empty()) {
    w.StartObject();
    w.Key("name");
    w.String("concept");
    w.Key("valueCoding");
    coding_value(w, m.system, m.code, m.display);
    w.EndObject();
  }
  if (!m.source.empty()) parameter(w, "source", "valueUri", m.source);
  w.EndArray();
  w.EndObject();
}

// The concept map $translate works on (resource_json_of). `own` holds it when it was read here.
std::optional<Result> concept_map_of(const Sources& from, const std::string& id, const OperationInput& in,
                                     std::optional<terminology::ConceptMap>& own, const terminology::ConceptMap*& out) {
  std::string url(param(in.params, "url")), json;
  auto held = [&] { return (out = from.terms.concept_map(url)) != nullptr; };
  if (auto refused = resource_json_of(from, "ConceptMap", id, in, url, "a url parameter or a conceptMap resource", held, json))
    return refused;
  if (json.empty()) return std::nullopt;
  auto read = terminology::read_concept_map(json);
  if (!read) return failure(422, "invalid", "the concept map cannot be read: " + read.message());
  own = std::move(*read);
  out = &*own;
  return std::nullopt;
}

bool maps_to(const std::string& equivalence) { return equivalence != "unmatched" && equivalence != "disjoint"; }

// reverse=true: the source codes `map` maps to the code (of the groups whose target is its
// system; `source_system`, the targetsystem parameter, keeps the groups from that system).
terminology::Translation reverse_translation(const terminology::ConceptMap& map, const CodingIn& c, std::string_view source_system) {
  terminology::Translation out;
  for (const auto& group : map.groups) {
    if (!c.system.empty() && !group.target.empty() && group.target != c.system) continue;
    if (!source_system.empty() && group.source != source_system) continue;
    for (const auto& element : group.elements) {
      for (const auto& target : element.targets) {
        if (target.code != c.code) continue;
        terminology::TranslationMatch m;
        m.system = group.source;
        m.code = element.code;
        m.display = element.display;
        m.equivalence = target.equivalence;
        m.source = map.url;
        out.result = out.result || maps_to(m.equivalence);
        out.matches.push_back(std::move(m));
      }
    }
  }
  return out;
}

// Keeps the matches whose concept is in the value set `target` names (the definitions', else a stored one).
std::optional<Result> keep_in_target(const Sources& from, std::string_view target, terminology::Translation& t) {
  if (target.empty()) return std::nullopt;
  std::optional<terminology::Expansion> own;
  const terminology::Expansion* vs = from.terms.expansion(target);
  if (!vs) {
    auto stored = from.stored("ValueSet", target);
    auto expanded = stored ? from.terms.expand(*stored) : carebridge::Result<terminology::Expansion>::failure("not-found", "");
    if (!expanded) return failure(404, "not-found", "no ValueSet " + std::string(target) + " (the target) is known here");
    own = std::move(*expanded);
    vs = &*own;
  }
  std::erase_if(t.matches, [&](const terminology::TranslationMatch& m) {
    return !m.code.empty() && vs->contains(m.system, m.code) == terminology::Membership::not_in;
  });
  t.result = std::any_of(t.matches.begin(), t.matches.end(),
                         [](const terminology::TranslationMatch& m) { return !m.code.empty() && maps_to(m.equivalence); });
  return std::nullopt;
}

// ConceptMap $translate: the targets the map gives for the code (or, reverse, the codes it maps to it).
Result translate(const Sources& from, const std::string& id, const OperationInput& in) {
  CodingIn c = asked_concept(in, "system");
  std::optional<terminology::ConceptMap> own;
  const terminology::ConceptMap* map = nullptr;
  if (auto refused = concept_map_of(from, id, in, own, map)) return std::move(*refused);
  if (c.code.empty()) return failure(400, "required", "$translate needs a code (with its system), a coding or a codeableConcept");
  std::string_view target_system = param(in.params, "targetsystem");
  bool reverse = param(in.params, "reverse") == "true";
  auto translated = reverse ? carebridge::Result<terminology::Translation>(reverse_translation(*map, c, target_system))
                            : from.terms.translate(*map, {c.system, c.code, target_system});
  if (!translated) return failure(400, translated.issues().front().code, translated.message());
  if (auto refused = keep_in_target(from, param(in.params, "target"), *translated)) return std::move(*refused);
  return parameters([&](Writer& w) {
    boolean_parameter(w, "result", translated->result);
    if (!translated->result) parameter(w, "message", "valueString", "the concept map gives no target for " + c.system + "|" + c.code);
    for (const auto& m : translated->matches) write_match(w, m);
  });
}

}  // namespace

http::Response FhirService::terminology_operation(Call& call, const std::string& type, const std::string& id,
                                                  const std::string& operation) {
  const std::string& m = call.request.method;
  if (m != "GET" && m != "HEAD" && m != "POST") return not_allowed(call, "GET, HEAD, POST");
  if (auto refusal = refused(call, id.empty() ? security::Interaction::Search : security::Interaction::Read, type)) return *refusal;
  OperationInput in;
  if (auto refused = read_input(call.request, call.target.params, definitions_, in)) return outcome(call, refused->status, refused->issues);
  Sources from{registry_.terminology(), [&](const std::string& t, std::string_view reference) { return stored_canonical(call, t, reference); }};
  Result r = operation == "$expand"              ? expand(from, id, in)
             : operation == "$lookup"            ? lookup(from, in)
             : operation == "$subsumes"          ? subsumes(from, id, in)
             : operation == "$translate"         ? translate(from, id, in)
             : type == "ValueSet"                ? validate_in_value_set(from, id, in)
                                                 : validate_in_code_system(from, id, in);
  if (r.status >= 400) return outcome(call, r.status, std::move(r.issues));
  return respond(call, 200, r.resource_json);
}

}  // namespace carebridge::gateway::rest
