// CodeSystem $lookup, $validate-code and $subsumes (R4 terminology-service.html) over the
// definitions' code systems and those clients stored; ValueSet's operations and the dispatch
// are in terminology_operations.cpp, $translate in concept_map_operations.cpp.
#include <algorithm>
#include <optional>

#include "gateway/rest/service_call.h"
#include "gateway/rest/terminology_support.h"

namespace carebridge::gateway::rest::terminology_ops {
namespace {

// The code system an operation works on: the stored one the instance names, the body's, or the
// one `wanted` ("url" or "url|version") names: the definitions', else a stored one.
std::optional<Result> code_system_of(Sources& from, const std::string& id, const OperationInput& in, const std::string& wanted,
                                     const terminology::CodeSystem*& out) {
  std::string json;
  if (auto refused = from.given("CodeSystem", id, in, json)) return refused;
  if (json.empty()) {
    if (wanted.empty()) return failure(400, "required", "the operation needs the code system: a system (or url) parameter or a coding");
    if ((out = from.code_system(wanted))) return std::nullopt;
    return failure(404, "not-found", "the code system " + wanted + " is not known here");
  }
  Result read = from.read_code_system(json, out);
  if (read.status >= 400) return read;
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

void write_designation(Writer& w, const terminology::Designation& d) {
  start_group(w, "designation");
  if (!d.language.empty()) parameter(w, "language", "valueCode", d.language);
  if (!d.use_code.empty()) coding_parameter(w, "use", d.use_system, d.use_code, d.use_display);
  parameter(w, "value", "valueString", d.value);
  end_group(w);
}

// A property part with its value in the type the code system gives it (valueString when unsaid).
void write_property(Writer& w, const terminology::CodeSystem& cs, std::string_view code, std::string_view value) {
  start_group(w, "property");
  parameter(w, "code", "valueCode", code);
  auto type = cs.property_types.find(code);
  std::string_view key = type == cs.property_types.end() ? "valueString" : std::string_view(type->second);
  if (key == "valueCoding") {
    coding_parameter(w, "value", "", value, "");
  } else {
    parameter(w, "value", std::string(key).c_str(), value);
  }
  end_group(w);
}

// The properties $lookup answers: those asked for (parent and child from the hierarchy), else all the concept's.
void write_properties(Writer& w, const terminology::CodeSystem& cs, const terminology::Concept& c, const std::vector<std::string>& asked) {
  auto wanted = [&](std::string_view name) { return asked.empty() || std::find(asked.begin(), asked.end(), name) != asked.end(); };
  for (const auto& [code, value] : c.properties)
    if (wanted(code) && code != "parent" && code != "child") write_property(w, cs, code, value);
  if (asked.empty()) return;
  for (auto [name, links] : {std::pair<const char*, const std::vector<uint32_t>*>{"parent", &c.parents}, {"child", &c.children}}) {
    if (!wanted(name)) continue;
    for (uint32_t at : *links) {
      start_group(w, "property");
      parameter(w, "code", "valueCode", name);
      parameter(w, "value", "valueCode", cs.concepts[at].code);
      end_group(w);
    }
  }
}

}  // namespace

// CodeSystem $lookup: the code's name, version, display, designations and properties.
Result lookup(Sources& from, const OperationInput& in) {
  auto concepts = concepts_asked(in, "system", "version");
  if (concepts.empty() || concepts.front().code.empty()) return failure(400, "required", "$lookup needs a code (with its system) or a coding");
  const CodingIn& c = concepts.front();
  if (c.system.empty()) return failure(400, "required", "$lookup needs the code's system");
  const terminology::CodeSystem* cs = nullptr;
  if (auto refused = code_system_of(from, "", in, canonical(c.system, c.version), cs)) return std::move(*refused);
  const terminology::Concept* found = nullptr;
  if (auto refused = concept_in(*cs, c.code, found)) return std::move(*refused);
  std::vector<std::string> asked = in.all("property");
  return parameters([&](Writer& w) {
    parameter(w, "name", "valueString", cs->name.empty() ? cs->url : cs->name);
    if (!cs->version.empty()) parameter(w, "version", "valueString", cs->version);
    if (!found->display().empty()) parameter(w, "display", "valueString", found->display());
    if (found->abstract()) boolean_parameter(w, "abstract", true);
    for (const auto& d : found->designations) write_designation(w, d);
    write_properties(w, *cs, *found, asked);
  });
}

// CodeSystem $validate-code: whether the code (or a coding of the concept) is one of the
// system's, and its display right.
Result validate_in_code_system(Sources& from, const std::string& id, const OperationInput& in) {
  std::vector<CodingIn> concepts;
  if (auto refused = concepts_with_codes(in, "url", "version", "$validate-code", "validated", concepts)) return std::move(*refused);
  std::string url(param(in.params, "url"));
  const terminology::CodeSystem* cs = nullptr;
  std::string wanted = canonical(url.empty() ? concepts.front().system : url, param(in.params, "version"));
  if (auto refused = code_system_of(from, id, in, wanted, cs)) return std::move(*refused);
  std::string why;
  std::optional<Result> wrong_display;  // a concept is valid when any of its codings is (R4)
  for (const CodingIn& c : concepts) {
    if (c.parameter != "code" && !c.system.empty() && c.system.substr(0, c.system.find('|')) != cs->url) continue;
    const terminology::Concept* found = nullptr;
    if (auto refused = concept_in(*cs, c.code, found)) {
      if (refused->status != 404) return std::move(*refused);
      why = refused->issues.front().message;
      continue;
    }
    std::string problem = display_problem(*cs, *found, c.display);
    if (problem.empty()) return validation_answer(true, "", found->display());
    if (!wrong_display) wrong_display = validation_answer(false, problem, found->display());
  }
  if (wrong_display) return std::move(*wrong_display);
  return validation_answer(false, why.empty() ? "no coding of " + cs->url + " was given" : why, "");
}

// CodeSystem $subsumes: how codeA (or codingA) relates to codeB (or codingB) in the system's hierarchy.
Result subsumes(Sources& from, const std::string& id, const OperationInput& in) {
  auto a_codings = in.codings_named("codingA"), b_codings = in.codings_named("codingB");
  std::string code_a(param(in.params, "codeA")), code_b(param(in.params, "codeB"));
  std::string system(param(in.params, "system")), version(param(in.params, "version"));
  for (const auto* codings : {&a_codings, &b_codings}) {
    if (codings->empty()) continue;
    const CodingIn& c = codings->front();
    if (!system.empty() && !c.system.empty() && c.system != system)
      return failure(400, "invalid", "$subsumes compares codes of one code system, not of " + system + " and " + c.system);
    if (system.empty()) system = c.system;
    if (version.empty()) version = c.version;
    (codings == &a_codings ? code_a : code_b) = c.code;
  }
  if (code_a.empty() || code_b.empty()) return failure(400, "required", "$subsumes needs codeA and codeB (or codingA and codingB)");
  const terminology::CodeSystem* cs = nullptr;
  if (auto refused = code_system_of(from, id, in, canonical(system, version), cs)) return std::move(*refused);
  const terminology::Concept *a = nullptr, *b = nullptr;
  if (auto refused = concept_in(*cs, code_a, a)) return std::move(*refused);
  if (auto refused = concept_in(*cs, code_b, b)) return std::move(*refused);
  auto at = [&](const terminology::Concept* c) { return static_cast<uint32_t>(c - cs->concepts.data()); };
  std::string outcome = a == b                               ? "equivalent"
                        : cs->ancestors(at(b), false)[at(a)] ? "subsumes"
                        : cs->ancestors(at(a), false)[at(b)] ? "subsumed-by"
                                                             : "not-subsumed";
  return parameters([&](Writer& w) { parameter(w, "outcome", "valueCode", outcome); });
}

}  // namespace carebridge::gateway::rest::terminology_ops
