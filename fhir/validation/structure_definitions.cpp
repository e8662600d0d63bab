// Rules of a StructureDefinition the reference validator checks besides its snapshot: one
// with a base says its derivation; a constraint keeps its base's type and kind, fixes an
// extension's url to its own, binds value sets (not code systems), profiles a type only
// with profiles of that type (modifier extensions exactly where modifiers go), and adds
// constraints of its own that compile, each key with one expression.
#include <unordered_map>

#include "fhir/terminology/terminology.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace defs = carebridge::fhir::definitions;
namespace {

std::string_view kind_name(defs::StructureKind kind) {
  switch (kind) {
    case defs::StructureKind::PrimitiveType: return "primitive-type";
    case defs::StructureKind::ComplexType: return "complex-type";
    case defs::StructureKind::Resource: return "resource";
    case defs::StructureKind::Logical: return "logical";
  }
  return "";
}

std::string_view without_version(std::string_view canonical) { return canonical.substr(0, canonical.find('|')); }

void check_binding_target(Run& run, const Element& e, std::string_view path, const Path& at) {
  const Element* binding = child_named(e, "binding");
  std::string_view vs = binding ? without_version(value_of(child_named(*binding, "valueSet"))) : std::string_view{};
  if (vs.empty() || run.defs.resource("ValueSet", vs)) return;
  if (run.state.terminology().code_system(vs) || run.defs.resource("CodeSystem", vs)) {
    run.report(Severity::Error, "business-rule",
               std::string(path) + ": the binding names " + std::string(vs) + ", a CodeSystem, not a ValueSet", e, at);
  }
}

// A profile of `code` is a StructureDefinition of that type or of one derived from it.
bool profiles_type(const Run& run, const defs::StructureDef& profile, std::string_view code) {
  for (const defs::StructureDef* t = run.defs.type(profile.type); t; t = t->base) {
    if (t->type == code) return true;
  }
  return profile.type == code;
}

// A modifierExtension takes modifier extensions only, and an extension none.
void check_modifier_fit(Run& run, const Element& e, const defs::StructureDef& extension, std::string_view path,
                        const Path& at) {
  const defs::StructureDef* snapshot = run.state.profile(extension.url);
  if (!snapshot || snapshot->elements.empty()) return;
  bool modifier = snapshot->elements[0].is_modifier;
  bool modifier_slot = path.ends_with(".modifierExtension") || path == "modifierExtension";
  bool extension_slot = path.ends_with(".extension") || path == "extension";
  if (modifier_slot && !modifier) {
    run.report(Severity::Error, "business-rule",
               std::string(path) + ": " + extension.url + " is not a modifier extension", e, at);
  } else if (extension_slot && modifier) {
    run.report(Severity::Error, "business-rule",
               std::string(path) + ": " + extension.url + " is a modifier extension; it belongs in modifierExtension", e, at);
  }
}

void check_type_profiles(Run& run, const Element& e, std::string_view path, const Path& at) {
  for (const Element* type : e.children()) {
    if (type->name != "type") continue;
    std::string_view code = value_of(child_named(*type, "code"));
    if (code.empty() || code.find('/') != std::string_view::npos) continue;
    for (const Element* p : type->children()) {
      if (p->name != "profile") continue;
      const defs::StructureDef* profile = run.defs.structure(value_of(p));
      if (!profile) continue;
      if (!profiles_type(run, *profile, code)) {
        run.report(Severity::Error, "business-rule",
                   std::string(path) + ": the profile " + std::string(value_of(p)) + " is of type " + profile->type +
                       ", not " + std::string(code),
                   e, at);
      } else if (code == "Extension") {
        check_modifier_fit(run, e, *profile, path, at);
      }
    }
  }
}

// What the constraints of a profile's differential are checked against, as the reference
// validator does there (its types are not known yet, so expressions are only compiled): a
// constraint is the profile's own (no other source) and a key names one expression, the
// one the base or a core type gave it, or the one an earlier element of the differential did.
class DifferentialConstraints {
 public:
  DifferentialConstraints(Run& run, const defs::StructureDef* base, std::string_view url, std::string_view version)
      : run_(run), base_(base), url_(url), version_(version) {}

  void check(const Element& e, std::string_view path, const Path& at) {
    for (const Element* c : e.children()) {
      if (c->name != "constraint") continue;
      std::string key(value_of(child_named(*c, "key")));
      std::string_view expression = value_of(child_named(*c, "expression"));
      std::string error;
      if (!expression.empty() && run_.engine && !run_.engine->compile(expression, &error)) {
        report(*c, at, std::string(path) + ": the expression of constraint '" + key + "' does not compile: " + error);
      }
      if (key.empty() || expression.empty()) continue;
      std::string_view source = value_of(child_named(*c, "source"));
      if (!source.empty() && source != url_ && source != std::string(url_) + "|" + std::string(version_)) {
        report(*c, at, std::string(path) + ": the constraint '" + key + "' has the source " + std::string(source) +
                           ", but a differential may only add constraints of the profile itself (" + std::string(url_) + ")");
        continue;
      }
      check_key(*c, at, path, key, expression);
    }
  }

 private:
  void report(const Element& c, const Path& at, std::string text) {
    run_.report(Severity::Error, "invalid", std::move(text), c, at);
  }

