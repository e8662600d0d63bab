// Extensions: a known extension (by url) is checked against its definition (value
// type, nested extensions, cardinality) and its context (where it may be used, also
// through contentReference and on ElementDefinitions); the parts of a complex extension
// against the parts its definition names. An unknown extension is an error when strict,
// as the reference validator has it (but for example domains), and a warning when
// ingesting; an unknown modifierExtension is always an error.
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

// Cross-version extensions (http://hl7.org/fhir/5.0/StructureDefinition/extension-Path) are
// defined implicitly by the FHIR specification for every element of every version.
bool is_cross_version(std::string_view url) {
  constexpr std::string_view prefix = "http://hl7.org/fhir/";
  if (!url.starts_with(prefix)) return false;
  url.remove_prefix(prefix.size());
  size_t i = 0;
  while (i < url.size() && (std::isdigit(static_cast<unsigned char>(url[i])) || url[i] == '.')) ++i;
  return i > 0 && url.substr(i).starts_with("/StructureDefinition/extension-");
}

// The FHIR version a cross-version extension url names ("5.0"), when it is a release the
// reference validator knows cross-version definitions for (DSTU2, STU3, R4, R4B, R5, R6);
// another (9.9, 2.0) defines nothing (EXTENSION_EXT_VERSION_INVALID).
bool cross_version_known(std::string_view url) {
  std::string_view version = url.substr(std::string_view("http://hl7.org/fhir/").size());
  version = version.substr(0, version.find('/'));
  for (std::string_view known : {"1.0", "3.0", "4.0", "4.3", "5.0", "6.0"}) {  // as the current reference validator (no 1.4)
    if (version == known) return true;
  }
  return false;
}

// The FHIRPath-like path of an element without indexes: "Patient.contact.name".
std::string plain_path(const Element& node) {
  std::vector<std::string_view> steps;
  for (const Element* e = &node; e; e = e->parent) {
    if (e->is_resource() || !e->parent) {
      steps.push_back(e->type);
      break;
    }
    steps.push_back(e->base_name());
  }
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) out += (out.empty() ? "" : ".") + std::string(*it);
  return out;
}

// Where an extension sits, as the paths a context may name: the host's type (and the
// types it specializes), its path in the resource, the path of its definition and,
// for an element reused through contentReference (PlanDefinition.action.action), the
// path of the element it reuses (PlanDefinition.action).
bool element_context_allows(Run& run, std::string_view context, const Element& host, const std::string& host_path) {
  if (context == "Element" || context == "Base" || context == "Any") return true;
  if (context == host.type || context == host_path) return true;
  if (const definitions::ElementDef* d = host.definition) {
    if (context == d->path || (!d->content_reference.empty() && context == d->content_reference)) return true;
  }
  if (host.is_resource() && (context == "Resource" || context == "DomainResource")) return true;
  if (context == "BackboneElement" && host.type == "BackboneElement") return true;
  // A context naming a type matches its specializations (Quantity for Age, Resource types...).
  for (const auto* t = run.defs.type(host.type); t; t = t->base) {
    if (t->type == context) return true;
  }
  return false;
}

// A FHIRPath context ("Patient.name.where(use = 'official')"): the host is among what it selects
// in the resource, as the reference validator evaluates it. What cannot be evaluated allows it.
bool expression_context_allows(Run& run, const std::string& expression, const Element& host) {
  if (!run.engine || !run.frame.resource) return true;
  bool first_failure = false;  // compiled once per expression, as constraints are
  auto compiled = run.state.invariant(*run.engine, expression, first_failure);
  if (!compiled) return true;
  fhirpath::Context context;
  context.resource = run.frame.resource;
  context.root_resource = run.frame.container;
  auto result = run.engine->evaluate(*compiled, *run.frame.resource, context);
  if (!result.ok) return true;
  for (const auto& item : result.items) {
    if (item.element == &host) return true;
  }
  return false;
}

