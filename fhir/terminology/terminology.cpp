// The Terminology facade (terminology.h): the caches of code systems, expansions and
// concept maps, the chain of value sets being expanded (a value set met again in its
// own chain is a cycle and counts as unknown), lookup, membership, subsumption and
// the $translate walk over groups and unmapped rules.
#include "fhir/terminology/terminology.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/terminology/json_fields.h"
#include "fhir/terminology/shared_cache.h"
#include "fhir/terminology/value_sets.h"

namespace carebridge::fhir::terminology {
namespace {

constexpr size_t kMaxChain = 32;  // value sets including value sets, concept maps deferring to others

bool in_chain(const std::vector<std::string>& chain, std::string_view url) {
  return std::find(chain.begin(), chain.end(), url) != chain.end();
}

bool maps(std::string_view equivalence) { return equivalence != "unmatched" && equivalence != "disjoint"; }

}  // namespace

struct Terminology::Impl {
  explicit Impl(const definitions::Definitions& d) : definitions(d) {}

  const definitions::Definitions& definitions;
  SharedCache<CodeSystem> code_systems;
  SharedCache<Expansion> expansions;
  SharedCache<ConceptMap> concept_maps;
  std::once_flag all_maps_read;
  std::vector<const ConceptMap*> all_maps;  // every map of the definitions (concept_maps())

  // Only what the definitions hold is cached: names from untrusted data do not grow the caches.
  const CodeSystem* code_system(std::string_view url) {
    if (auto hit = code_systems.find(url)) return *hit;
    const auto* resource = definitions.resource("CodeSystem", url);
    if (!resource) return nullptr;
    auto read = read_code_system(resource->json);
    return code_systems.publish(url, read ? std::make_unique<const CodeSystem>(std::move(*read)) : nullptr);
  }

  const Expansion* expansion(std::string_view url, std::vector<std::string>& chain) {
    if (auto hit = expansions.find(url)) return *hit;
    if (in_chain(chain, url) || chain.size() >= kMaxChain) return nullptr;
    std::unique_ptr<const Expansion> built;
    if (const auto* resource = definitions.resource("ValueSet", url)) {
      chain.emplace_back(url);
      ExpansionSources sources{[this](std::string_view system) { return code_system(system); },
                               [this, &chain](std::string_view nested) { return expansion(nested, chain); }};
      auto expanded = expand_value_set(resource->json, sources);
      chain.pop_back();
      if (expanded) built = std::make_unique<const Expansion>(std::move(*expanded));
    } else if (const CodeSystem* cs = code_system(url)) {
      built = std::make_unique<const Expansion>(whole_code_system(*cs));
    } else {
      return nullptr;
    }
    return expansions.publish(url, std::move(built));
  }

  const ConceptMap* concept_map(std::string_view url) {
    if (auto hit = concept_maps.find(url)) return *hit;
    const auto* resource = definitions.resource("ConceptMap", url);
    if (!resource) return nullptr;
    auto read = read_concept_map(resource->json);
    return concept_maps.publish(url, read ? std::make_unique<const ConceptMap>(std::move(*read)) : nullptr);
  }

