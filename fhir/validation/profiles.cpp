// Profiles: a node against an element of a constraining StructureDefinition
// (meta.profile, requested profiles, extension definitions, type profiles):
// cardinality the profile tightens, allowed types, fixed and pattern values,
// bindings, slicing (slice cardinality, closed slicing) and nested profiles.
#include <algorithm>
#include <map>

#include "fhir/validation/slicing.h"
#include "fhir/validation/vital_signs.h"

namespace carebridge::fhir::validation {
namespace defs = carebridge::fhir::definitions;
namespace {

// The base definition of a profile element ("Patient.identifier"), when the base type has it.
const defs::ElementDef* base_of(Run& run, const defs::StructureDef& sd, const defs::ElementDef& element) {
  const defs::StructureDef* base = run.defs.type(sd.type);
  if (!base || base == &sd) return nullptr;
  uint32_t i = base->find(element.path);
  return i == defs::kNoElement ? nullptr : &base->elements[i];
}

std::string label(const defs::StructureDef& sd, const defs::ElementDef& e) {
  return "'" + e.id + "' (from " + sd.url + ")";
}

void check_cardinality(Run& run, const Element& parent, const defs::StructureDef& sd, const defs::ElementDef& e,
                       size_t count, const Path& path, bool slice) {
  const defs::ElementDef* base = slice ? nullptr : base_of(run, sd, e);
  bool same = base && base->min == e.min && base->max == e.max;
  if (same) return;  // the base pass reported it
  std::string where = path.text() + "." + e.name;
  if (count < e.min) {
    run.report(Severity::Error, "required",
               (slice ? "slice " : "") + label(sd, e) + " requires at least " + std::to_string(e.min) + ", found " +
                   std::to_string(count),
               parent, where);
  } else if (e.max != defs::kUnbounded && count > e.max) {
    run.report(Severity::Error, "structure",
               (slice ? "slice " : "") + label(sd, e) + " allows at most " + std::to_string(e.max) + ", found " +
                   std::to_string(count),
               parent, where);
  }
}

// Whether `derived` is `base` or a specialization of it ("id" of "string", "Age" of "Quantity").
bool specializes(const defs::Definitions& defs, std::string_view derived, std::string_view base) {
  for (const auto* t = defs.type(derived); t; t = t->base) {
    if (t->type == base) return true;
  }
  return false;
}

bool type_allowed(const defs::Definitions& defs, const defs::ElementDef& e, const Element& node) {
  if (e.types.empty()) return true;
  for (const auto& t : e.types) {
    if (t.code == node.type) return true;
    // A profile may narrow a type to a specialization: newer tools type Resource.id
    // as id where R4's snapshot says string. The value's format is checked by its rules.
    if (specializes(defs, t.code, node.type)) return true;
    if (node.is_primitive() && specializes(defs, node.type, t.code)) return true;
    if (node.is_resource() && (t.code == "Resource" || t.code == "DomainResource")) return true;
    if (t.code == "BackboneElement" || t.code == "Element") return true;
  }
  return false;
}

}  // namespace

namespace {

using Items = std::vector<std::pair<const Element*, int>>;  // children, with their repeat index

// What a profile element says of the node itself: its type, fixed and pattern values, binding.
// False when the type is not allowed (nothing more is checked then).
bool check_element_value(Run& run, const Element& node, const defs::StructureDef& sd, const defs::ElementDef& e,
                         const Path& path) {
  if (!type_allowed(run.defs, e, node)) {
    run.report(Severity::Error, "structure", "the type " + std::string(node.type) + " is not allowed for " + label(sd, e),
               node, path);
    return false;
  }
  if (e.fixed && !matches_value(run.state, node, *e.fixed, true)) {
    run.report(Severity::Error, "value", "the value must be exactly " + e.fixed->json + " per " + label(sd, e), node, path);
  }
  if (e.pattern && !matches_value(run.state, node, *e.pattern, false)) {
    run.report(Severity::Error, "value", "the value must match the pattern " + e.pattern->json + " of " + label(sd, e),
               node, path);
  }
  if (&e != node.definition) check_limits(run, node, e, label(sd, e), path);
  if (e.binding && (!node.definition || !node.definition->binding ||
                    node.definition->binding->value_set != e.binding->value_set ||
                    node.definition->binding->strength != e.binding->strength)) {
    check_binding(run, node, *e.binding, path);
  }
  return true;
}

// The node's children grouped by the profile element (of `shape`) they match; those
// the profile does not allow are reported.
std::map<uint32_t, Items> group_children(Run& run, const Element& node, const defs::StructureDef& sd, uint32_t shape,
                                         const Path& path) {
  std::map<uint32_t, Items> groups;
  std::string_view previous;
  int repeat = 0;
  for (const Element* c : node.children()) {
    repeat = c->name == previous ? repeat + 1 : 0;
    previous = c->name;
    if (c->kind == model::NodeKind::Unknown) continue;
    const defs::ChildName* found = sd.child(shape, c->name);
    if (!found) {
      Path cpath{&path, c->name, c->repeats() ? repeat : -1};
      run.report(Severity::Error, "structure", "'" + std::string(c->name) + "' is not allowed by the profile " + sd.url,
                 *c, cpath);
      continue;
    }
    groups[found->element].push_back({c, c->repeats() ? repeat : -1});
  }
  return groups;
}

// The items that matched slice `slice`, when the profile reslices it ("identifier:mrn/old"):
// each against the reslice it matches (closed reslicing: one it must match), then each
// reslice's cardinality, and so on for reslices resliced again.
void check_reslices(Run& run, const Element& node, const defs::StructureDef& sd, uint32_t slice, const Items& items,
                    const Path& path) {
  const defs::ElementDef& sliced = sd.elements[slice];
  if (!sliced.slicing) return;
  const auto& reslices = run.state.slices(sd, slice);
  if (reslices.empty()) return;
  std::vector<Items> matched_items(reslices.size());
  for (const auto& [item, at] : items) {
    Path cpath{&path, item->name, at};
    size_t matched = reslices.size();
    for (size_t r = 0; r < reslices.size() && matched == reslices.size(); ++r) {
      if (slice_matches(run, *item, sd, reslices[r], *sliced.slicing)) matched = r;
    }
    if (matched < reslices.size()) {
      matched_items[matched].push_back({item, at});
      check_against(run, *item, sd, reslices[matched], cpath);
    } else if (sliced.slicing->rules == "closed") {
      run.report(Severity::Error, "structure",
                 "this item matches the slice '" + sliced.slice_name + "' but none of its reslices in " +
                     label(sd, sliced) + ", and the reslicing is closed",
                 *item, cpath);
    }
  }
  for (size_t r = 0; r < reslices.size(); ++r) {
    check_cardinality(run, node, sd, sd.elements[reslices[r]], matched_items[r].size(), path, true);
    check_reslices(run, node, sd, reslices[r], matched_items[r], path);
  }
}

// How a Reference holds its target, against the aggregation modes the profile allows: a
// "#id" or a contained target is contained, a Bundle entry bundled, anything else referenced.
// A Reference without a reference (an identifier, a display) is not checked.
void check_aggregation(Run& run, const Element& reference, const defs::StructureDef& sd, const defs::ElementDef& e,
                       const Path& path) {
  std::string_view ref = value_of(child_named(reference, "reference"));
  const defs::TypeRef* type = nullptr;
  for (const auto& t : e.types) {
    if (t.code == "Reference" && !t.aggregation.empty()) type = &t;
  }
  if (!type || ref.empty()) return;
  auto found = run.referenced_resources.find(&reference);
  const Element* target = found == run.referenced_resources.end() ? nullptr : found->second;
  std::string_view mode = ref.starts_with('#') || (target && target->name == "contained") ? "contained"
                          : target                                                      ? "bundled"
                                                                                        : "referenced";
  if (std::find(type->aggregation.begin(), type->aggregation.end(), mode) != type->aggregation.end()) return;
  std::string allowed;
  for (const auto& a : type->aggregation) allowed += (allowed.empty() ? "" : ", ") + a;
  run.report(Severity::Error, "structure",
             "the reference is " + std::string(mode) + ", but " + label(sd, e) + " allows only: " + allowed,
             reference, path);
}

// An item that matched a slice, against the slice and against the element it slices: the
// reference validator checks both, so a slicer's invariants and the constraints on its children
// hold for slice members too (a snapshot's slices need not repeat them). What the second pass
// finds again at the same place is not reported twice.
void check_slice_member(Run& run, const Element& item, const defs::StructureDef& sd, uint32_t slice, uint32_t slicer,
                        const Path& path) {
  size_t first = run.issue_count();
  check_against(run, item, sd, slice, path);
  size_t second = run.issue_count();
  check_against(run, item, sd, slicer, path);
  auto& issues = run.issues();
  auto again = [&](const model::Issue& issue) {
    for (size_t i = first; i < second; ++i) {
      const model::Issue& seen = issues[i];
      // Invariants differ by their key and text; other findings by where they are (their text
      // names the slice or the slicer).
      if (seen.severity == issue.severity && seen.code == issue.code && seen.expression == issue.expression &&
          seen.position.line == issue.position.line && seen.position.column == issue.position.column &&
          (issue.code != "invariant" || seen.message == issue.message)) {
        return true;
      }
    }
    return false;
  };
  issues.erase(std::remove_if(issues.begin() + static_cast<std::ptrdiff_t>(second), issues.end(), again), issues.end());
}

// The items of one profile element: cardinality, then each item against the slice it
// matches (or the element itself), then each slice's cardinality.
void check_items(Run& run, const Element& node, const defs::StructureDef& sd, uint32_t k, const Items& items,
                 const Path& path) {
  const defs::ElementDef& child = sd.elements[k];
  check_cardinality(run, node, sd, child, items.size(), path, false);
  const auto& slices = child.slicing ? run.state.slices(sd, k) : std::vector<uint32_t>{};
  static const std::string kDecidable;
  const std::string& undecidable = slices.empty() || items.empty() ? kDecidable : run.state.undecidable_slicing(sd, k, [&] {
    for (uint32_t slice : slices) {
      std::string paths = undecidable_slice(run, sd, slice, *child.slicing);
      if (!paths.empty())
        return "the slicing of " + label(sd, child) + " cannot be evaluated: its slice '" + sd.elements[slice].slice_name +
               "' gives no fixed value, pattern or required binding for the discriminator (" + paths + ")";
    }
    return std::string();
  });
  if (!undecidable.empty()) run.report(Severity::Error, "processing", undecidable, node, path.text() + "." + child.name);
  std::vector<Items> slice_items(slices.size());
  // The slice the previous item matched, for ordered slicing; none after an item that matched
  // no slice. As the reference validator has it, an ordered slicing compares neighbours only,
  // and openAtEnd is taken as open (it does not check where unmatched items stand).
  size_t previous = slices.size();
  for (const auto& [item, at] : items) {
    Path cpath{&path, item->name, at};
    size_t matched = slices.size();
    for (size_t s = 0; s < slices.size() && matched == slices.size(); ++s) {
      if (slice_matches(run, *item, sd, slices[s], *child.slicing)) matched = s;
    }
    if (matched < slices.size() && child.slicing->ordered && previous < slices.size() && matched < previous) {
      run.report(Severity::Error, "structure",
                 "this item matches the slice '" + sd.elements[slices[matched]].slice_name + "', which the profile " + sd.url +
                     " orders before '" + sd.elements[slices[previous]].slice_name + "' (the slicing is ordered)",
                 *item, cpath);
    }
    previous = matched;
    if (matched < slices.size()) {
      slice_items[matched].push_back({item, at});
      check_slice_member(run, *item, sd, slices[matched], k, cpath);
    } else if (!slices.empty() && child.slicing->rules == "closed") {
      run.report(Severity::Error, "structure",
                 "this item matches none of the slices of " + label(sd, child) + ", and the slicing is closed", *item, cpath);
    } else {
      check_against(run, *item, sd, k, cpath);
    }
  }
  for (size_t s = 0; s < slices.size(); ++s) {
    check_cardinality(run, node, sd, sd.elements[slices[s]], slice_items[s].size(), path, true);
    check_reslices(run, node, sd, slices[s], slice_items[s], path);
  }
}

}  // namespace

void check_against(Run& run, const Element& node, const defs::StructureDef& sd, uint32_t index, const Path& path) {
  if (index >= sd.elements.size()) return;
  const defs::ElementDef& e = sd.elements[index];
  if (index > 0 && !check_element_value(run, node, sd, e, path)) return;
  if (run.options.invariants && run.engine) check_invariants(run, node, &e, &sd, path);
  if (index > 0 && node.type == "Reference") {
    check_profile_reference(run, node, e, path);
    check_aggregation(run, node, sd, e, path);
  }
  // The type's own profile, if the element names one; then what this profile says of the children.
  if (index > 0) check_type_profiles(run, node, e, &sd, path);
  uint32_t shape = sd.shape_of(index);
  if (sd.elements[shape].children.empty()) return;
  auto groups = group_children(run, node, sd, shape, path);
  static const Items none;
  for (uint32_t k : sd.elements[shape].children) {
    auto it = groups.find(k);
    check_items(run, node, sd, k, it == groups.end() ? none : it->second, path);
  }
}

void check_type_profiles(Run& run, const Element& node, const defs::ElementDef& e, const defs::StructureDef* owner,
                         const Path& path) {
  const defs::TypeRef* type = nullptr;
  for (const auto& t : e.types) {
    if (t.code == node.type && !t.profiles.empty()) type = &t;
  }
  if (!type) return;
  // An extension is checked against the definition its url names (extensions.cpp); a profile
  // of that extension the element names (its url is the extension's) is checked here.
  std::string_view own_url = node.type == "Extension" ? value_of(child_named(node, "url")) : std::string_view{};
  std::vector<const defs::StructureDef*> profiles;
  for (const auto& url : type->profiles) {
    if (!own_url.empty() && url == own_url) continue;
    const defs::StructureDef* profile = run.state.profile(url);
    if (!profile) {
      // As the reference validator has it: a profile that cannot be found is not conformed to.
      run.report(run.tolerable(), "not-found",
                 "the profile '" + url + "' that '" + e.id + "' names for its " + type->code +
                     " is not known, so the value could not be checked against it",
                 node, path);
    } else if (profile != owner) {
      profiles.push_back(profile);
    }
  }
  if (profiles.size() == 1) check_against(run, node, *profiles[0], 0, path);
  if (profiles.size() < 2) return;
  // Several profiles: the value conforms to one of them (only that one's findings are kept).
  size_t before = run.issue_count();
  for (const defs::StructureDef* profile : profiles) {
    size_t start = run.issue_count();
    check_against(run, node, *profile, 0, path);
    if (run.error_count_since(start) > 0) continue;
    auto& issues = run.issues();  // keep this profile's findings, drop the others'
    issues.erase(issues.begin() + static_cast<std::ptrdiff_t>(before), issues.begin() + static_cast<std::ptrdiff_t>(start));
    return;
  }
  std::string urls;
  for (const auto& url : type->profiles) urls += (urls.empty() ? "" : ", ") + url;
  run.report(Severity::Error, "structure", "the value conforms to none of the profiles " + urls + " that '" + e.id + "' allows",
             node, path);
}

namespace {

// A profile the resource only claims (meta.profile) is the sender's statement, not
// FHIR's rule: under the ingest policy what it finds is reported, as warnings (`why`
// says whose profile it is).
void tolerate(Run& run, size_t first_issue, const std::string& why) {
  auto& issues = run.issues();
  for (size_t i = first_issue; i < issues.size(); ++i) {
    if (issues[i].severity != Severity::Error) continue;
    issues[i].severity = Severity::Warning;
    issues[i].message += " (" + why + ")";
  }
}

// The vital signs profile FHIR requires of an Observation by its code, unless the
// resource claims it already; the reference validator applies it so.
void check_vital_signs(Run& run, const Element& resource, const Path& path,
                       const std::vector<std::pair<std::string, bool>>& wanted) {
  ImpliedVitalSign sign = implied_vital_sign(resource);
  if (sign.profile.empty()) return;
  if (std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == sign.profile; })) return;
  const defs::StructureDef* sd = run.state.profile(sign.profile);
  if (!sd) return;
  run.report(Severity::Information, "informational",
             "validated against the " + std::string(sign.name) + " profile (" + sign.profile +
                 "), which the FHIR specification requires because the " + std::string(sign.system) + " code " +
                 std::string(sign.code) + " was found",
             resource, path);
  size_t before = run.issue_count();
  check_against(run, resource, *sd, 0, path);
  if (run.sender_tolerated()) tolerate(run, before, "FHIR requires it of vital signs: " + sign.profile);
}

}  // namespace

