// Codes against their bindings (required: error; extensible: warning) and codes
// against the CodeSystem they name when that code system is loaded completely, both
// answered by the terminology module (fhir/terminology) that FHIRPath's memberOf() asks.
#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <string_view>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

constexpr std::string_view kUcum = "http://unitsofmeasure.org";

// Why `code` is no UCUM code, "" when it is one or when no UCUM table was set up.
std::string ucum_problem(Run& run, std::string_view code) {
  const terminology::Ucum* ucum = run.state.ucum();
  return ucum ? ucum->problem(code) : std::string();
}


using terminology::Membership;

std::string describe(const terminology::Expansion& vs, const std::string& url) {
  return vs.name.empty() ? "'" + url + "'" : "'" + vs.name + "' (" + url + ")";
}

// A code of a code system that ignores case (caseSensitive false), as the system writes it
// ("APPLE" for "apple"): the same code, so the same member of a value set. Other codes as given.
std::string_view as_written(Run& run, std::string_view system, std::string_view code) {
  const terminology::CodeSystem* cs = run.system_info(system).code_system;
  if (!cs || cs->case_sensitive) return code;
  const terminology::Concept* found = cs->concept_of(code);
  return found ? std::string_view(found->code) : code;
}

Membership coding_membership(Run& run, const Element& coding, const terminology::Expansion& vs) {
  std::string_view code = value_of(child_named(coding, "code"));
  if (code.empty()) return Membership::unknown;
  std::string_view system = value_of(child_named(coding, "system"));
  if (system.empty()) return Membership::not_in;  // a code without its system is in no value set
  Membership m = vs.contains(system, code);
  if (m != Membership::not_in) return m;
  std::string_view written = as_written(run, system, code);
  return written == code ? m : vs.contains(system, written);
}

// A bare code (code, string, uri): in when some system of the value set has it, ignoring case
// where that system does.
Membership code_membership(Run& run, std::string_view code, const terminology::Expansion& vs) {
  Membership m = vs.contains_code(code);
  if (m != Membership::not_in) return m;
  for (const auto& [system, codes] : vs.codes) {
    if (system.empty()) continue;
    std::string_view written = as_written(run, system, code);
    if (written != code && codes.contains(written)) return Membership::in;
  }
  return m;
}

void check_display(Run& run, const Element& coding, const terminology::CodeSystem& cs,
                   const terminology::Concept& concept_found, const Path& path) {
  std::string_view display = value_of(child_named(coding, "display"));
  const std::string& code = concept_found.code;
  switch (terminology::compare_display(cs, concept_found, display)) {
    case terminology::DisplayMatch::same:
      return;
    case terminology::DisplayMatch::whitespace:
      run.report(run.tolerable(), "invalid",
                 "wrong whitespace in the display '" + std::string(display) + "' for " + cs.url + "#" + code +
                     ": it should be '" + std::string(concept_found.display()) + "'",
                 coding, path);
      return;
    case terminology::DisplayMatch::cut_short:
      // Some code systems ship with displays cut short (v3-TribalEntityUS at 50 characters).
      run.report(Severity::Warning, "invalid",
                 "the display '" + std::string(display) + "' for " + cs.url + "#" + code + " could not be checked: " +
                     "the code system's display is cut short ('" + std::string(concept_found.display()) + "')",
                 coding, path);
      return;
    case terminology::DisplayMatch::wrong:
      run.report(run.tolerable(), "invalid",
                 "wrong display '" + std::string(display) + "' for " + cs.url + "#" + code + ": it should be '" +
                     std::string(concept_found.display()) + "'",
                 coding, path);
      return;
  }
}

}  // namespace

const terminology::Expansion* Run::expansion(const definitions::Binding& binding) {
  auto [it, added] = expansions_.try_emplace(&binding, nullptr);
  if (added) it->second = state.terminology().expansion(binding.value_set);
  return it->second;
}

