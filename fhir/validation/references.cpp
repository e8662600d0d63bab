// References: the format of Reference.reference, the referenced type against the
// element's target profiles (and Reference.type), resolution of "#id" to contained
// resources and, inside a Bundle, through bundle_references.cpp; uri "#id" values; and
// the contained rules (every contained resource is referenced: dom-3; no nesting: dom-2;
// dom-4, dom-5).
#include <algorithm>
#include <cctype>

#include "fhir/model/resource_id.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    parts.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

struct Parsed {
  std::string_view type;      // resource type named by the reference, when it names one
  std::string_view type_id;   // "Patient/1" without version
  std::string_view version;
};

// Finds "Type/id(/_history/v)" at the end of a reference.
Parsed parse_tail(const definitions::Definitions& defs, std::string_view ref) {
  Parsed p;
  auto parts = split(ref);
  size_t n = parts.size();
  size_t at = n;
  if (n >= 4 && parts[n - 2] == "_history") {
    at = n - 4;
    p.version = parts[n - 1];
  } else if (n >= 2) {
    at = n - 2;
  }
  if (at >= n) return p;
  const auto* sd = defs.type(parts[at]);
  if (!sd || !sd->is_resource()) return p;
  p.type = parts[at];
  size_t begin = static_cast<size_t>(parts[at].data() - ref.data());
  size_t end = static_cast<size_t>(parts[at + 1].data() + parts[at + 1].size() - ref.data());
  p.type_id = ref.substr(begin, end - begin);
  return p;
}

std::string_view resource_id(const Element& resource) { return value_of(child_named(resource, "id")); }

const Element* find_contained(const Element& container, std::string_view id) {
  for (const Element* c : container.children()) {
    if (c->name == "contained" && resource_id(*c) == id) return c;
  }
  return nullptr;
}

}  // namespace

// The referenced type against the element's target profiles. Against the base definitions
// the ingest policy stores a type the element does not list, with a warning: Synthea 3.x
// points a claim's provider and care team at the Location when no clinician saw the
// patient, and refusing it refused the patient's whole record. A profile's narrower
// targets keep `severity` as the profile pass gives it.
static void check_target_type(Run& run, const definitions::ElementDef* definition, std::string_view target_type,
                              const Element& at, const Path& ref_path, Severity severity);

void note_local_reference(Run& run, const Element& node, const Path& path) {
  if (!run.frame.referenced || node.value.empty() || node.value[0] != '#') return;
  if (node.type != "string" && node.type != "uri" && node.type != "canonical" && node.type != "url") return;
  if (node.value.size() == 1) {
    // "#": a contained resource pointing back at its container marks itself as used.
    if (run.frame.resource && run.frame.resource != run.frame.container) {
      run.frame.referenced->insert(std::string(resource_id(*run.frame.resource)));
    }
    return;
  }
  run.frame.referenced->insert(std::string(node.value.substr(1)));
  // A uri, url or canonical "#x" points into the resource: it must name something there.
  if (node.type == "string") return;
  if (run.link_targets(run.frame.container, node.value.substr(1), true, true) == 0) {
    // The reference validator errs for uri and url, and only warns for canonical.
    run.report(node.type == "canonical" ? Severity::Warning : run.tolerable(), "not-found",
               "'" + std::string(node.value) + "' names nothing in the resource (no contained resource or element with id '" +
                   std::string(node.value.substr(1)) + "')",
               node, path);
  }
}

namespace {

// "#id": one of the container's contained resources; "#" alone: the container itself.
bool resolve_contained(Run& run, std::string_view ref, const Element& at, const Path& ref_path, const Element*& target) {
  if (ref.size() == 1 || !run.frame.container) {
    target = run.frame.container;
    return true;
  }
  target = find_contained(*run.frame.container, ref.substr(1));
  if (!target) {
    run.report(Severity::Error, "not-found",
               "the reference '" + std::string(ref) + "' names no contained resource with id '" + std::string(ref.substr(1)) +
                   "'",
               at, ref_path);
  }
  return target != nullptr;
}

// A relative Type/id(/_history/v) must name a resource type; returns false when it does not.
bool check_relative_format(Run& run, std::string_view ref, const Parsed& parsed, const Element& at, const Path& ref_path) {
  if (parsed.type.empty()) {
    auto parts = split(ref);
    if (parts.size() == 2 || (parts.size() == 4 && parts[2] == "_history")) {
      run.report(Severity::Error, "invalid",
                 "'" + std::string(parts[0]) + "' in the reference '" + std::string(ref) + "' is not a FHIR resource type", at,
                 ref_path);
      return false;
    }
    return true;
  }
  if (!model::is_resource_id(split(parsed.type_id)[1])) {
    run.report(Severity::Warning, "invalid", "the reference '" + std::string(ref) + "' does not end in a valid id", at,
               ref_path);
  }
  return true;
}

// A conditional reference is Type?name=value[&name=value...], a search the receiving server runs.
bool conditional_form(Run& run, std::string_view ref, const Element& at, const Path& ref_path) {
  std::string_view query = ref.substr(ref.find('?') + 1);
  bool pairs = !query.empty();
  for (size_t start = 0; pairs && start <= query.size();) {
    size_t end = std::min(query.find('&', start), query.size());
    std::string_view pair = query.substr(start, end - start);
    pairs = pair.find('=') != std::string_view::npos && pair.find('=') > 0;
    start = end + 1;
  }
  if (pairs) return true;
  run.report(Severity::Error, "invalid",
             "the conditional reference '" + std::string(ref) + "' is not Type?name=value: its search has no parameter with a value",
             at, ref_path);
  return false;
}

}  // namespace

