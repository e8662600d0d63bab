// Documents and messages hold together: what the Composition (subject, authors,
// encounter, custodian, attesters, event details, sections) or the MessageHeader (focus)
// refers to is in the Bundle, and every entry can be reached from the first one by
// following references (an entry that only refers back is a warning; one that cannot be
// reached at all is an error in a document and a warning in a message). Resolution
// follows the reference validator's rules for these links: an absolute reference by
// fullUrl (versions included), a relative one against the referring entry's RESTful base.
#include <unordered_set>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// Canonical resources may be referred to by their canonical URL without being in the Bundle.
bool canonical_type(std::string_view type) {
  for (std::string_view t : {"ActivityDefinition", "CapabilityStatement", "ChargeItemDefinition", "CodeSystem",
                             "CompartmentDefinition", "ConceptMap", "EffectEvidenceSynthesis", "EventDefinition",
                             "Evidence", "EvidenceVariable", "ExampleScenario", "GraphDefinition", "ImplementationGuide",
                             "Library", "Measure", "MessageDefinition", "NamingSystem", "OperationDefinition",
                             "PlanDefinition", "Questionnaire", "ResearchDefinition", "ResearchElementDefinition",
                             "RiskEvidenceSynthesis", "SearchParameter", "StructureDefinition", "StructureMap",
                             "TerminologyCapabilities", "TestScript", "ValueSet"}) {
    if (t == type) return true;
  }
  return false;
}

struct Linker {
  Run& run;
  const BundleIndex& index;
  std::unordered_set<const Element*> reported;  // one problem per referring element
  bool always = false;  // the link being checked is one ingest also requires (subject, section entries)

  // `error`: an error when strict, and when ingesting for the links `always` marks.
  void problem(bool error, const Element& at, const std::string& message) {
    if (!reported.insert(&at).second) return;
    Severity severity = !error ? Severity::Information : always ? Severity::Error : run.tolerable();
    run.report(severity, error ? "not-found" : "informational", message, at, model::location(at));
  }

  bool known_elsewhere(std::string_view ref) {
    if (run.defs.structure(ref)) return true;
    for (const char* type : {"ValueSet", "CodeSystem", "SearchParameter", "OperationDefinition"}) {
      if (run.defs.resource(type, ref)) return true;
    }
    RestUrl rest;
    return match_rest_url(run.defs, ref, &rest) && canonical_type(rest.type);
  }

  // The entry `ref` (written in entry `from`) names, or kNone. `strict`: a missing target is an error.
  uint32_t resolve(std::string_view ref, const BundleEntry& from, const Element& at, std::string_view name, bool strict) {
    ref = ref.substr(0, ref.find('#'));
    if (ref.empty()) return kNone;
    std::string shown(ref);
    if (is_absolute_url(ref)) {
      const auto* found = index.full_url(shown);
      if (!found) {
        if (!known_elsewhere(ref)) problem(strict, at, "cannot find '" + shown + "' in the Bundle (" + std::string(name) + ")");
        return kNone;
      }
      if (found->size() > 1) {
        problem(true, at, "found " + std::to_string(found->size()) + " matches for '" + shown + "' in the Bundle (" +
                              std::string(name) + ")");
        return kNone;
      }
      return found->front();
    }
    return resolve_relative(ref, from, at, name, strict);
  }

  uint32_t resolve_relative(std::string_view ref, const BundleEntry& from, const Element& at, std::string_view name,
                            bool strict) {
    std::string shown(ref), full;
    RestUrl base;
    if (from.resource && match_rest_url(run.defs, from.full_url, &base) && base.type == from.resource->type &&
        base.version.empty() && base.id == value_of(child_named(*from.resource, "id"))) {
      full = std::string(base.base) + shown;
      if (const auto* found = index.full_url(full)) {
        if (found->size() == 1) return found->front();
        problem(true, at, "found " + std::to_string(found->size()) + " matches for '" + shown + "' in the Bundle (" +
                              std::string(name) + ")");
        return kNone;
      }
    }
    auto slash = ref.find('/');
    if (slash == std::string_view::npos) return kNone;
    const auto* type = run.defs.type(ref.substr(0, slash));
    if (!type || !type->is_resource()) return kNone;
    auto end = ref.find('/', slash + 1);
    if (const auto* same = index.type_id(std::string(ref.substr(0, end)))) {
      // R4 resolves by fullUrl only: a Type/id that matches entries whose fullUrl differs does not resolve.
      problem(true, at, "cannot find '" + shown + "' in the Bundle (" + std::string(name) + "): " +
                            std::to_string(same->size()) + " entr" + (same->size() == 1 ? "y has" : "ies have") +
                            " that type and id, but " + (full.empty() ? "the referring entry's fullUrl is not a RESTful URL"
                                                                      : "not the fullUrl " + full));
      return kNone;
    }
    problem(strict, at, "cannot find '" + shown + "' in the Bundle (" + std::string(name) + ")");
    return kNone;
  }

  void check(const Element& holder, std::string_view property, const BundleEntry& from, std::string_view name,
             bool required_by_ingest = false) {
    always = required_by_ingest;
    for (const Element* c : holder.children()) {
      if (c->name != property || c->type != "Reference") continue;
      const Element* ref = child_named(*c, "reference");
      std::string_view value = value_of(ref);
      if (!value.empty() && value[0] != '#') resolve(value, from, *ref, name, true);
    }
    always = false;
  }