// A media type as RFC 6838 writes it: type "/" subtype, each a restricted name, then
// parameters after ";" ("text/plain; charset=utf-8"). The MIME types value set is every such
// code (urn:ietf:bcp:13), with no list to expand.
static bool is_media_type(std::string_view code) {
  auto name = [](std::string_view n) {
    if (n.empty() || n.size() > 127 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$&^_.+-").find(c) != std::string_view::npos;
    });
  };
  std::string_view type = code.substr(0, code.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  size_t slash = type.find('/');
  return slash != std::string_view::npos && name(type.substr(0, slash)) && name(type.substr(slash + 1));
}

// The ISO 4217 currency codes (the active list, as Debian's iso-codes 4.15 has it, with the
// later ZWG and XCG), sorted. The R4 package names the code system but does not list it; the
// reference validator asks a terminology server, which refuses a code not on the list.
static constexpr std::string_view kCurrencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF",
    "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB",
    "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF",
    "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU",
    "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST",
    "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS",
    "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
};

static bool is_currency(std::string_view code) {
  return std::binary_search(std::begin(kCurrencies), std::end(kCurrencies), code);
}

// Whether a code bound to the MIME types value set names a media type: an Attachment's, a
// Binary's and a Signature's formats do, and an Endpoint's payload types, a Subscription's
// payload and a server's patch formats (TestScript's R4 examples write "xml" for its formats,
// and CapabilityStatement.format takes "json" and "xml" besides).
static bool holds_media_type(const Element& node) {
  if (!node.definition) return false;
  const std::string& path = node.definition->path;
  return path == "Attachment.contentType" || path == "Binary.contentType" || path == "Signature.sigFormat" ||
         path == "Signature.targetFormat" || path == "Endpoint.payloadMimeType" || path == "Subscription.channel.payload" ||
         path == "CapabilityStatement.patchFormat";
}

// Codes from systems outside FHIR with no list to expand, checked by their form: media types
// (see holds_media_type), and ISO 4217 currencies (the list is not in the package, so it is
// kept here). True when the binding is one of them.
static bool checked_by_form(Run& run, const Element& node, const definitions::Binding& binding, bool required,
                            const Path& path) {
  if (!node.is_primitive() || !node.has_value) return false;
  Severity severity = required ? Severity::Error : Severity::Warning;
  if (binding.value_set.starts_with("http://hl7.org/fhir/ValueSet/mimetypes") && holds_media_type(node)) {
    if (!is_media_type(node.value)) {
      // A subscription's payload written as _format's shorthand ("xml", "json"), which routing
      // sends as the MIME type it stands for, is taken when ingesting, with a warning; strict
      // validation refuses it, as the reference validator does.
      bool shorthand = node.definition->path == "Subscription.channel.payload" && (node.value == "xml" || node.value == "json");
      run.report(shorthand && required ? run.tolerable() : severity, "code-invalid",
                 "'" + std::string(node.value) + "' is not a media type (type/subtype, as text/plain or application/pdf)",
                 node, path);
    }
    return true;
  }
  if (binding.value_set.starts_with("http://hl7.org/fhir/ValueSet/currencies")) {
    if (!is_currency(node.value)) {
      run.report(severity, "code-invalid",
                 "'" + std::string(node.value) + "' is not an ISO 4217 currency code (as USD or EUR)", node, path);
    }
    return true;
  }
  return false;
}

namespace {

// A value checked against the value set of a required or extensible binding (and, for an
// extensible one, its maximum value set), and how each kind of miss is reported.
struct BoundValue {
  Run& run;
  const Element& node;
  const definitions::Binding& binding;
  const Path& path;
  const terminology::Expansion& vs;
  const terminology::Expansion* max;  // an extensible binding's maxValueSet, when it has one
  bool required;

  // `what` is not in the value set; `in_max` says whether it is in the maximum value set.
  void outside(const std::string& what, Membership in_max) const {
    if (max && in_max == Membership::not_in) {
      run.report(Severity::Error, "code-invalid",
                 what + " is in neither the value set " + describe(vs, binding.value_set) +
                     " nor the maximum value set " + describe(*max, binding.max_value_set) + " of the extensible binding",
                 node, path);
    } else {
      run.report(severity(), "code-invalid",
                 what + " is not in the value set " + describe(vs, binding.value_set) + ", which is " + strength(), node,
                 path);
    }
  }
  Severity severity() const { return required ? Severity::Error : Severity::Warning; }
  std::string strength() const { return required ? "required" : "extensible"; }