  void translate(const ConceptMap& map, const TranslateRequest& request, Translation& out,
                 std::vector<std::string>& chain);
  void apply_unmapped(const ConceptMap& map, const ConceptMap::Group& group, const TranslateRequest& request,
                      Translation& out, std::vector<std::string>& chain);
};

void Terminology::Impl::translate(const ConceptMap& map, const TranslateRequest& request, Translation& out,
                                  std::vector<std::string>& chain) {
  std::string_view system = json::without_version(request.system);
  std::string_view target_system = json::without_version(request.target_system);
  for (const auto& group : map.groups) {
    // A group that does not say its source may map any system; one asked for a target must name it.
    if (!system.empty() && !group.source.empty() && group.source != system) continue;
    if (!target_system.empty() && group.target != target_system) continue;
    auto found = group.by_code.find(request.code);
    if (found == group.by_code.end()) {
      apply_unmapped(map, group, request, out, chain);
      continue;
    }
    for (uint32_t e : found->second) {
      for (const auto& t : group.elements[e].targets) {
        out.matches.push_back({group.target, t.code, t.display, t.equivalence, t.comment, t.depends_on, t.product,
                               map.url, ConceptMap::Unmapped::none});
      }
    }
  }
}

void Terminology::Impl::apply_unmapped(const ConceptMap& map, const ConceptMap::Group& group,
                                       const TranslateRequest& request, Translation& out,
                                       std::vector<std::string>& chain) {
  switch (group.unmapped) {
    case ConceptMap::Unmapped::none:
      return;
    case ConceptMap::Unmapped::provided:
      out.matches.push_back(
          {group.target, std::string(request.code), "", "equal", "", {}, {}, map.url, group.unmapped});
      return;
    case ConceptMap::Unmapped::fixed:
      out.matches.push_back(
          {group.target, group.unmapped_code, group.unmapped_display, "inexact", "", {}, {}, map.url, group.unmapped});
      return;
    case ConceptMap::Unmapped::other_map: {
      if (in_chain(chain, group.unmapped_url) || chain.size() >= kMaxChain) return;
      const ConceptMap* other = concept_map(group.unmapped_url);
      if (!other) return;
      chain.push_back(group.unmapped_url);
      translate(*other, request, out, chain);
      chain.pop_back();
      return;
    }
  }
}

Terminology::Terminology(const definitions::Definitions& definitions) : impl_(std::make_unique<Impl>(definitions)) {}
Terminology::~Terminology() = default;

const CodeSystem* Terminology::code_system(std::string_view url) const { return impl_->code_system(url); }

const Expansion* Terminology::expansion(std::string_view value_set) const {
  std::vector<std::string> chain;
  return impl_->expansion(value_set, chain);
}

Result<Expansion> Terminology::expand(std::string_view value_set_json) const { return expand(value_set_json, {}); }

Result<Expansion> Terminology::expand(std::string_view value_set_json, const ExtraSources& extra) const {
  std::vector<std::string> chain;
  std::vector<std::unique_ptr<const Expansion>> held;  // the extra value sets expanded for this one
  ExpansionSources sources;
  // The definitions' code system unless `extra` holds the other version asked for (the
  // definitions' cache is keyed by their own URLs only).
  sources.code_system = [&](std::string_view system) -> const CodeSystem* {
    const CodeSystem* cs = impl_->code_system(json::without_version(system));
    std::string_view version = system.substr(json::without_version(system).size());
    bool other_version = cs && version.size() > 1 && !cs->version.empty() && cs->version != version.substr(1);
    if (cs && !other_version) return cs;
    const CodeSystem* held_version = extra.code_system ? extra.code_system(system) : nullptr;
    return held_version ? held_version : cs;
  };
  sources.value_set = [&](std::string_view nested) -> const Expansion* {
    if (const Expansion* e = impl_->expansion(json::without_version(nested), chain)) return e;
    if (!extra.value_set || in_chain(chain, nested) || chain.size() >= kMaxChain) return nullptr;
    auto text = extra.value_set(nested);
    if (!text) return nullptr;
    chain.emplace_back(nested);
    auto expanded = expand_value_set(*text, sources);
    chain.pop_back();
    if (!expanded) return nullptr;
    held.push_back(std::make_unique<const Expansion>(std::move(*expanded)));
    return held.back().get();
  };
  return expand_value_set(value_set_json, sources);
}

const ConceptMap* Terminology::concept_map(std::string_view url) const { return impl_->concept_map(url); }

const std::vector<const ConceptMap*>& Terminology::concept_maps() const {
  std::call_once(impl_->all_maps_read, [this] {
    for (const auto* resource : impl_->definitions.resources("ConceptMap")) {
      auto url = json::without_version(resource->url);
      if (const ConceptMap* map = url.empty() ? nullptr : impl_->concept_map(url)) impl_->all_maps.push_back(map);
    }
  });
  return impl_->all_maps;
}

Lookup Terminology::lookup(std::string_view system, std::string_view code) const {
  Lookup out;
  out.code_system = code_system(system);
  if (!out.code_system || code.empty()) return out;
  out.entry = out.code_system->concept_of(code);
  if (out.entry) {
    out.status = LookupStatus::found;
  } else if (out.code_system->complete()) {
    out.status = LookupStatus::not_found;
  }
  return out;
}

Membership Terminology::contains(std::string_view value_set, std::string_view system, std::string_view code) const {
  const Expansion* e = expansion(value_set);
  return e ? e->contains(system, code) : Membership::unknown;
}

Membership Terminology::contains_code(std::string_view value_set, std::string_view code) const {
  const Expansion* e = expansion(value_set);
  return e ? e->contains_code(code) : Membership::unknown;
}

Subsumption Terminology::subsumes(std::string_view system, std::string_view a, std::string_view b) const {
  const CodeSystem* cs = code_system(system);
  if (!cs || !cs->complete()) return Subsumption::unknown;
  uint32_t ia = cs->find(a), ib = cs->find(b);
  if (ia == CodeSystem::kNone || ib == CodeSystem::kNone) return Subsumption::unknown;
  if (ia == ib) return Subsumption::equivalent;
  if (cs->descendants(ia, false)[ib]) return Subsumption::subsumes;
  if (cs->descendants(ib, false)[ia]) return Subsumption::subsumed_by;
  return Subsumption::not_subsumed;
}

Result<Translation> Terminology::translate(std::string_view concept_map, const TranslateRequest& request) const {
  const ConceptMap* map = impl_->concept_map(concept_map);
  if (!map) {
    return Result<Translation>::failure("not-found", "no ConceptMap '" + std::string(concept_map) + "' is loaded");
  }
  return translate(*map, request);
}

Result<Translation> Terminology::translate(const ConceptMap& map, const TranslateRequest& request) const {
  if (request.code.empty()) return Result<Translation>::failure("required", "$translate needs a code to translate");
  Translation out;
  std::vector<std::string> chain{map.url};
  impl_->translate(map, request, out, chain);
  out.result = std::any_of(out.matches.begin(), out.matches.end(),
                           [](const TranslationMatch& m) { return !m.code.empty() && maps(m.equivalence); });
  return out;
}

}  // namespace carebridge::fhir::terminology