  void sections(const Element& holder, const BundleEntry& from) {
    for (const Element* section : holder.children()) {
      if (section->name != "section") continue;
      check(*section, "author", from, "Section author");
      check(*section, "focus", from, "Section focus");
      check(*section, "entry", from, "Section entry", true);
      sections(*section, from);
    }
  }

  void composition(const BundleEntry& first) {
    const Element& c = *first.resource;
    check(c, "subject", first, "Composition subject", true);
    check(c, "author", first, "Composition author");
    check(c, "encounter", first, "Composition encounter");
    check(c, "custodian", first, "Composition custodian");
    for (const Element* part : c.children()) {
      if (part->name == "attester") check(*part, "party", first, "Composition attester party");
      if (part->name == "event") check(*part, "detail", first, "Composition event detail");
    }
    sections(c, first);
  }
};

bool excluded_uri(const Element& node) {
  if (node.name == "system" || !node.definition) return true;
  for (std::string_view path : {"Bundle.entry.fullUrl", "Coding.system", "Identifier.system", "Meta.profile",
                                "Extension.url", "Quantity.system", "MessageHeader.source.endpoint",
                                "MessageHeader.destination.endpoint", "Endpoint.address"}) {
    if (node.definition->path == path) return true;
  }
  return false;
}

// The references and uris inside one entry's resource (not into a nested Bundle).
void collect_links(const Element& node, std::vector<const Element*>& out) {
  for (const Element* c : node.children()) {
    if (c->type == "Reference") {
      const Element* ref = child_named(*c, "reference");
      if (ref && ref->has_value && !ref->value.empty() && ref->value[0] != '#') out.push_back(ref);
    } else if ((c->type == "uri" || c->type == "url") && c->has_value && !c->value.empty() && c->value[0] != '#' &&
               !excluded_uri(*c)) {
      out.push_back(c);
    }
    if (c->type != "Bundle") collect_links(*c, out);
  }
}

void visit(uint32_t at, const std::vector<std::vector<uint32_t>>& targets, std::vector<bool>& visited) {
  std::vector<uint32_t> stack{at};
  while (!stack.empty()) {
    uint32_t e = stack.back();
    stack.pop_back();
    if (visited[e]) continue;
    visited[e] = true;
    for (uint32_t t : targets[e]) stack.push_back(t);
  }
}

// Entries reached from the first by following references; then entries that only refer to
// reached ones (a warning, but for Provenance, which is meant to point back); the rest are
// orphans. A stylesheet link names an entry too.
void report_unreachable(Run& run, const BundleIndex& index, const std::vector<std::vector<uint32_t>>& targets,
                        bool document, const Path& path) {
  std::vector<bool> visited(index.entries.size(), false);
  visit(0, targets, visited);
  for (const Element* link : index.bundle->children()) {
    if (link->name != "link" || value_of(child_named(*link, "relation")) != "stylesheet") continue;
    if (const auto* found = index.type_id(std::string(value_of(child_named(*link, "url"))))) visit(found->front(), targets, visited);
  }
  for (bool more = true; more;) {
    more = false;
    for (uint32_t i = 0; i < index.entries.size(); ++i) {
      if (visited[i] || !index.entries[i].resource) continue;
      bool back = false;
      for (uint32_t t : targets[i]) back = back || visited[t];
      if (!back) continue;
      if (index.entries[i].resource->type != "Provenance") {
        Path epath{&path, "entry", static_cast<int>(i)};
        run.report(Severity::Warning, "invalid",
                   "entry '" + std::string(index.entries[i].full_url) + "' is only reachable by following references "
                   "backwards from the first entry; only Provenance is meant to be linked that way",
                   *index.entries[i].entry, epath);
      }
      visit(i, targets, visited);
      more = true;
    }
  }
  for (uint32_t i = 0; i < index.entries.size(); ++i) {
    if (visited[i] || !index.entries[i].resource) continue;
    Path epath{&path, "entry", static_cast<int>(i)};
    run.report(document ? run.tolerable() : Severity::Warning, "invalid",
               "entry '" + std::string(index.entries[i].full_url) + "' cannot be reached by following references from the " +
                   (document ? "Composition: a document holds only what it refers to" : "MessageHeader"),
               *index.entries[i].entry, epath);
  }
}

}  // namespace

void check_bundle_links(Run& run, const BundleIndex& index, const Path& path) {
  bool document = index.type == "document", message = index.type == "message";
  if ((!document && !message) || index.entries.empty()) return;
  Linker linker{run, index, {}};
  const BundleEntry& first = index.entries.front();
  if (document && first.resource && first.resource->type == "Composition") linker.composition(first);
  if (message && first.resource && first.resource->type == "MessageHeader") {
    linker.check(*first.resource, "focus", first, "MessageHeader focus");
  }
  // Which entries each entry refers to.
  std::vector<std::vector<uint32_t>> targets(index.entries.size());
  for (uint32_t i = 0; i < index.entries.size(); ++i) {
    const BundleEntry& e = index.entries[i];
    if (!e.resource) continue;
    std::vector<const Element*> links;
    collect_links(*e.resource, links);
    std::unordered_set<std::string_view> seen;
    for (const Element* link : links) {
      if (!seen.insert(link->value).second) continue;
      uint32_t t = linker.resolve(link->value, e, *link, std::string(link->parent ? link->parent->name : link->name), false);
      if (t != kNone && t != i) targets[i].push_back(t);
    }
  }
  report_unreachable(run, index, targets, document, path);
}

}  // namespace carebridge::fhir::validation