  // A CodeableConcept: one coding in the value set is enough; text alone gives no code.
  void codeable_concept() const {
    bool any = false, definite = true;
    Membership in_max = Membership::not_in;
    std::string shown;
    for (const Element* c : node.children()) {
      if (c->name != "coding") continue;
      any = true;
      Membership m = coding_membership(run, *c, vs);
      if (m == Membership::in) return;
      if (m == Membership::unknown) definite = false;
      if (max && in_max != Membership::in) {
        Membership mm = coding_membership(run, *c, *max);
        if (mm != Membership::not_in) in_max = mm;
      }
      if (!shown.empty()) shown += ", ";
      shown += std::string(value_of(child_named(*c, "system"))) + "#" + std::string(value_of(child_named(*c, "code")));
    }
    if (!any) {  // text alone: the binding asks for a code
      run.report(max ? Severity::Error : severity(), "code-invalid",
                 std::string("no code is given (text alone), and a code from the value set ") +
                     describe(vs, binding.value_set) +
                     (required ? " is required"
                      : max    ? " or its maximum value set " + describe(*max, binding.max_value_set) + " is required"
                               : " should be given (the binding is extensible)"),
                 node, path);
      return;
    }
    if (!definite) return;
    if (max && in_max == Membership::not_in) {
      run.report(Severity::Error, "code-invalid",
                 "none of the codes (" + shown + ") is in the value set " + describe(vs, binding.value_set) +
                     " or in the maximum value set " + describe(*max, binding.max_value_set) + " of the extensible binding",
                 node, path);
      return;
    }
    run.report(severity(), "code-invalid",
               "none of the codes (" + shown + ") is in the value set " + describe(vs, binding.value_set) +
                   ", which is " + strength(),
               node, path);
  }
};

}  // namespace

void check_binding(Run& run, const Element& node, const definitions::Binding& binding, const Path& path) {
  // A Quantity's unit outside its value set is a warning even when the binding is required:
  // the reference validator words and grades it as an extensible miss (its obs-fio2 outcome,
  // an oxygen flow in L/min against the vital signs units).
  if (binding.strength != "required" && binding.strength != "extensible") return;
  bool required = binding.strength == "required" && !quantity_type(node.type);
  if (binding.value_set.empty()) return;
  if (checked_by_form(run, node, binding, required, path)) return;
  const terminology::Expansion* vs = run.expansion(binding);
  if (!vs) return;  // a value set we do not have: nothing to say
  if (run.system_info(binding.value_set).code_system_only) {
    // binding.valueSet is a canonical(ValueSet); the reference validator refuses a binding
    // that names a code system (TERMINOLOGY_TX_VALUESET_NOTFOUND_CS).
    run.report(run.tolerable(), "code-invalid",
               "the binding names '" + binding.value_set + "', a code system, not a value set, so the value cannot be checked",
               node, path);
    return;
  }
  // An extensible binding's maximum value set (elementdefinition-maxValueSet): a code outside
  // the value set must still be in it, or it is an error, as a required binding's would be.
  const terminology::Expansion* max =
      required || binding.max_value_set.empty() ? nullptr : run.state.terminology().expansion(binding.max_value_set);
  BoundValue bound{run, node, binding, path, *vs, max, required};
  if (node.is_primitive()) {
    if (!node.has_value || (node.type != "code" && node.type != "string" && node.type != "uri")) return;
    if (code_membership(run, node.value, *vs) == Membership::not_in) {
      bound.outside("the value '" + std::string(node.value) + "'",
                    max ? code_membership(run, node.value, *max) : Membership::unknown);
    }
  } else if (node.type == "Coding" || quantity_type(node.type)) {
    // A Quantity's unit is checked as a Coding (its system and code), as the reference
    // validator does (the vital signs profiles bind component values to common UCUM units).
    if (coding_membership(run, node, *vs) == Membership::not_in) {
      bound.outside("the code '" + std::string(value_of(child_named(node, "system"))) + "#" +
                        std::string(value_of(child_named(node, "code"))) + "'",
                    max ? coding_membership(run, node, *max) : Membership::unknown);
    }
  } else if (node.type == "CodeableConcept") {
    bound.codeable_concept();
  }
}