bool context_allows(Run& run, const definitions::StructureDef& sd, const Element& host) {
  if (sd.contexts.empty()) return true;
  // Any extension may decorate an example, fixed or pattern value in an ElementDefinition.
  if (host.definition) {
    const std::string& p = host.definition->path;
    if (p == "ElementDefinition.example.value[x]" || p == "ElementDefinition.pattern[x]" || p == "ElementDefinition.fixed[x]") {
      return true;
    }
  }
  std::string host_path = plain_path(host);
  // Contexts the reference validator widens: regex and fhir-type also on ElementDefinition.type
  // (FHIR-13328), normative-version anywhere.
  if (sd.url == "http://hl7.org/fhir/StructureDefinition/structuredefinition-normative-version") return true;
  if ((sd.url == "http://hl7.org/fhir/StructureDefinition/regex" ||
       sd.url == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type") &&
      element_context_allows(run, "ElementDefinition.type", host, host_path)) {
    return true;
  }
  for (const auto& context : sd.contexts) {
    if (context.empty()) return true;
    if (context.find_first_of("() ") != std::string::npos) {
      if (expression_context_allows(run, context, host)) return true;
      continue;
    }
    if (context.find("://") != std::string::npos || context.starts_with("urn:")) {
      // An extension context: the host is that extension.
      if (host.type == "Extension" && value_of(child_named(host, "url")) == context) return true;
      continue;
    }
    if (element_context_allows(run, context, host, host_path)) return true;
  }
  return false;
}

// The extension's contextInvariants, each true of its host with %extension the extension (the
// reference validator's PROFILE_EXT_NOT_HERE): sliderStepValue only on an integer item. Tested
// as invariants.cpp tests a constraint (an empty result fails it); what cannot be evaluated
// allows it.
std::string failed_context_invariant(Run& run, const definitions::StructureDef& sd, const Element& host,
                                     const Element& extension) {
  if (!run.engine || !run.frame.resource) return {};
  for (const std::string& invariant : sd.context_invariants) {
    bool first_failure = false;
    auto compiled = run.state.invariant(*run.engine, invariant, first_failure);
    if (!compiled) continue;
    fhirpath::Context context;
    context.resource = run.frame.resource;
    context.root_resource = run.frame.container;
    context.primitives_are_system_types = true;
    context.empty_fails = true;
    fhirpath::Item self;
    self.element = &extension;
    context.variables.emplace_back("extension", fhirpath::Collection{self});
    if (run.engine->test(*compiled, host, context) == false) return invariant;
  }
  return {};
}

// Unknown extensions the reference validator lets through: example domains and its own tooling space.
bool unknown_allowed(std::string_view url) {
  for (std::string_view domain : {"example.org", "acme.com", "nema.org"}) {
    if (url.find(domain) != std::string_view::npos) return true;
  }
  return url.starts_with("http://hl7.org/fhir/tools/StructureDefinition/") ||
         url == "http://hl7.org/fhir/StructureDefinition/structuredefinition-expression";
}

}  // namespace

namespace {

// A cross-version extension for the element A.b.c belongs where A.b is (the reference
// validator generates its definition with that context). When A.b is an element of R4 too,
// that is checked here; an element R4 does not have leaves the extension unchecked.
bool cross_version_context_allows(Run& run, std::string_view url, const Element& extension) {
  std::string_view element = url.substr(url.find("/extension-") + std::string_view("/extension-").size());
  size_t dot = element.rfind('.');
  if (dot == std::string_view::npos || !extension.parent) return true;
  std::string_view parent = element.substr(0, dot);
  const definitions::StructureDef* type = run.defs.type(parent.substr(0, parent.find('.')));
  if (!type || type->find(parent) == definitions::kNoElement) return true;
  return element_context_allows(run, parent, *extension.parent, plain_path(*extension.parent));
}

// An extension whose url resolves to no definition. The reference validator (with its
// default of no "any extension" allowance) rejects it unless the url is in an example
// domain or its own tooling space; those it notes. A modifier extension cannot be ignored,
// whatever its domain (stricter than the reference for example domains, on purpose).
void unknown_extension(Run& run, const Element& extension, std::string_view url, const Path& path) {
  bool modifier = extension.name == "modifierExtension";
  bool strict = run.options.policy == Policy::Strict;
  if (is_cross_version(url)) {
    if (!cross_version_known(url)) {
      run.report(Severity::Error, "structure",
                 "the cross-version extension '" + std::string(url) + "' names no FHIR version with definitions (1.0, " +
                     "3.0, 4.0, 4.3, 5.0, 6.0)",
                 extension, path);
      return;
    }
    if (!cross_version_context_allows(run, url, extension)) {
      run.report(Severity::Error, "structure",
                 "the cross-version extension '" + std::string(url) + "' is not allowed here (" +
                     plain_path(*extension.parent) + ")",
                 extension, path);
      return;
    }
    // Defined implicitly for another FHIR version: its value is not checked here.
    run.report(modifier ? Severity::Error : Severity::Warning, modifier ? "structure" : "informational",
               "the cross-version extension '" + std::string(url) + "' was not checked", extension, path);
    return;
  }
  if (strict && !modifier && unknown_allowed(url)) {
    run.report(Severity::Warning, "informational",
               "the extension '" + std::string(url) + "' is unknown (an example domain), so it was not checked", extension,
               path);
    return;
  }
  if (!modifier && !run.defs.in_loaded_package_space(url)) {
    // A package that was loaded depends on one that was not (US Core on HL7's
    // extensions pack): the definition may well be there. Not so for a url in a loaded
    // package's own space (a misspelt US Core extension): that package would define it.
    auto missing = run.defs.missing_dependencies();
    if (!missing.empty()) {
      std::string names;
      for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
      run.report(Severity::Warning, "not-found",
                 "the extension '" + std::string(url) + "' could not be found; it may be defined in a package that " +
                     "was not loaded (" + names + "), so it was not checked",
                 extension, path);
      return;
    }
  }
  Severity severity = modifier ? Severity::Error : run.tolerable();
  run.report(severity, severity == Severity::Error ? "structure" : "informational",
             std::string(modifier ? "the modifier extension '" : "the extension '") + std::string(url) +
                 "' could not be found, so it " + (severity == Severity::Error ? "is not allowed here" : "was not checked"),
             extension, path);
}

// The fixed urls of the parts the definition gives the (part of an) extension whose element id
// is `prefix` ("Extension", "Extension.extension:detail"), each with its slice's id.
std::vector<std::pair<std::string, std::string>> part_slices(const definitions::StructureDef& sd, const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string head = prefix + ".extension:";
  for (const auto& e : sd.elements) {
    if (!e.id.starts_with(head) || !e.id.ends_with(".url") || !e.fixed) continue;
    std::string slice = e.id.substr(0, e.id.size() - 4);
    if (slice.find('.', head.size()) != std::string::npos) continue;  // deeper
    if (std::string url = e.fixed->string_value(); !url.empty()) out.emplace_back(std::move(url), slice);
  }
  return out;
}

// A part of a complex extension (a relative url) must be one its parent's definition names;
// for a part of a part, the definition of that part inside the extension's definition.
void check_sub_extension(Run& run, const Element& extension, std::string_view url, const Path& path) {
  std::vector<std::string_view> chain;  // the relative urls between the extension and its defined ancestor
  std::string_view root_url;
  for (const Element* at = extension.parent; at && at->type == "Extension"; at = at->parent) {
    std::string_view u = value_of(child_named(*at, "url"));
    if (u.empty()) return;
    if (is_absolute_url(u)) {
      root_url = u;
      break;
    }
    chain.push_back(u);
  }
  if (root_url.empty()) return;
  const definitions::StructureDef* sd = run.state.profile(root_url);
  if (!sd || sd->type != "Extension") return;
  if (chain.empty()) {
    if (!run.state.sub_extensions(*sd).count(std::string(url))) {
      run.report(Severity::Error, "structure",
                 "the extension '" + std::string(root_url) + "' defines no part '" + std::string(url) + "'", extension,
                 path);
    }
    return;
  }
  std::string prefix = "Extension";
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    std::string next;
    for (const auto& [part_url, slice] : part_slices(*sd, prefix)) {
      if (part_url == *it) next = slice;
    }
    if (next.empty()) return;  // reported at that level, or not defined as a slice
    prefix = std::move(next);
  }
  auto parts = part_slices(*sd, prefix);
  if (parts.empty()) return;  // the definition does not name the parts of that part
  for (const auto& part : parts) {
    if (part.first == url) return;
  }
  run.report(Severity::Error, "structure",
             "the part '" + std::string(chain.front()) + "' of the extension '" + std::string(root_url) +
                 "' defines no part '" + std::string(url) + "'",
             extension, path);
}

}  // namespace

