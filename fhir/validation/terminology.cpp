// Codes against their bindings (required: error; extensible: warning) using value
// sets expanded locally, and codes against the CodeSystem they name when that code
// system is loaded completely.
#include <algorithm>
#include <cctype>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

enum class Membership { In, NotIn, Unknown };

std::string describe(const Expansion& vs, const std::string& url) {
  return vs.name.empty() ? "'" + url + "'" : "'" + vs.name + "' (" + url + ")";
}

Membership coding_membership(const Element& coding, const Expansion& vs) {
  std::string_view system = value_of(child_named(coding, "system"));
  std::string_view code = value_of(child_named(coding, "code"));
  if (code.empty()) return Membership::Unknown;
  if (system.empty()) return vs.bare_codes.count(std::string(code)) ? Membership::In : Membership::Unknown;
  if (vs.contains(system, code)) return Membership::In;
  return vs.complete ? Membership::NotIn : Membership::Unknown;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Lower case with runs of whitespace as one space: how displays are compared.
std::string normalized(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

void check_display(Run& run, const Element& coding, const CodeSystemInfo& cs, const std::string& code, const Path& path) {
  std::string_view display = value_of(child_named(coding, "display"));
  if (display.empty()) return;
  auto it = cs.displays.find(code);
  if (it == cs.displays.end() || it->second.empty()) return;
  std::string wanted = normalized(display);
  for (const auto& d : it->second) {
    if (normalized(d) == wanted) return;
  }
  // Some code systems ship with displays cut short (v3-TribalEntityUS at 50
  // characters): a display that the known one begins, or any display of a code
  // whose known display is as long as the cut, may well be right.
  const std::string& known = it->second.front();
  bool cut_short = (cs.abridged_at && known.size() >= cs.abridged_at) || wanted.starts_with(normalized(known));
  if (cut_short) {
    run.report(Severity::Warning, "invalid",
               "the display '" + std::string(display) + "' for " + cs.url + "#" + code + " could not be checked: " +
                   "the code system's display is cut short ('" + known + "')",
               coding, path);
    return;
  }
  run.report(run.tolerable(), "invalid",
             "wrong display '" + std::string(display) + "' for " + cs.url + "#" + code + ": it should be '" +
                 it->second.front() + "'",
             coding, path);
}

}  // namespace

void check_binding(Run& run, const Element& node, const definitions::Binding& binding, const Path& path) {
  bool required = binding.strength == "required";
  if (!required && binding.strength != "extensible") return;
  if (binding.value_set.empty()) return;
  const Expansion* vs = run.state.expansion(binding.value_set);
  if (!vs) return;  // a value set we do not have: nothing to say
  Severity severity = required ? Severity::Error : Severity::Warning;
  std::string strength = required ? "required" : "extensible";
  if (node.is_primitive()) {
    if (!node.has_value || (node.type != "code" && node.type != "string" && node.type != "uri")) return;
    if (!vs->complete || !vs->open_systems.empty()) return;
    if (!vs->bare_codes.count(std::string(node.value))) {
      run.report(severity, "code-invalid",
                 "the value '" + std::string(node.value) + "' is not in the value set " + describe(*vs, binding.value_set) +
                     ", which is " + strength,
                 node, path);
    }
    return;
  }
  if (node.type == "Coding") {
    if (coding_membership(node, *vs) == Membership::NotIn) {
      run.report(severity, "code-invalid",
                 "the code '" + std::string(value_of(child_named(node, "system"))) + "#" +
                     std::string(value_of(child_named(node, "code"))) + "' is not in the value set " +
                     describe(*vs, binding.value_set) + ", which is " + strength,
                 node, path);
    }
    return;
  }
  if (node.type != "CodeableConcept") return;
  bool any = false, definite = true;
  std::string shown;
  for (const Element* c : node.children()) {
    if (c->name != "coding") continue;
    any = true;
    Membership m = coding_membership(*c, *vs);
    if (m == Membership::In) return;
    if (m == Membership::Unknown) definite = false;
    if (!shown.empty()) shown += ", ";
    shown += std::string(value_of(child_named(*c, "system"))) + "#" + std::string(value_of(child_named(*c, "code")));
  }
  if (!any || !definite) return;
  run.report(severity, "code-invalid",
             "none of the codes (" + shown + ") is in the value set " + describe(*vs, binding.value_set) + ", which is " +
                 strength,
             node, path);
}

void check_coding_system(Run& run, const Element& coding, const Path& path) {
  std::string_view system = value_of(child_named(coding, "system"));
  std::string_view code = value_of(child_named(coding, "code"));
  if (!system.empty() && system.find(':') == std::string_view::npos) {
    run.report(Severity::Error, "invalid",
               "the code system '" + std::string(system) + "' must be an absolute URI, not a local reference", coding, path);
    return;
  }
  if (!system.empty() && !run.defs.resource("CodeSystem", system) && run.defs.resource("ValueSet", system)) {
    run.report(Severity::Error, "invalid",
               "'" + std::string(system) + "' is a value set, not a code system: Coding.system names a code system",
               coding, path);
    return;
  }
  if (system.empty() || code.empty()) return;
  const CodeSystemInfo* cs = run.state.code_system(system);
  if (!cs || !cs->complete) return;
  if (cs->has(std::string(code))) {
    check_display(run, coding, *cs, std::string(code), path);
    return;
  }
  if (!cs->case_sensitive) {
    for (const auto& known : cs->codes) {
      if (equal_ignoring_case(known, code)) return;
    }
  }
  run.report(Severity::Error, "code-invalid",
             "unknown code '" + std::string(code) + "' in the code system '" + std::string(system) + "'", coding, path);
}

}  // namespace carebridge::fhir::validation