const Run::SystemInfo& Run::system_info(std::string_view system) {
  auto [it, added] = systems_.try_emplace(system);
  if (added) {
    bool code_system = defs.resource("CodeSystem", system), value_set = defs.resource("ValueSet", system);
    it->second.value_set_only = !code_system && value_set;
    it->second.code_system_only = code_system && !value_set;
    it->second.code_system = state.terminology().code_system(system);
  }
  return it->second;
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A LOINC code: up to five digits, '-', and the mod 10 check digit LOINC computes over them
// (double the odd-positioned digits from the right, add their digits and the others, and
// take the distance to the next multiple of ten); or a part, answer, list or group code (LP,
// LA, LL, LG, ... then digits, '-', a digit).
bool loinc_form(std::string_view code) {
  size_t dash = code.find('-');
  if (dash == std::string_view::npos || dash + 2 != code.size() || !all_digits(code.substr(dash + 1))) return false;
  std::string_view body = code.substr(0, dash);
  if (body.size() > 2 && body[0] == 'L' && body[1] >= 'A' && body[1] <= 'Z') return all_digits(body.substr(2));
  if (!all_digits(body) || body.size() > 5) return false;
  std::string odd, sum_digits;
  int even_sum = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char digit = body[body.size() - 1 - i];
    if (i % 2 == 0) {
      odd.insert(odd.begin(), digit);
    } else {
      even_sum += digit - '0';
    }
  }
  int total = even_sum;
  for (char c : std::to_string(std::stoll(odd) * 2)) total += c - '0';
  return (10 - total % 10) % 10 == code.back() - '0';
}

