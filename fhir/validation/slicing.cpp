// Slicing: which slice of a sliced element an item belongs to, by the slicing's
// discriminators (value, pattern, exists, type, profile), against a profile.
#include "fhir/validation/slicing.h"

#include <string>

namespace carebridge::fhir::validation {
namespace {
namespace defs = carebridge::fhir::definitions;

// The steps of a discriminator path: "code.coding" -> {"code", "coding"}; "$this" -> {}. A dot
// inside a function's argument is no step ("extension('http://acme.org/x').value" has two).
std::vector<std::string_view> steps(std::string_view path) {
  std::vector<std::string_view> out;
  if (path == "$this" || path.empty()) return out;
  size_t start = 0;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i <= path.size(); ++i) {
    char c = i < path.size() ? path[i] : '.';
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c != '.' || depth > 0) continue;
    out.push_back(path.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

// extension('url') in a discriminator path: the step name and the url.
bool extension_step(std::string_view step, std::string_view& url) {
  if (!step.starts_with("extension(")) return false;
  auto open = step.find('\'');
  auto close = step.rfind('\'');
  if (open == std::string_view::npos || close <= open) return false;
  url = step.substr(open + 1, close - open - 1);
  return true;
}

// The values a discriminator path reaches from an item. resolve() steps to the contained or
// Bundle resource the Reference resolves to: none when it does not.
void collect(Run& run, const Element& node, const std::vector<std::string_view>& path, size_t at,
             std::vector<const Element*>& out) {
  if (at == path.size()) {
    out.push_back(&node);
    return;
  }
  std::string_view step = path[at], url;
  bool by_url = extension_step(step, url);
  if (step.starts_with("ofType(")) {
    collect(run, node, path, at + 1, out);
    return;
  }
  if (step == "resolve()") {  // in any order: a later entry of the Bundle is resolved now
    if (const Element* target = resolved_resource(run, node, Path{})) collect(run, *target, path, at + 1, out);
    return;
  }
  for (const Element* c : node.children()) {
    if (by_url) {
      if (c->name == "extension" && value_of(child_named(*c, "url")) == url) collect(run, *c, path, at + 1, out);
    } else if (c->base_name() == step) {
      collect(run, *c, path, at + 1, out);
    }
  }
}

// The next element of a profile along one discriminator step below `at` (kNoElement if none).
uint32_t step_from(const defs::StructureDef& sd, uint32_t at, std::string_view step) {
  std::string_view url;
  if (extension_step(step, url)) {
    // The extension slice whose type profile is `url`.
    uint32_t base = sd.find(sd.elements[at].id + ".extension");
    if (base == defs::kNoElement) return base;
    for (uint32_t i = base + 1; i < sd.elements.size(); ++i) {
      const auto& e = sd.elements[i];
      if (e.path != sd.elements[base].path || e.slice_name.empty()) continue;
      for (const auto& t : e.types) {
        for (const auto& p : t.profiles) {
          if (p == url) return i;
        }
      }
    }
    return defs::kNoElement;
  }
  std::string id = sd.elements[at].id + "." + std::string(step);
  uint32_t next = sd.find(id);
  return next == defs::kNoElement ? sd.find(id + "[x]") : next;
}

// The elements of a profile at `path` below `at`: the path's own element first, then, where a
// step passes through a sliced element, the same path inside each of its slices (bp fixes the
// systolic code in Observation.component:SystolicBP.code.coding:SBPCode.code, a slice of
// code.coding, not on code.coding.code itself).
void elements_at(Run& run, const defs::StructureDef& sd, uint32_t at, const std::vector<std::string_view>& path,
                 size_t step, std::vector<uint32_t>& out) {
  while (step < path.size() && (path[step].starts_with("ofType(") || path[step] == "resolve()")) ++step;
  if (step == path.size()) {
    out.push_back(at);
    return;
  }
  uint32_t next = step_from(sd, at, path[step]);
  if (next == defs::kNoElement) return;
  elements_at(run, sd, next, path, step + 1, out);
  if (step + 1 == path.size()) return;
  for (uint32_t slice : run.state.slices(sd, next)) elements_at(run, sd, slice, path, step + 1, out);
}

// A fixed value or pattern that covers a discriminator's path from above: on the slice
// itself or on an element the path passes through (a patternIdentifier {system} on the slice
// Organization.identifier:npi, discriminated by "system"), with the rest of the path inside
// it. The reference validator tells such slices apart by that part of the pattern.
struct PatternAbove {
  const defs::TypedJson* value = nullptr;
  std::vector<std::string_view> rest;
};

PatternAbove pattern_above(ValidatorState& state, const defs::StructureDef& sd, uint32_t slice,
                           const std::vector<std::string_view>& path) {
  uint32_t at = slice;
  for (size_t step = 0; step < path.size() && at != defs::kNoElement; ++step) {
    const auto& e = sd.elements[at];
    const auto& given = e.fixed ? e.fixed : e.pattern;
    std::vector<std::string_view> rest(path.begin() + static_cast<std::ptrdiff_t>(step), path.end());
    if (given && has_part(state, *given, rest)) return {&*given, std::move(rest)};
    std::string_view url;
    if (path[step].starts_with("ofType(") || path[step] == "resolve()" || extension_step(path[step], url)) break;
    at = step_from(sd, at, path[step]);
  }
  return {};
}

}  // namespace

namespace {

bool any_equals(const std::vector<const Element*>& values, const std::string& text) {
  for (const Element* v : values) {
    if (value_of(v) == text) return true;
  }
  return false;
}

// The url of the extensions an extension slice holds: the Extension.url its type profile fixes
// (a profile of an extension keeps the url of the extension it constrains), else the profile's url.
std::string extension_url(Run& run, const std::string& profile_url) {
  const defs::StructureDef* profile = run.state.profile(profile_url);
  if (!profile || profile->type != "Extension") return profile_url;
  uint32_t url = profile->find("Extension.url");
  if (url == defs::kNoElement || !profile->elements[url].fixed) return profile_url;
  std::string fixed = profile->elements[url].fixed->string_value();
  return fixed.empty() ? profile_url : fixed;
}

// Whether a code, Coding or CodeableConcept (any of its codings) is in the value set.
bool in_value_set(const Element& v, const terminology::Expansion& vs) {
  if (v.has_value) return vs.bare_codes.contains(v.value);
  if (const Element* code = child_named(v, "code")) {
    std::string_view system = value_of(child_named(v, "system"));
    return !system.empty() && vs.contains(system, value_of(code)) == terminology::Membership::in;
  }
  for (const Element* c : v.children()) {
    if (c->name == "coding" && in_value_set(*c, vs)) return true;
  }
  return false;
}

// A value or pattern discriminator: the values against what the slice fixes at the path
// (or, failing that, the extension url of the slice, or a required binding).
bool value_discriminator_matches(Run& run, const std::vector<const Element*>& values, const defs::StructureDef& sd,
                                 uint32_t slice, const std::vector<std::string_view>& path,
                                 const std::vector<uint32_t>& candidates) {
  bool any = false, ok = false;
  for (uint32_t c : candidates) {  // the path's own element first, then the same path in slices below
    const auto& e = sd.elements[c];
    const auto& wanted = e.fixed ? e.fixed : e.pattern;
    if (!wanted) continue;
    any = true;
    // Fixed or pattern, the slice is told apart as by a pattern: the reference validator turns
    // either into a FHIRPath test that some value has the properties the slice gives.
    for (const Element* v : values) ok = ok || matches_value(run.state, *v, *wanted, false);
    if (c == candidates.front()) break;  // fixed on the element itself: that decides
  }
  if (any) return ok;
  if (PatternAbove above = pattern_above(run.state, sd, slice, path); above.value) {
    for (const Element* v : values) ok = ok || matches_part(run.state, *v, *above.value, above.rest);
    return ok;
  }
  const defs::ElementDef& def = sd.elements[candidates.front()];
  // An extension slice is told apart by its url: the extension's profile.
  if (def.name == "url" && candidates.front() > 0 && !sd.elements[def.parent].types.empty() &&
      !sd.elements[def.parent].types[0].profiles.empty()) {
    return any_equals(values, extension_url(run, sd.elements[def.parent].types[0].profiles[0]));
  }
  if (path.size() == 1 && path[0] == "url" && !sd.elements[slice].types.empty() &&
      !sd.elements[slice].types[0].profiles.empty()) {
    return any_equals(values, extension_url(run, sd.elements[slice].types[0].profiles[0]));
  }
  if (def.binding && def.binding->strength == "required") {
    // Sliced by a required binding: the value must be in the value set.
    const terminology::Expansion* vs = run.state.terminology().expansion(def.binding->value_set);
    if (!vs) return false;
    for (const Element* v : values) {
      if (in_value_set(*v, *vs)) return true;
    }
    return false;
  }
  return true;
}

// A profile discriminator: some value conforms to the slice's type profile or, through
// resolve(), the resource a Reference resolves to conforms to the slice's target profile.
bool profile_discriminator_matches(Run& run, const std::vector<const Element*>& values, const defs::ElementDef* def,
                                   bool resolved) {
  if (!def || def->types.empty()) return true;
  const auto& profiles = resolved ? def->types[0].target_profiles : def->types[0].profiles;
  if (profiles.empty()) return true;
  const defs::StructureDef* profile = run.state.profile(profiles[0]);
  if (!profile) return true;
  if (resolved) {
    for (const Element* v : values) {
      if (run.conforms(*v, *profile)) return true;
    }
    return false;
  }
  bool ok = false;
  for (const Element* v : values) {
    size_t before = run.issue_count();
    Path scratch{nullptr, "", -1};
    check_against(run, *v, *profile, 0, scratch);
    ok = ok || run.error_count_since(before) == 0;
    run.issues().resize(before);
  }
  return ok;
}

// A value or pattern discriminator through resolve() ("resolve().code"): what the slice's target
// profile fixes at the rest of the path, against the values in the resources the references
// resolve to. A target profile that fixes nothing there tells nothing apart.
bool resolved_value_matches(Run& run, const std::vector<const Element*>& values, const defs::ElementDef& slice,
                            const std::vector<std::string_view>& path) {
  if (slice.types.empty() || slice.types[0].target_profiles.empty()) return true;
  const defs::StructureDef* target = run.state.profile(slice.types[0].target_profiles[0]);
  if (!target) return true;
  std::vector<std::string_view> rest(path.begin() + 1, path.end());
  std::vector<uint32_t> candidates;
  elements_at(run, *target, 0, rest, 0, candidates);
  return candidates.empty() || value_discriminator_matches(run, values, *target, 0, rest, candidates);
}

// A type discriminator: some value is of one of the slice's types or, through resolve(), the
// resource a Reference resolves to is of the type of the slice's target profile.
bool type_discriminator_matches(Run& run, const std::vector<const Element*>& values, const defs::ElementDef& def,
                                bool resolved) {
  for (const Element* v : values) {
    for (const auto& t : def.types) {
      if (!resolved) {
        if (t.code == v->type) return true;
        continue;
      }
      for (const auto& target : t.target_profiles) {
        const defs::StructureDef* profile = run.state.profile(target);
        if (profile && profile->type == v->type) return true;
      }
    }
  }
  return false;
}

}  // namespace

namespace {

// Whether the slice says what a discriminator compares: a fixed value or pattern at its path
// (or in a slice below it), a required binding, a max of 0, an extension url; for exists, a
// minimum of 1 or a max of 0. Undecided when the path leads to no element here (a resolve()
// or a type profile may give it elsewhere).
bool gives_criterion(Run& run, const defs::StructureDef& sd, uint32_t slice, const defs::Discriminator& d) {
  if (d.path.find("resolve()") != std::string::npos || (d.type != "value" && d.type != "pattern" && d.type != "exists")) {
    return true;
  }
  auto path = steps(d.path);
  if ((d.type == "value" || d.type == "pattern") && pattern_above(run.state, sd, slice, path).value) return true;
  std::vector<uint32_t> candidates;
  elements_at(run, sd, slice, path, 0, candidates);
  if (candidates.empty()) return true;
  const defs::ElementDef& def = sd.elements[candidates.front()];
  if (def.max == 0) return true;
  if (d.type == "exists") return def.min >= 1;
  for (uint32_t c : candidates) {
    if (sd.elements[c].fixed || sd.elements[c].pattern) return true;
  }
  if (def.binding && def.binding->strength == "required" && !def.binding->value_set.empty()) return true;
  const defs::ElementDef& owner = def.name == "url" && candidates.front() > 0 ? sd.elements[def.parent] : sd.elements[slice];
  return !owner.types.empty() && !owner.types[0].profiles.empty();
}

}  // namespace

std::string undecidable_slice(Run& run, const defs::StructureDef& sd, uint32_t slice, const defs::Slicing& slicing) {
  std::string paths;
  for (const auto& d : slicing.discriminators) {
    if (gives_criterion(run, sd, slice, d)) return {};
    paths += (paths.empty() ? "" : ", ") + d.type + " " + d.path;
  }
  return paths;
}

bool slice_matches(Run& run, const Element& item, const defs::StructureDef& sd, uint32_t slice,
                   const defs::Slicing& slicing) {
  // A slicing without discriminators tells no item apart: as in the reference validator, no
  // item is taken for any of its slices (it was taken for the first).
  if (slicing.discriminators.empty()) return false;
  for (const auto& d : slicing.discriminators) {
    auto path = steps(d.path);
    std::vector<const Element*> values;
    collect(run, item, path, 0, values);
    std::vector<uint32_t> candidates;
    elements_at(run, sd, slice, path, 0, candidates);
    const defs::ElementDef* def = candidates.empty() ? nullptr : &sd.elements[candidates.front()];
    bool ok = true;
    if ((d.type == "value" || d.type == "pattern") && path.size() > 1 && path[0] == "resolve()") {
      ok = resolved_value_matches(run, values, sd.elements[slice], path);
    } else if (d.type == "value" || d.type == "pattern") {
      const auto& types = sd.elements[slice].types;
      if (def) {
        ok = value_discriminator_matches(run, values, sd, slice, path, candidates);
      } else if (PatternAbove above = pattern_above(run.state, sd, slice, path); above.value) {
        ok = false;
        for (const Element* v : values) ok = ok || matches_part(run.state, *v, *above.value, above.rest);
      } else {  // an extension slice whose url only its type profile gives (no url element in the snapshot)
        ok = path.size() == 1 && path[0] == "url" && !types.empty() && !types[0].profiles.empty() &&
             any_equals(values, extension_url(run, types[0].profiles[0]));
      }
    } else if (d.type == "exists") {
      bool present = !values.empty();
      ok = !(def && def->min >= 1 && !present) && !(def && def->max == 0 && present);
    } else if (d.type == "type") {
      if (!def || def->types.empty()) continue;
      ok = type_discriminator_matches(run, values, *def, !path.empty() && path.back() == "resolve()");
    } else if (d.type == "profile") {
      ok = profile_discriminator_matches(run, values, def, !path.empty() && path.back() == "resolve()");
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace carebridge::fhir::validation
