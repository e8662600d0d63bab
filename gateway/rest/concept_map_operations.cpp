// ConceptMap $translate (R4 conceptmap-operation-translate.html): the code, coding or each
// coding of a codeableConcept through the map the instance, the body or `url` names, or, with
// none named, through every map held from the code's system (as HAPI FHIR does); `reverse`
// translates from the maps' targets back to their sources.
#include <algorithm>
#include <optional>

#include "gateway/rest/service_call.h"
#include "gateway/rest/terminology_support.h"

namespace carebridge::gateway::rest::terminology_ops {
namespace {

void write_match(Writer& w, const terminology::TranslationMatch& m) {
  start_group(w, "match");
  if (!m.equivalence.empty()) parameter(w, "equivalence", "valueCode", m.equivalence);
  if (!m.code.empty()) coding_parameter(w, "concept", m.system, m.code, m.display);
  if (!m.source.empty()) parameter(w, "source", "valueUri", m.source);
  end_group(w);
}

bool maps_from(const terminology::ConceptMap& map, std::string_view system, bool reverse) {
  for (const auto& g : map.groups)
    if ((reverse ? g.target : g.source) == system) return true;
  return false;
}

// The maps to translate with, read into `held` (those not the definitions').
std::optional<Result> maps_of(Sources& from, const std::string& id, const OperationInput& in, std::string_view system, bool reverse,
                              std::vector<terminology::ConceptMap>& held, std::vector<const terminology::ConceptMap*>& out) {
  std::vector<std::string> texts;
  std::string url = canonical(param(in.params, "url"), param(in.params, "conceptMapVersion")), given;
  if (auto refused = from.given("ConceptMap", id, in, given)) return refused;
  if (!given.empty()) {
    texts.push_back(std::move(given));
  } else if (!url.empty()) {
    const terminology::ConceptMap* core = from.terms.concept_map(url.substr(0, url.find('|')));
    if (core && names_version(url, core->version)) {
      out.push_back(core);
    } else if (auto stored = from.stored("ConceptMap", url)) {
      texts.push_back(std::move(*stored));
    } else {
      return failure(404, "not-found", "no ConceptMap " + url + " is known here");
    }
  } else {  // every map held from the system (to it, reversed)
    for (const terminology::ConceptMap* core : from.terms.concept_maps())
      if (maps_from(*core, system, reverse)) out.push_back(core);
    texts = from.search("ConceptMap", {{reverse ? "target-system" : "source-system", std::string(system)}});
  }
  for (const std::string& text : texts) {
    auto read = terminology::read_concept_map(text);
    if (!read) return failure(422, "invalid", "the concept map cannot be read: " + read.message());
    held.push_back(std::move(*read));
  }
  for (const auto& map : held) out.push_back(&map);
  return std::nullopt;
}

}  // namespace

// ConceptMap $translate: the targets the maps give for the concept.
Result translate(Sources& from, const std::string& id, const OperationInput& in) {
  std::vector<CodingIn> concepts;
  if (auto refused = concepts_with_codes(in, "system", "version", "$translate", "translated", concepts)) return std::move(*refused);
  bool reverse = param(in.params, "reverse") == "true";
  std::string system = concepts.front().system.substr(0, concepts.front().system.find('|'));
  std::vector<terminology::ConceptMap> held;
  std::vector<const terminology::ConceptMap*> maps;
  if (auto refused = maps_of(from, id, in, system, reverse, held, maps)) return std::move(*refused);
  if (id.empty() && in.resource_json.empty() && param(in.params, "url").empty() && system.empty())
    return failure(400, "required", "$translate without a concept map needs the code's system");
  terminology::Translation all;
  for (const terminology::ConceptMap* map : maps) {
    std::optional<terminology::ConceptMap> reversed;
    if (reverse) reversed = terminology::reversed(*map);
    for (const CodingIn& c : concepts) {
      terminology::TranslateRequest request{c.system, c.code, param(in.params, "targetsystem")};
      auto translated = from.terms.translate(reversed ? *reversed : *map, request);
      if (!translated) return failure(400, translated.issues().front().code, translated.message());
      all.result = all.result || translated->result;
      for (auto& m : translated->matches) all.matches.push_back(std::move(m));
    }
  }
  const CodingIn& first = concepts.front();
  return parameters([&](Writer& w) {
    boolean_parameter(w, "result", all.result);
    if (!all.result) parameter(w, "message", "valueString", "no concept map held gives a target for " + first.system + "|" + first.code);
    for (const auto& m : all.matches) write_match(w, m);
  });
}

}  // namespace carebridge::gateway::rest::terminology_ops