// A SNOMED CT identifier (SCTID): 6 to 18 digits whose last is the Verhoeff check digit of the
// others, and whose two before it are a partition (00-05 for the international release, 10-15
// for an extension's).
bool sctid_form(std::string_view code) {
  if (code.size() < 6 || code.size() > 18 || !all_digits(code)) return false;
  static constexpr int kDihedral[10][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
      {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
      {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
      {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static constexpr int kPermutation[10] = {1, 5, 7, 6, 2, 8, 3, 0, 9, 4};
  int check = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    int digit = code[code.size() - 1 - i] - '0';
    for (size_t n = 0; n < i % 8; ++n) digit = kPermutation[digit];  // the permutation applied i mod 8 times
    check = kDihedral[check][digit];
  }
  char kind = code[code.size() - 3], partition = code[code.size() - 2];
  return check == 0 && (kind == '0' || kind == '1') && partition >= '0' && partition <= '5';
}

// A language tag by BCP 47's grammar (RFC 5646 2.1): subtags of 1 to 8 letters and digits
// joined by single hyphens, led by a language of 2 or 3 letters (4 are reserved and 5 to 8
// registered by no one: "english" is no language) or by the private-use (x-) or
// grandfathered (i-) singleton.
bool bcp47_form(std::string_view tag) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  auto alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
  for (size_t start = 0, index = 0;; ++index) {
    size_t end = tag.find('-', start);
    std::string_view sub = tag.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (sub.empty() || sub.size() > 8 || !std::all_of(sub.begin(), sub.end(), alnum)) return false;
    bool singleton = sub.size() == 1 && (sub[0] == 'x' || sub[0] == 'X' || sub[0] == 'i' || sub[0] == 'I');
    if (index == 0 && !(std::all_of(sub.begin(), sub.end(), alpha) && (sub.size() == 2 || sub.size() == 3 || singleton)))
      return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

// Codes of large code systems the package does not carry, refused by their form alone: the
// reference validator asks a terminology server, which knows no LOINC code with a wrong check
// digit, no RxNorm code (an RXCUI) that is not a number, and no SNOMED CT code that is not an
// SCTID (a number that fails its check digit) or an expression without a single digit.
void check_external_code_form(Run& run, const Element& coding, std::string_view system, std::string_view code,
                              const Path& path) {
  bool known_form = true;
  if (system == "http://loinc.org") {
    known_form = loinc_form(code);
  } else if (system == "http://www.nlm.nih.gov/research/umls/rxnorm") {
    known_form = all_digits(code);
  } else if (system == "urn:ietf:bcp:47") {
    known_form = bcp47_form(code);
  } else if (system == "http://snomed.info/sct") {
    known_form = all_digits(code) ? sctid_form(code)
                                  : std::any_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  std::string why;
  if (system == kUcum) {
    why = ucum_problem(run, code);
    known_form = why.empty();
  }
  if (!known_form) {
    // Under the ingest policy, and for a converter's output, a warning: a sender's mistyped
    // code is kept, not refused.
    run.report(run.sender_tolerable(), "code-invalid",
               why.empty() ? "unknown code '" + std::string(code) + "' in the code system '" + std::string(system) +
                                 "' (it does not have the form of its codes)"
                           : why,
               coding, path);
  }
}

// Whether `version` names the loaded version `loaded` ("1.0" names "1.0.0" and "1.0.2").
bool names_version(std::string_view version, std::string_view loaded) {
  return loaded == version || (loaded.starts_with(version) && loaded[version.size()] == '.');
}

// A Coding.version naming a version of its code system that is not loaded, when the loaded one
// says its version: the code cannot be checked against that version, and the reference
// validator refuses it (UNKNOWN_CODESYSTEM_VERSION). True when reported.
bool unknown_version(Run& run, const Element& coding, std::string_view system, const Path& path) {
  std::string_view version = value_of(child_named(coding, "version"));
  if (version.empty()) return false;
  const definitions::ConformanceResource* loaded = run.defs.resource("CodeSystem", system);
  if (!loaded || loaded->version.empty() || names_version(version, loaded->version)) return false;
  std::string known;
  for (const auto* r : run.defs.resources("CodeSystem")) {
    if (r->url != system) continue;
    if (names_version(version, r->version)) return false;
    if (!r->version.empty()) known += (known.empty() ? "" : ", ") + r->version;
  }
  run.report(run.sender_tolerable(), "code-invalid",
             "version '" + std::string(version) + "' of the code system '" + std::string(system) +
                 "' is not known (known: " + known + "), so the code cannot be checked",
             coding, path);
  return true;
}

}  // namespace

void check_coding_system(Run& run, const Element& coding, const Path& path) {
  std::string_view system = value_of(child_named(coding, "system"));
  std::string_view code = value_of(child_named(coding, "code"));
  if (system.empty() || !check_system_name(run, coding, system, path)) return;
  const Run::SystemInfo& info = run.system_info(system);
  if (info.value_set_only) {
    run.report(Severity::Error, "invalid",
               "'" + std::string(system) + "' is a value set, not a code system: Coding.system names a code system",
               coding, path);
    return;
  }
  // Only a code system loaded completely says what its codes and displays are; a
  // code found by ignoring case (the system ignores case) is right, its display checked.
  const terminology::CodeSystem* cs = info.code_system;
  if (code.empty()) return;
  if (cs && unknown_version(run, coding, system, path)) return;
  if (!cs || !cs->complete()) {
    check_external_code_form(run, coding, system, code, path);
    return;
  }
  if (const terminology::Concept* found = cs->concept_of(code)) {
    check_display(run, coding, *cs, *found, path);
    return;
  }
  run.report(Severity::Error, "code-invalid",
             "unknown code '" + std::string(code) + "' in the code system '" + std::string(system) + "'", coding, path);
}

void check_quantity_code(Run& run, const Element& quantity, const Path& path) {
  std::string_view code = value_of(child_named(quantity, "code"));
  if (code.empty() || value_of(child_named(quantity, "system")) != kUcum) return;
  std::string why = ucum_problem(run, code);
  if (why.empty()) return;
  // A warning, under every policy: R4's own examples carry "drop" and "ea" as UCUM doses, and
  // the specification holds them valid (a Coding's UCUM code is checked as any code is).
  run.report(Severity::Warning, "code-invalid", why, quantity, path);
}

}  // namespace carebridge::fhir::validation