void check_reference(Run& run, const Element& reference, const Path& path) {
  const Element* ref_node = child_named(reference, "reference");
  std::string_view ref = value_of(ref_node);
  std::string_view declared = value_of(child_named(reference, "type"));
  if (ref.empty()) {
    // A logical reference (identifier) may still say which type it refers to.
    if (!declared.empty()) {
      run.referenced_types[&reference] = declared;
      check_target_type(run, reference.definition, declared, reference, path, run.tolerable());
    }
    return;
  }
  const Element& at = *ref_node;
  Path ref_path{&path, "reference", -1};
  if (has_whitespace(ref)) {
    run.report(Severity::Error, "invalid", "the reference '" + std::string(ref) + "' contains whitespace", at, ref_path);
    return;
  }
  const Element* target = nullptr;
  std::string_view implied;  // the type the reference's text names
  if (ref[0] == '#') {
    if (!resolve_contained(run, ref, at, ref_path, target)) return;
  } else {
    bool conditional = ref.find('?') != std::string_view::npos;
    if (conditional && !is_absolute_url(ref) && !conditional_form(run, ref, at, ref_path)) return;
    if (conditional && !run.frame.bundle) return;  // resolved by the server that receives it
    Parsed parsed = parse_tail(run.defs, ref);
    if (!conditional && !is_absolute_url(ref) && !check_relative_format(run, ref, parsed, at, ref_path)) return;
    implied = parsed.type;
    if (run.frame.bundle) target = resolve_in_bundle(run, ref, at, ref_path);
  }
  std::string_view actual = target ? target->type : implied;
  if (!declared.empty() && !actual.empty() && declared != actual) {
    run.report(Severity::Error, "structure",
               "Reference.type says " + std::string(declared) + ", but the reference points to a " + std::string(actual), at,
               ref_path);
  }
  std::string_view type = !actual.empty() ? actual : declared;
  if (!type.empty()) run.referenced_types[&reference] = type;
  if (target) run.referenced_resources[&reference] = target;
  check_target_type(run, reference.definition, type, at, ref_path, run.tolerable());
}

namespace {

// The resource a reference resolves to (contained, or in the Bundle) against the profiles
// `profiled` names for its type: as the reference validator does, it must conform to one
// of them. A profile that is not loaded, or the base type itself, accepts it.
void check_target_profiles(Run& run, const Element& target, const definitions::ElementDef& profiled, const Element& at,
                           const Path& ref_path) {
  std::vector<const definitions::StructureDef*> candidates;
  for (const auto& t : profiled.types) {
    if (t.code != "Reference") continue;
    for (const auto& url : t.target_profiles) {
      const definitions::StructureDef* sd = run.state.profile(url);
      if (!sd || sd->type == "Resource" || sd->type == "DomainResource") return;
      if (sd->type != target.type) continue;
      if (sd->derivation != definitions::Derivation::Constraint) return;
      candidates.push_back(sd);
    }
  }
  std::string list;
  for (const auto* sd : candidates) {
    if (run.conforms(target, *sd)) return;
    list += (list.empty() ? "" : ", ") + sd->url;
  }
  if (list.empty()) return;
  run.report(run.tolerable(), "structure",
             "the " + std::string(target.type) + " the reference points to does not conform to " +
                 (candidates.size() == 1 ? "the profile " : "any of the profiles ") + list +
                 " that this element requires of it",
             at, ref_path);
}

}  // namespace