  void check_key(const Element& c, const Path& at, std::string_view path, const std::string& key,
                 std::string_view expression) {
    const std::string* given = inherited(key);
    if (given && *given != expression) {
      report(c, at, std::string(path) + ": the constraint key '" + key + "' is already used, with the expression '" +
                        *given + "'");
      return;
    }
    auto [it, added] = own_.emplace(key, std::string(expression));
    if (!added && it->second != expression) {
      report(c, at, std::string(path) + ": the constraint key '" + key + "' is already used in this profile, with the expression '" +
                        it->second + "'");
    }
  }

  // The expression the base, or else a core type, gives `key`; null when none does, or when core
  // types give it different ones (inv-1 is Parameters', Task's and TestReport's own).
  const std::string* inherited(const std::string& key) {
    if (base_) {
      for (const auto& e : base_->elements) {
        for (const auto& c : e.constraints) {
          if (c.key == key) return &c.expression;
        }
      }
    }
    if (core_.empty()) {  // a key core types give different expressions (inv-1) belongs to none: null
      for (const defs::StructureDef* sd : run_.defs.structures()) {
        if (sd->derivation != defs::Derivation::Specialization) continue;
        for (const auto& e : sd->elements) {
          for (const auto& c : e.constraints) {
            auto [it, added] = core_.emplace(c.key, &c.expression);
            if (!added && it->second && *it->second != c.expression) it->second = nullptr;
          }
        }
      }
    }
    auto it = core_.find(key);
    return it == core_.end() ? nullptr : it->second;
  }

  Run& run_;
  const defs::StructureDef* base_;
  std::string_view url_, version_;
  std::unordered_map<std::string, std::string> own_;
  std::unordered_map<std::string, const std::string*> core_;
};

// An extension defined on Extension itself fixes its url in the differential: the
// reference validator (SD_EXTENSION_URL_MISSING) rejects a definition that does not.
void check_extension_url_fixed(Run& run, const Element& sd, const Element* differential, std::string_view url,
                               const Path& path) {
  if (url.empty() || value_of(child_named(sd, "type")) != "Extension" ||
      value_of(child_named(sd, "baseDefinition")) != "http://hl7.org/fhir/StructureDefinition/Extension") {
    return;
  }
  for (const Element* elements : {differential, child_named(sd, "snapshot")}) {  // fixed or pattern, in either
    if (!elements) continue;
    for (const Element* e : elements->children()) {
      if (e->name != "element" || value_of(child_named(*e, "path")) != "Extension.url") continue;
      for (const Element* c : e->children()) {
        if (c->name.starts_with("fixed") || c->name.starts_with("pattern")) return;
      }
    }
  }
  run.report(Severity::Error, "invalid",
             "the extension definition " + std::string(url) + " does not fix the value of Extension.url in its differential",
             sd, path);
}

}  // namespace

void check_structure_definition(Run& run, const Element& sd, const Path& path) {
  std::string_view derivation = value_of(child_named(sd, "derivation"));
  std::string_view base_url = value_of(child_named(sd, "baseDefinition"));
  if (!base_url.empty() && derivation.empty()) {
    run.report(Severity::Error, "invalid", "a StructureDefinition with a baseDefinition must say its derivation", sd, path);
  }
  if (derivation != "constraint") return;
  const defs::StructureDef* base = run.defs.structure(base_url);
  std::string_view type = value_of(child_named(sd, "type"));
  if (base && !type.empty() && type != base->type) {
    run.report(Severity::Error, "invalid",
               "the type " + std::string(type) + " must be the type of the base " + base->url + " (" + base->type + ")",
               sd, path);
  }
  std::string_view kind = value_of(child_named(sd, "kind"));
  if (base && !kind.empty() && !kind_name(base->kind).empty() && kind != kind_name(base->kind)) {
    run.report(Severity::Error, "invalid",
               "the kind " + std::string(kind) + " must be the kind of the base " + base->url + " (" +
                   std::string(kind_name(base->kind)) + ")",
               sd, path);
  }
  const Element* differential = child_named(sd, "differential");
  std::string_view url = value_of(child_named(sd, "url"));
  check_extension_url_fixed(run, sd, differential, url, path);
  if (!differential) return;
  bool extension = value_of(child_named(sd, "type")) == "Extension";
  Path dp{&path, "differential", -1};
  DifferentialConstraints constraints(run, base, url, value_of(child_named(sd, "version")));
  int i = 0;
  for (const Element* e : differential->children()) {
    if (e->name != "element") continue;
    Path at{&dp, "element", i++};
    std::string_view element_path = value_of(child_named(*e, "path"));
    std::string_view fixed = value_of(child_named(*e, "fixedUri"));
    if (extension && value_of(child_named(*e, "id")) == "Extension.url" && !fixed.empty() && fixed != url) {
      run.report(Severity::Error, "invalid",
                 "the extension's url is fixed to " + std::string(fixed) + ", not the definition's url " +
                     std::string(url),
                 *e, at);
    }
    check_binding_target(run, *e, element_path, at);
    check_type_profiles(run, *e, element_path, at);
    constraints.check(*e, element_path, at);
  }
}

}  // namespace carebridge::fhir::validation
