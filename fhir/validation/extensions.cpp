// Extensions: a known extension (by url) is checked against its definition (value
// type, nested extensions, cardinality) and its context (where it may be used);
// an unknown one is a warning, or an error for a modifierExtension, which a
// reader cannot safely ignore.
#include <cctype>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

bool is_absolute(std::string_view url) { return url.find(':') != std::string_view::npos; }

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

bool context_allows(Run& run, const definitions::StructureDef& sd, const Element& host) {
  if (sd.contexts.empty()) return true;
  std::string host_path = plain_path(host);
  for (const auto& context : sd.contexts) {
    if (context.empty() || context == "Element" || context == "Base") return true;
    if (context.find_first_of("() ") != std::string::npos) return true;  // an expression we do not evaluate
    if (context == host.type || context == host_path) return true;
    if (host.definition && context == host.definition->path) return true;
    if (host.is_resource() && (context == "Resource" || context == "DomainResource")) return true;
    if (context == "BackboneElement" && host.type == "BackboneElement") return true;
    // A context naming a type matches its specializations (Quantity for Age, Resource types...).
    for (const auto* t = run.defs.type(host.type); t; t = t->base) {
      if (t->type == context) return true;
    }
    // "Extension.extension" style paths under an extension host.
    if (context.starts_with(std::string(host.type) + ".")) return true;
  }
  return false;
}

}  // namespace

void check_extension(Run& run, const Element& extension, const Path& path) {
  std::string_view url = value_of(child_named(extension, "url"));
  if (url.empty()) return;  // the cardinality check reports the missing url
  const Element* host = extension.parent;
  bool nested = host && host->type == "Extension";
  if (!is_absolute(url)) {
    if (!nested) {
      run.report(Severity::Error, "value", "the extension url '" + std::string(url) + "' must be an absolute URL",
                 extension, path);
    }
    return;  // a part of a complex extension, checked with its parent's definition
  }
  const definitions::StructureDef* sd = run.state.profile(url);
  if (!sd || sd->type != "Extension") {
    // Extensions in HL7's own namespace are published; not finding one is an error.
    bool modifier = extension.name == "modifierExtension";
    bool hl7 = (url.starts_with("http://hl7.org/fhir/") || url.starts_with("http://terminology.hl7.org/")) &&
               !is_cross_version(url);
    if (hl7 && !modifier) {
      // A package that was loaded depends on one that was not (US Core on HL7's
      // extensions pack): the definition may well be there.
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
      run.report(run.tolerable(), "structure",
                 "the extension '" + std::string(url) + "' could not be found, so it is not allowed here", extension, path);
      return;
    }
    run.report(modifier ? Severity::Error : Severity::Warning, modifier ? "structure" : "informational",
               std::string(modifier ? "the modifier extension '" : "the extension '") + std::string(url) +
                   "' is unknown, so it " + (modifier ? "cannot be safely processed" : "was not checked"),
               extension, path);
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
  if (!sd->elements.empty() && sd->elements[0].is_modifier != (extension.name == "modifierExtension")) {
    bool declared_modifier = false;
    for (const auto& e : sd->elements) {
      if (e.path == "Extension" && e.is_modifier) declared_modifier = true;
    }
    if (declared_modifier && extension.name == "extension") {
      run.report(Severity::Error, "structure",
                 "the extension '" + std::string(url) + "' is a modifier and must be a modifierExtension", extension, path);
    }
  }
  check_against(run, extension, *sd, 0, path);
}

}  // namespace carebridge::fhir::validation