const Element* resolved_resource(Run& run, const Element& reference, const Path& path) {
  if (!run.referenced_types.count(&reference)) {
    // Not reached by the walk yet (an extension's value is checked against its definition
    // before the walk enters it, a later Bundle entry against a slice's profile): resolved
    // now, quietly; the walk reports its problems when it gets there.
    size_t before = run.issue_count();
    check_reference(run, reference, path);
    run.issues().resize(before);
  }
  auto resolved = run.referenced_resources.find(&reference);
  return resolved == run.referenced_resources.end() ? nullptr : resolved->second;
}

void check_profile_reference(Run& run, const Element& reference, const definitions::ElementDef& profiled, const Path& path) {
  resolved_resource(run, reference, path);
  auto found = run.referenced_types.find(&reference);
  if (found == run.referenced_types.end()) return;
  const Element* ref = child_named(reference, "reference");
  const Element& at = ref ? *ref : reference;
  Path ref_path = ref ? Path{&path, "reference", -1} : path;
  check_target_type(run, &profiled, found->second, at, ref_path, Severity::Error);
  auto resolved = run.referenced_resources.find(&reference);
  if (resolved != run.referenced_resources.end() && resolved->second->type == found->second) {
    check_target_profiles(run, *resolved->second, profiled, at, ref_path);
  }
}

bool Run::conforms(const Element& resource, const definitions::StructureDef& profile) {
  std::pair<const void*, const void*> key{&resource, &profile};
  // True while it is being checked: a cycle of references back to it does not fail it.
  if (auto [it, added] = conformance_.try_emplace(key, true); !added) return it->second;
  size_t before = issue_count();
  Path scratch{nullptr, "", -1};
  check_against(*this, resource, profile, 0, scratch);
  bool ok = error_count_since(before) == 0;
  issues_.resize(before);
  conformance_[key] = ok;
  return ok;
}

const Run::ReferenceTargets& Run::reference_targets(const definitions::ElementDef& definition) {
  auto [it, added] = reference_targets_.try_emplace(&definition);
  ReferenceTargets& targets = it->second;
  if (!added) return targets;
  for (const auto& t : definition.types) {
    if (t.code != "Reference") continue;
    for (const auto& profile : t.target_profiles) {
      const auto* sd = defs.structure(profile);
      if (!sd || sd->type == "Resource" || sd->type == "DomainResource") {
        targets.any = true;
        return targets;
      }
      targets.types.push_back(sd->type);
    }
  }
  return targets;
}

static void check_target_type(Run& run, const definitions::ElementDef* definition, std::string_view target_type,
                              const Element& at, const Path& ref_path, Severity severity) {
  if (target_type.empty() || !definition) return;
  const Run::ReferenceTargets& targets = run.reference_targets(*definition);
  const std::vector<std::string_view>& allowed = targets.types;
  if (targets.any || allowed.empty() || std::find(allowed.begin(), allowed.end(), target_type) != allowed.end()) return;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  run.report(severity, "structure",
             "the reference points to a " + std::string(target_type) + ", but only " + list + " may be referenced here", at,
             ref_path);
}

void check_contained(Run& run, const Element& resource, const Path& path) {
  int index = 0;
  std::vector<std::string_view> ids;  // a "#id" reference names one contained resource
  for (const Element* c : resource.children()) {
    if (c->name != "contained") continue;
    Path cpath{&path, "contained", index++};
    std::string_view id = resource_id(*c);
    bool duplicate = !id.empty() && std::find(ids.begin(), ids.end(), id) != ids.end();
    if (!id.empty()) ids.push_back(id);
    if (id.empty()) {
      run.report(Severity::Error, "required", "a contained resource must have an id", *c, cpath);
    } else if (duplicate) {
      run.report(Severity::Error, "invariant",
                 "two contained resources have the id '" + std::string(id) + "': a reference '#" + std::string(id) +
                     "' must name one",
                 *c, cpath);
    } else if (!run.frame.referenced || !run.frame.referenced->count(std::string(id))) {
      run.report(Severity::Error, "invariant",
                 "the contained resource '" + std::string(id) + "' is not referenced from the rest of the resource (dom-3)",
                 *c, cpath);
    }
    if (child_named(*c, "contained")) {
      run.report(Severity::Error, "invariant", "a contained resource cannot contain resources itself (dom-2)", *c, cpath);
    }
    if (const Element* meta = child_named(*c, "meta")) {
      if (child_named(*meta, "versionId") || child_named(*meta, "lastUpdated")) {
        run.report(Severity::Error, "invariant",
                   "a contained resource cannot have meta.versionId or meta.lastUpdated (dom-4)", *c, cpath);
      }
      if (child_named(*meta, "security")) {
        run.report(Severity::Error, "invariant", "a contained resource cannot have a security label (dom-5)", *c, cpath);
      }
    }
  }
}

}  // namespace carebridge::fhir::validation
