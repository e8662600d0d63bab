// The names of code systems and identifier systems, checked as the reference validator
// checks them before it looks at a code: a system is an absolute URI of the http, https or
// urn scheme (identifiers may also be ldap); the well-known code systems have one URL — not
// their https form, not that URL with more after it (a SNOMED CT edition belongs in
// Coding.version, a trailing slash is another URI), not the specification's page about
// them (.html) nor its build server's copy; a system in the FHIR core namespace that the
// core does not define is a misspelling. An identifier whose system is urn:ietf:rfc:3986
// says its value is a URI, so the value should be an absolute one.
//
// Under the ingest policy, and for a converter's output, these are warnings: a sender's
// misnamed system is kept and pointed out, not refused.
#include <algorithm>
#include <array>
#include <cctype>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

// Code systems whose one URL senders misspell (and whose URL has no valid longer form).
constexpr std::array<std::string_view, 6> kWellKnown = {
    "http://loinc.org",         "http://snomed.info/sct", "http://unitsofmeasure.org",
    "http://www.nlm.nih.gov/research/umls/rxnorm", "http://hl7.org/fhir/sid/cvx", "http://hl7.org/fhir/sid/ndc"};

constexpr std::string_view kCoreNamespace = "http://hl7.org/fhir/";

bool has_scheme(std::string_view uri, std::initializer_list<std::string_view> schemes) {
  for (auto scheme : schemes) {
    if (uri.starts_with(scheme)) return true;
  }
  return false;
}

// Why `system` cannot be the name of a code system, or "" when it may be.
std::string misnamed(Run& run, std::string_view system) {
  std::string quoted = "'" + std::string(system) + "'";
  if (!has_scheme(system, {"http:", "https:", "urn:"})) {
    return "the code system " + quoted + " must be an absolute URI (http:, https: or urn:), not a local reference";
  }
  if (system.starts_with("https://")) {
    std::string plain = "http://" + std::string(system.substr(8));
    bool known = std::find(kWellKnown.begin(), kWellKnown.end(), plain) != kWellKnown.end() ||
                 plain.starts_with(kCoreNamespace) || plain.starts_with("http://terminology.hl7.org/") ||
                 run.system_info(plain).code_system;
    if (known) return "the code system " + quoted + " is written with https: its URL is " + plain;
  }
  for (auto url : kWellKnown) {
    if (system.size() > url.size() && system.starts_with(url)) {
      return "the code system " + quoted + " is not " + std::string(url) +
             (url == "http://snomed.info/sct" ? " (a SNOMED CT edition goes in Coding.version)" : " with more after it");
    }
  }
  if (system.find("build.fhir.org") != std::string_view::npos) {
    return "the code system " + quoted + " names the FHIR build server's copy, not the code system's URL";
  }
  if (system.ends_with(".html") && (system.find("hl7.org/fhir") != std::string_view::npos)) {
    return "the code system " + quoted + " is a page of the specification, not the code system's URL";
  }
  // The reference validator reads www.hl7.org/fhir as the core namespace, where it names
  // nothing: FHIR's code systems are named without www.
  for (std::string_view www : {"http://www.hl7.org/fhir/", "https://www.hl7.org/fhir/"}) {
    if (system.starts_with(www)) {
      return "the code system " + quoted + " is unknown: FHIR's code systems are named " + std::string(kCoreNamespace) +
             "... (without www.)";
    }
  }
  std::string_view local = system.starts_with(kCoreNamespace) ? system.substr(kCoreNamespace.size()) : std::string_view{};
  if (!local.empty() && local.find('/') == std::string_view::npos) {
    const Run::SystemInfo& info = run.system_info(system);
    if (!info.code_system && !info.value_set_only) {
      return "the code system " + quoted + " is in the FHIR core namespace, but FHIR R4 defines no such code system";
    }
  }
  return {};
}

}  // namespace

bool check_system_name(Run& run, const Element& coding, std::string_view system, const Path& path) {
  std::string why = misnamed(run, system);
  if (why.empty()) return true;
  // A local reference ("LN") is never a code system, whoever sent it.
  bool local = system.find(':') == std::string_view::npos;
  run.report(local ? Severity::Error : run.sender_tolerable(), "invalid", why, coding, path);
  return false;
}

void check_identifier(Run& run, const Element& identifier, const Path& path) {
  std::string_view system = value_of(child_named(identifier, "system"));
  if (system.empty()) return;
  if (system.find(':') == std::string_view::npos) {
    run.report(Severity::Error, "invalid",
               "the identifier system '" + std::string(system) + "' must be an absolute URI, not a local reference",
               identifier, path);
    return;
  }
  if (!has_scheme(system, {"http:", "https:", "urn:", "ldap:"})) {
    run.report(run.sender_tolerable(), "invalid",
               "the identifier system '" + std::string(system) + "' must be an http:, https:, urn: or ldap: URI",
               identifier, path);
    return;
  }
  std::string_view value = value_of(child_named(identifier, "value"));
  if (system == "urn:ietf:rfc:3986" && !value.empty()) {
    auto colon = value.find(':');
    bool absolute = colon != std::string_view::npos && colon > 0 &&
                    std::isalpha(static_cast<unsigned char>(value[0])) &&
                    value.substr(0, colon).find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") == std::string_view::npos;
    // The reference validator errs on any value that is not an absolute URI. The R4 examples,
    // valid R4, carry a bare OID here (Organization 2.16.840.1.113883.19.5): that one form is
    // only warned about; anything else ('1234', 'abc') is an error.
    bool bare_oid = value.find_first_not_of("0123456789.") == std::string_view::npos &&
                    value.find('.') != std::string_view::npos;
    if (!absolute) {
      run.report(bare_oid ? Severity::Warning : Severity::Error, "invalid",
                 "the identifier's system urn:ietf:rfc:3986 says its value is a URI, but '" + std::string(value) +
                     "' is not an absolute URI",
                 identifier, path);
    }
  }
}

}  // namespace carebridge::fhir::validation