void check_extension(Run& run, const Element& extension, const Path& path) {
  std::string_view url = value_of(child_named(extension, "url"));
  if (url.empty()) return;  // the cardinality check reports the missing url
  const Element* host = extension.parent;
  bool nested = host && host->type == "Extension";
  if (!is_absolute_url(url)) {
    if (nested) {
      check_sub_extension(run, extension, url, path);
    } else {
      run.report(Severity::Error, "value", "the extension url '" + std::string(url) + "' must be an absolute URL",
                 extension, path);
    }
    return;
  }
  const definitions::StructureDef* sd = run.state.profile(url);
  if (!sd || sd->type != "Extension") {
    unknown_extension(run, extension, url, path);
    return;
  }
  if (host && !context_allows(run, *sd, *host)) {
    std::string contexts;
    for (const auto& c : sd->contexts) contexts += (contexts.empty() ? "" : ", ") + c;
    run.report(Severity::Error, "structure",
               "the extension '" + std::string(url) + "' is not allowed here (" + plain_path(*host) +
                   "); it may be used on: " + contexts,
               extension, path);
  }
  if (host) {
    if (std::string invariant = failed_context_invariant(run, *sd, *host, extension); !invariant.empty())
      run.report(Severity::Error, "structure",
                 "the extension '" + std::string(url) + "' is not allowed here (" + plain_path(*host) +
                     "): its context invariant '" + invariant + "' does not hold",
                 extension, path);
  }
  bool declared_modifier = !sd->elements.empty() && sd->elements[0].is_modifier;
  if (declared_modifier && extension.name == "extension") {
    run.report(Severity::Error, "structure",
               "the extension '" + std::string(url) + "' is a modifier and must be a modifierExtension", extension, path);
  } else if (!declared_modifier && extension.name == "modifierExtension") {
    run.report(Severity::Error, "structure",
               "the extension '" + std::string(url) + "' is not a modifier and cannot be a modifierExtension", extension,
               path);
  }
  check_against(run, extension, *sd, 0, path);
}

}  // namespace carebridge::fhir::validation