void check_profiles(Run& run, const Element& resource, const Path& path) {
  std::vector<std::pair<std::string, bool>> wanted;  // url, requested explicitly
  if (const Element* meta = child_named(resource, "meta")) {
    for (const Element* p : meta->children()) {
      if (p->name == "profile" && p->has_value) wanted.emplace_back(std::string(p->value), false);
    }
  }
  if (!resource.parent) {
    for (const auto& p : run.options.profiles) wanted.emplace_back(p, true);
  }
  for (const auto& [url, requested] : wanted) {
    const defs::StructureDef* sd = run.state.profile(url);
    // A canonical with a version names that version (url|7.0.0); another one loaded is not it.
    size_t bar = url.find('|');
    std::string version = bar == std::string::npos ? std::string() : url.substr(bar + 1);
    if (sd && !version.empty() && !sd->version.empty() && sd->version != version &&
        !(sd->version.starts_with(version) && sd->version[version.size()] == '.')) {
      run.report(requested ? run.tolerable() : Severity::Warning, "not-found",
                 "the profile '" + url + "' is not known in that version (loaded: " + sd->version +
                     "), so the resource was not checked against it",
                 resource, path);
      continue;
    }
    if (!sd) {
      run.report(requested ? run.tolerable() : Severity::Warning, "not-found",
                 "the profile '" + url + "' is not known, so the resource was not checked against it", resource, path);
      continue;
    }
    if (sd->type != resource.type) {
      run.report(Severity::Error, "invalid",
                 "the profile '" + url + "' is for " + sd->type + ", not " + std::string(resource.type), resource, path);
      continue;
    }
    if (sd->derivation != defs::Derivation::Constraint) continue;  // the base definition: already checked
    size_t before = run.issue_count();
    check_against(run, resource, *sd, 0, path);
    if (!requested && run.options.policy == Policy::Ingest) tolerate(run, before, "the resource claims conformance to " + url);
  }
  if (resource.type == "Observation") check_vital_signs(run, resource, path, wanted);
}

}  // namespace carebridge::fhir::validation
