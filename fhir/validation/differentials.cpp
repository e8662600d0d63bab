// A constraining StructureDefinition's differential against its base, as generating its
// snapshot judges it: every element it names exists in the base, its types are among the
// base's (or derive from an abstract one), its target profiles among the base's targets (or
// derive from one), it does not loosen the base's cardinality, it does not weaken a required
// binding, binds only what can be bound, fixes values of its own types, slices only what
// repeats, keeps to the base's slicing, sets lengths, ranges, sizes and target profiles only
// on types that take them, and slices a choice by type as type slicing must be.
#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace defs = carebridge::fhir::definitions;
namespace {

// An element of the base, and the type a choice property ("deceasedBoolean") picked.
struct BaseElement {
  const defs::StructureDef* sd = nullptr;
  uint32_t element = defs::kNoElement;
  int choice_type = -1;
};

uint32_t child_by_segment(const defs::StructureDef& sd, uint32_t parent, std::string_view segment, int& choice_type) {
  if (!segment.ends_with("[x]")) {
    const defs::ChildName* c = sd.child(parent, segment);
    if (!c) return defs::kNoElement;
    if (sd.elements[c->element].is_choice) choice_type = c->type;
    return c->element;
  }
  for (uint32_t i : sd.elements[sd.shape_of(parent)].children) {
    const std::string& p = sd.elements[i].path;
    if (p.size() > segment.size() && p.ends_with(segment) && p[p.size() - segment.size() - 1] == '.') return i;
  }
  return defs::kNoElement;
}

// The definition of the one type an element has, whose elements its children are.
const defs::StructureDef* type_of(const Run& run, const defs::StructureDef& sd, uint32_t element, int choice_type) {
  const auto& types = sd.elements[element].types;
  if (choice_type >= 0 && choice_type < static_cast<int>(types.size())) return run.defs.type(types[choice_type].code);
  if (types.size() != 1) return nullptr;
  return types[0].structure ? types[0].structure : run.defs.type(types[0].code);
}

// The base element a differential path names; `found` false when the base has none.
BaseElement resolve(const Run& run, const defs::StructureDef& base, std::string_view path, bool& found) {
  found = true;
  BaseElement at{&base, 0, -1};
  size_t dot = path.find('.');
  while (dot != std::string_view::npos) {
    size_t next = path.find('.', dot + 1);
    std::string_view segment = path.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1);
    int choice = -1;
    uint32_t child = child_by_segment(*at.sd, at.element, segment, choice);
    if (child == defs::kNoElement && at.element != 0) {  // a child of the element's type
      const defs::StructureDef* type = type_of(run, *at.sd, at.element, at.choice_type);
      if (!type || type->elements.empty()) return BaseElement{};  // cannot follow: no judgement
      at = BaseElement{type, 0, -1};
      child = child_by_segment(*type, 0, segment, choice);
    }
    if (child == defs::kNoElement) {
      found = false;
      return BaseElement{};
    }
    at.element = child;
    at.choice_type = choice;
    dot = next;
  }
  return at;
}

// A type is allowed when the base lists it, or lists an abstract type it derives from.
bool type_allowed(const Run& run, const defs::ElementDef& base, int choice_type, std::string_view code) {
  for (size_t i = 0; i < base.types.size(); ++i) {
    if (choice_type >= 0 && static_cast<int>(i) != choice_type) continue;
    if (base.types[i].code == code) return true;
    const defs::StructureDef* derived = run.defs.type(code);
    for (const defs::StructureDef* t = derived ? derived->base : nullptr; t; t = t->base) {
      if (t->type == base.types[i].code) return true;
    }
  }
  return false;
}

std::optional<uint32_t> parse_max(std::string_view text) {
  if (text == "*") return defs::kUnbounded;
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

void check_cardinality(Run& run, const Element& e, const defs::ElementDef& base, std::string_view path, const Path& at) {
  std::string_view min_text = value_of(child_named(e, "min"));
  uint32_t min = 0;
  auto [end, ec] = std::from_chars(min_text.data(), min_text.data() + min_text.size(), min);
  if (!min_text.empty() && ec == std::errc() && min < base.min) {
    run.report(Severity::Error, "business-rule",
               std::string(path) + ": min " + std::string(min_text) + " is less than the base's min " +
                   std::to_string(base.min),
               e, at);
  }
  auto max = parse_max(value_of(child_named(e, "max")));
  if (max && *max > base.max) {
    run.report(Severity::Error, "business-rule",
               std::string(path) + ": max " + std::string(value_of(child_named(e, "max"))) +
                   " is greater than the base's max " + (base.max == defs::kUnbounded ? "*" : std::to_string(base.max)),
               e, at);
  }
}

// The type codes an element may have: its own when it lists them, else its base's.
std::vector<std::string> types_of(const Element& e, const defs::ElementDef& base, int choice_type) {
  std::vector<std::string> out;
  for (const Element* type : e.children()) {
    if (type->name == "type") out.emplace_back(value_of(child_named(*type, "code")));
  }
  if (!out.empty()) return out;
  for (size_t i = 0; i < base.types.size(); ++i) {
    if (choice_type < 0 || static_cast<int>(i) == choice_type) out.push_back(base.types[i].code);
  }
  return out;
}

// A binding needs a type that can carry a code; a fixed or pattern value one of the types.
void check_values(Run& run, const Element& e, const std::vector<std::string>& types, std::string_view path,
                  const Path& at) {
  // FHIRPath system types (Element.id, Extension.url) stand for several FHIR types: no judgement.
  auto system_type = [](const std::string& t) { return t.find('/') != std::string::npos; };
  if (types.empty() || std::any_of(types.begin(), types.end(), system_type)) return;
  static constexpr std::string_view kBindable[] = {"code", "Coding", "CodeableConcept", "Quantity", "string", "uri",
                                                   "canonical"};
  auto bindable = [](const std::string& t) { return std::find(std::begin(kBindable), std::end(kBindable), t) != std::end(kBindable); };
  if (child_named(e, "binding") && std::none_of(types.begin(), types.end(), bindable)) {
    run.report(Severity::Error, "business-rule", std::string(path) + " has a binding, but none of its types can be bound",
               e, at);
  }
  for (const Element* c : e.children()) {
    std::string_view name = c->name;
    std::string_view kind = name.starts_with("fixed") ? "fixed" : name.starts_with("pattern") ? "pattern" : "";
    if (kind.empty() || name.size() == kind.size()) continue;
    std::string_view suffix = name.substr(kind.size());
    bool listed = std::any_of(types.begin(), types.end(), [&](const std::string& t) { return defs::capitalize(t) == suffix; });
    if (!listed) {
      run.report(Severity::Error, "business-rule",
                 std::string(path) + " has a " + std::string(kind) + " value of type " + std::string(suffix) +
                     ", which is not one of its types",
                 e, at);
    }
  }
}

// What a type can be constrained by, as the reference validator infers for types that do not
// declare their characteristics (R4's do not): a length, a range, decimals, a size, a target.
enum Characteristic : unsigned { kLength = 1, kRange = 2, kContinuous = 4, kSize = 8, kTarget = 16 };

unsigned characteristics_of(std::string_view type) {
  static const std::unordered_map<std::string_view, unsigned> table = {
      {"integer", kRange | kLength}, {"integer64", kRange | kLength}, {"decimal", kRange | kContinuous | kLength},
      {"base64Binary", kSize}, {"instant", kRange | kContinuous | kLength}, {"string", kLength}, {"uri", kLength},
      {"date", kRange | kLength}, {"dateTime", kRange | kContinuous | kLength}, {"time", kRange | kContinuous | kLength},
      {"canonical", kTarget | kLength}, {"code", kLength}, {"id", kLength}, {"markdown", kLength}, {"oid", kLength},
      {"positiveInt", kRange | kLength}, {"unsignedInt", kRange | kLength}, {"url", kLength}, {"uuid", kLength},
      {"Age", kRange | kContinuous}, {"Attachment", kSize}, {"CodeableReference", kTarget}, {"Count", kRange},
      {"Distance", kRange | kContinuous}, {"Duration", kRange | kContinuous}, {"Money", kRange | kContinuous},
      {"Quantity", kRange | kContinuous}, {"MoneyQuantity", kRange | kContinuous},
      {"SimpleQuantity", kRange | kContinuous}, {"Reference", kTarget}};
  auto found = table.find(type);
  return found == table.end() ? 0 : found->second;
}

// A length, range, decimal places, size or target profile is a constraint only some types take
// (SD_ILLEGAL_CHARACTERISTICS): judged on the types the element itself lists, when one is known.
void check_characteristics(Run& run, const Element& e, std::string_view path, const Path& at) {
  // The root element's type is the profiled type itself.
  bool root = path.find('.') == std::string_view::npos;
  unsigned have = root ? characteristics_of(path) : 0;
  bool known = root;
  std::string listed = root ? std::string(path) : std::string();
  auto illegal = [&](std::string_view what, std::string_view types) {
    run.report(Severity::Error, "business-rule",
               std::string(path) + " has a " + std::string(what) + ", which the types " + std::string(types) +
                   " do not take",
               e, at);
  };
  for (const Element* type : e.children()) {
    if (type->name != "type") continue;
    std::string_view code = value_of(child_named(*type, "code"));
    if (code.empty() || !run.defs.type(code)) continue;
    known = true;
    have |= characteristics_of(code);
    listed += (listed.empty() ? "" : ", ") + std::string(code);
    if (child_named(*type, "targetProfile") && !(characteristics_of(code) & kTarget)) illegal("targetProfile", code);
  }
  if (!known) return;
  auto needs = [&](bool present, unsigned characteristic, std::string_view what) {
    if (present && !(have & characteristic)) illegal(what, listed);
  };
  auto has_extension = [&](std::string_view url) {
    for (const Element* x : e.children()) {
      if (x->name == "extension" && value_of(child_named(*x, "url")) == url) return true;
    }
    return false;
  };
  bool min_value = false, max_value = false;
  for (const Element* c : e.children()) {
    min_value = min_value || (c->name.starts_with("minValue") && c->name.size() > 8);
    max_value = max_value || (c->name.starts_with("maxValue") && c->name.size() > 8);
  }
  needs(child_named(e, "maxLength") != nullptr, kLength, "maxLength");
  needs(has_extension("http://hl7.org/fhir/StructureDefinition/minLength"), kLength, "minLength");
  needs(min_value, kRange, "minValue");
  needs(max_value, kRange, "maxValue");
  needs(has_extension("http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"), kContinuous, "maxDecimalPlaces");
  needs(has_extension("http://hl7.org/fhir/StructureDefinition/maxSize"), kSize, "maxSize");
}

// A target profile the differential gives a Reference or canonical constrains one its base
// allows: it is one of the base's targets, or its base definitions lead to one. A profile not
// known cannot be judged; a base without targets allows any.
bool target_allowed(Run& run, const std::vector<std::string>& base_targets, std::string_view target) {
  auto unversioned = [](std::string_view u) { return u.substr(0, u.find('|')); };
  std::string url(unversioned(target));
  for (int depth = 0; depth < 16 && !url.empty(); ++depth) {
    // A base target may carry a version (Patient|4.0.1): compared without it, as the target is.
    if (std::any_of(base_targets.begin(), base_targets.end(), [&](const std::string& b) { return unversioned(b) == url; }))
      return true;
    const defs::StructureDef* sd = run.state.profile(url);
    if (!sd) return true;
    url = sd->base_definition.substr(0, sd->base_definition.find('|'));
  }
  return false;
}

void check_target_profiles(Run& run, const Element& type, const defs::ElementDef& base, std::string_view path,
                           const Path& at) {
  std::string_view code = value_of(child_named(type, "code"));
  auto same = std::find_if(base.types.begin(), base.types.end(), [&](const defs::TypeRef& t) { return t.code == code; });
  if (same == base.types.end() || same->target_profiles.empty()) return;
  for (const Element* target : type.children()) {
    if (target->name != "targetProfile" || target_allowed(run, same->target_profiles, value_of(target))) continue;
    run.report(Severity::Error, "business-rule",
               std::string(path) + ": the target profile " + std::string(value_of(target)) +
                   " is not a valid constraint on the base's targets",
               *target, at);
  }
}

// Slicing the differential declares where the base slices already keeps to the base's: its
// discriminators start with the base's (it may add more), it does not loosen closed rules
// (a choice's rules are not compared), and an ordered slicing stays ordered.
void check_slicing_against_base(Run& run, const Element& e, const defs::ElementDef& base, std::string_view path,
                                const Path& at) {
  const Element* slicing = child_named(e, "slicing");
  if (!slicing || !base.slicing || !value_of(child_named(e, "sliceName")).empty()) return;
  const defs::Slicing& b = *base.slicing;
  auto mismatch = [&](std::string_view what) {
    run.report(Severity::Error, "structure",
               std::string(path) + ": the slicing does not match the base's slicing (" + std::string(what) + ")", e, at);
  };
  std::vector<const Element*> discriminators;
  for (const Element* c : slicing->children()) {
    if (c->name == "discriminator") discriminators.push_back(c);
  }
  if (!discriminators.empty() && !b.discriminators.empty()) {
    bool prefix = discriminators.size() >= b.discriminators.size();
    for (size_t i = 0; prefix && i < b.discriminators.size(); ++i) {
      prefix = value_of(child_named(*discriminators[i], "type")) == b.discriminators[i].type &&
               value_of(child_named(*discriminators[i], "path")) == b.discriminators[i].path;
    }
    if (!prefix) mismatch("discriminator");
  }
  std::string_view rules = value_of(child_named(*slicing, "rules"));
  if (!base.is_choice && !rules.empty() && !b.rules.empty() && rules != b.rules && b.rules != "open" &&
      !(rules == "openAtEnd" && b.rules == "closed")) {
    mismatch("rules " + std::string(rules) + " on " + b.rules);
  }
  if (b.ordered && value_of(child_named(*slicing, "ordered")) == "false") mismatch("order");
}

// Paths the differential declares slicing on (unsliced elements), with the max written there.
using SlicingMax = std::unordered_map<std::string_view, std::string_view>;

void check_element(Run& run, const defs::StructureDef& base, const Element& e, const SlicingMax& slicing_max,
                   const Path& at) {
  std::string_view path = value_of(child_named(e, "path"));
  std::string_view id = value_of(child_named(e, "id"));
  check_characteristics(run, e, path, at);
  // A constraint says nothing about what a missing element means, but for an extension
  // (SD_ELEMENT_NOT_IN_CONSTRAINT).
  if (child_named(e, "meaningWhenMissing") && path != "Extension" && !path.ends_with(".extension")) {
    run.report(Severity::Error, "structure",
               std::string(path) + " has a meaningWhenMissing, which a constraining profile may give only an extension", e,
               at);
  }
  if (path.find('.') == std::string_view::npos) return;
  bool found = true;
  BaseElement b = resolve(run, base, path, found);
  if (!found) {
    run.report(Severity::Error, "structure",
               std::string(path) + " is not an element of the base definition " + base.url, e, at);
    return;
  }
  if (!b.sd) return;
  const defs::ElementDef& def = b.sd->elements[b.element];
  for (const Element* type : e.children()) {
    if (type->name != "type") continue;
    std::string_view code = value_of(child_named(*type, "code"));
    if (!code.empty() && !def.types.empty() && !type_allowed(run, def, b.choice_type, code)) {
      run.report(Severity::Error, "structure",
                 std::string(path) + ": the type " + std::string(code) + " is not one the base allows here", e, at);
    } else {
      check_target_profiles(run, *type, def, path, at);
    }
  }
  check_values(run, e, types_of(e, def, b.choice_type), path, at);
  check_slicing_against_base(run, e, def, path, at);
  bool sliced_here = !value_of(child_named(e, "sliceName")).empty();
  // An element that does not repeat may be sliced only when its slicing allows one slice in all
  // (max 1 where the differential declares the slicing), to split constraints by type.
  auto entry = slicing_max.find(path);
  if (sliced_here && def.max == 1 && !def.is_choice && entry != slicing_max.end() && entry->second != "1") {
    run.report(Severity::Error, "structure",
               std::string(path) + ": a slice of an element that does not repeat (max 1 in the base)", e, at);
  }
  // Slices and what is inside them start from a copy of what they slice: their own rules.
  bool in_slice = sliced_here || id.find(':') != std::string_view::npos;
  if (!in_slice) check_cardinality(run, e, def, path, at);
  const Element* binding = child_named(e, "binding");
  std::string_view strength = binding ? value_of(child_named(*binding, "strength")) : std::string_view{};
  if (!strength.empty() && strength != "required" && def.binding && def.binding->strength == "required") {
    run.report(Severity::Error, "business-rule",
               std::string(path) + ": the base binding is required; a profile cannot make it " + std::string(strength),
               e, at);
  }
}

// A choice sliced by type in the differential (Observation.value[x] and its slices
// value[x]:valueQuantity ...), in the differential's order: its slicing element, if
// there, and the slices, with where each is in the differential.
struct TypeSlicing {
  std::string key;  // the choice's id: Observation.component.value[x]
  const Element* root = nullptr;
  Path root_at;
  std::vector<std::pair<const Element*, Path>> slices;
};

// The id of the choice an element (by its id) is or slices; empty for anything else.
std::string_view choice_id(std::string_view id, bool& is_slice) {
  size_t colon = id.rfind(':');
  size_t dot = id.rfind('.');
  is_slice = colon != std::string_view::npos && (dot == std::string_view::npos || colon > dot);
  std::string_view choice = is_slice ? id.substr(0, colon) : id;
  if (!choice.ends_with("[x]") || (is_slice && id.substr(colon).find('/') != std::string_view::npos)) return {};
  return choice;
}

// The slicing of a type slicing is unordered, by one discriminator: type at $this.
void check_type_slicing_root(Run& run, const Element& root, std::string_view path, const Path& at) {
  const Element* slicing = child_named(root, "slicing");
  if (!slicing) return;
  auto error = [&](const std::string& what) {
    run.report(Severity::Error, "structure", std::string(path) + ": type slicing " + what, root, at);
  };
  if (value_of(child_named(*slicing, "ordered")) == "true") error("cannot be ordered");
  std::vector<const Element*> discriminators;
  for (const Element* c : slicing->children()) {
    if (c->name == "discriminator") discriminators.push_back(c);
  }
  if (discriminators.empty()) return;
  if (discriminators.size() != 1) return error("has one discriminator, not " + std::to_string(discriminators.size()));
  if (value_of(child_named(*discriminators[0], "type")) != "type") error("has a discriminator of type 'type'");
  if (value_of(child_named(*discriminators[0], "path")) != "$this") error("has its discriminator at '$this'");
}

// Each slice of one type is named for it (valueQuantity); a slice required (min > 0) leaves
// no room for the slices after it.
void check_type_slices(Run& run, const TypeSlicing& slicing) {
  std::string element = slicing.key.substr(slicing.key.rfind('.') + 1);
  element.resize(element.size() - 3);
  for (size_t i = 0; i < slicing.slices.size(); ++i) {
    const auto& [slice, at] = slicing.slices[i];
    std::string_view path = value_of(child_named(*slice, "path"));
    std::vector<std::string_view> codes;
    for (const Element* type : slice->children()) {
      if (type->name == "type") codes.push_back(value_of(child_named(*type, "code")));
    }
    std::string_view name = value_of(child_named(*slice, "sliceName"));
    if (codes.size() == 1 && !codes[0].empty() && !name.empty()) {
      std::string expected = std::string(element) + defs::capitalize(codes[0]);
      if (name != expected) {
        run.report(Severity::Error, "structure",
                   std::string(path) + ": the type slice for " + std::string(codes[0]) + " must be named " + expected +
                       ", not " + std::string(name),
                   *slice, at);
      }
    }
    std::string_view min = value_of(child_named(*slice, "min"));
    if (!min.empty() && min != "0" && i + 1 < slicing.slices.size()) {
      run.report(Severity::Error, "structure",
                 std::string(path) + ": the type slice " + std::string(name) +
                     " has min > 0, so the other type slices after it cannot exist",
                 *slice, at);
    }
  }
}

// Type slicings as generating the snapshot judges them: a slicing element on the choice, or
// more than one element for it (a lone slice is a plain constraint on the choice).
void check_type_slicings(Run& run, const Element& differential, const Path& dp) {
  std::vector<TypeSlicing> found;
  int i = 0;
  for (const Element* e : differential.children()) {
    if (e->name != "element") continue;
    Path at{&dp, "element", i++};
    bool is_slice = false;
    std::string_view key = choice_id(value_of(child_named(*e, "id")), is_slice);
    if (key.empty()) continue;
    auto it = std::find_if(found.begin(), found.end(), [&](const TypeSlicing& t) { return t.key == key; });
    if (it == found.end()) it = found.insert(found.end(), TypeSlicing{std::string(key), nullptr, at, {}});
    if (is_slice) {
      it->slices.emplace_back(e, at);
    } else if (!it->root) {
      it->root = e;
      it->root_at = at;
    }
  }
  for (const TypeSlicing& t : found) {
    bool has_slicing = t.root && child_named(*t.root, "slicing");
    if (!has_slicing && t.slices.size() + (t.root ? 1 : 0) < 2) continue;
    if (t.root) check_type_slicing_root(run, *t.root, value_of(child_named(*t.root, "path")), t.root_at);
    check_type_slices(run, t);
  }
}

// The number of types the differential gives the element with this id, or -1 when it gives none.
int types_given(const Element& differential, std::string_view id) {
  for (const Element* e : differential.children()) {
    if (e->name != "element" || value_of(child_named(*e, "id")) != id) continue;
    int n = 0;
    for (const Element* t : e->children()) n += t->name == "type";
    return n == 0 ? -1 : n;
  }
  return -1;
}

// An element below a choice (Observation.value[x].code) needs the choice to have one type
// by then: the differential narrows it to one, or the element sits in a type slice
// (value[x]:valueQuantity.code). Snapshot generation refuses children of a choice with
// several types, but several references ('has children and multiple types').
void check_choice_children(Run& run, const defs::StructureDef& base, const Element& differential, const Path& dp) {
  int i = 0;
  for (const Element* e : differential.children()) {
    if (e->name != "element") continue;
    Path at{&dp, "element", i++};
    std::string_view id = value_of(child_named(*e, "id"));
    size_t choice = id.find("[x].");
    if (choice == std::string_view::npos) continue;
    std::string_view choice_id = id.substr(0, choice + 3);
    if (choice_id.find(':', choice_id.rfind('.')) != std::string_view::npos || types_given(differential, choice_id) == 1) {
      continue;
    }
    std::string choice_path;
    for (size_t from = 0; from < choice_id.size();) {  // the id's path: slice names dropped
      size_t dot = std::min(choice_id.find('.', from), choice_id.size());
      std::string_view step = choice_id.substr(from, dot - from);
      choice_path += (from ? "." : "") + std::string(step.substr(0, step.find(':')));
      from = dot + 1;
    }
    bool found = true;
    BaseElement b = resolve(run, base, choice_path, found);
    if (!found || !b.sd) continue;
    const auto& types = b.sd->elements[b.element].types;
    bool several = types_given(differential, choice_id) > 1 || types.size() > 1;
    bool references = std::all_of(types.begin(), types.end(), [](const defs::TypeRef& t) { return t.code == "Reference"; });
    if (several && !references) {
      run.report(Severity::Error, "structure",
                 std::string(value_of(child_named(*e, "path"))) + " is below " + choice_path +
                     ", which has several types: a profile constrains a choice's children once it has one type",
                 *e, at);
    }
  }
}

}  // namespace

void check_differential(Run& run, const Element& sd, const Path& path) {
  if (value_of(child_named(sd, "derivation")) != "constraint") return;
  const Element* differential = child_named(sd, "differential");
  if (!differential) return;
  const defs::StructureDef* base = run.state.profile(value_of(child_named(sd, "baseDefinition")));
  if (!base || base->elements.empty() || base->type != value_of(child_named(sd, "type"))) return;
  SlicingMax slicing_max;
  for (const Element* e : differential->children()) {
    if (e->name == "element" && child_named(*e, "slicing") && value_of(child_named(*e, "sliceName")).empty()) {
      slicing_max[value_of(child_named(*e, "path"))] = value_of(child_named(*e, "max"));
    }
  }
  Path dp{&path, "differential", -1};
  int i = 0;
  for (const Element* e : differential->children()) {
    if (e->name != "element") continue;
    check_element(run, *base, *e, slicing_max, Path{&dp, "element", i++});
  }
  check_type_slicings(run, *differential, dp);
  check_choice_children(run, *base, *differential, dp);
}

}  // namespace carebridge::fhir::validation
