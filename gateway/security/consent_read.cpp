// Reading an R4 Consent into a ConsentPolicy (ConsentPolicy::from, consent.h): what the
// gateway cannot apply safely is rejected with the element it concerns.
#include <algorithm>
#include <initializer_list>

#include "fhir/time/temporal.h"
#include "gateway/security/consent.h"
#include "gateway/security/labels.h"

namespace carebridge::gateway::security {
namespace {

namespace model = fhir::model;
using Provision = ConsentPolicy::Provision;

bool one_of(std::string_view value, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), value) != options.end();
}

std::string_view value_of(const model::Element& parent, std::string_view name) {
  const model::Element* child = parent.child(name);
  return child && child->has_value ? child->value : std::string_view();
}

// Calls f on every child of `parent` with this base name.
template <typename F>
void each(const model::Element& parent, std::string_view name, F&& f) {
  for (const model::Element* c = parent.first_child; c; c = c->next) {
    if (c->base_name() == name) f(*c);
  }
}

// "Type/id" of a literal reference, relative or absolute, without a version; the text
// itself when it is not of that form (a fragment, a URN).
std::string resource_reference(std::string_view reference) {
  if (auto history = reference.find("/_history/"); history != std::string_view::npos) {
    reference = reference.substr(0, history);
  }
  auto slash = reference.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return std::string(reference);
  auto type_start = reference.rfind('/', slash - 1);
  std::string_view type = reference.substr(type_start == std::string_view::npos ? 0 : type_start + 1,
                                           slash - (type_start == std::string_view::npos ? 0 : type_start + 1));
  if (type.empty() || type[0] < 'A' || type[0] > 'Z') return std::string(reference);
  return std::string(type) + "/" + std::string(reference.substr(slash + 1));
}

struct Reader {
  std::vector<Issue> issues;

  void reject(const model::Element& at, const std::string& message) {
    issues.push_back(Issue{Severity::Error, "not-supported", "Consent cannot be applied: " + message,
                           model::location(at), at.position});
  }
  void no_modifier_extensions(const model::Element& element);
  std::optional<Provision::Period> period(const model::Element& element);
  void provision(const model::Element& element, Provision& out, bool root);
  void conditions(const model::Element& element, Provision& out);
  void labels(const model::Element& element, Provision& out);
  void data(const model::Element& element, Provision& out);
};

// A modifier extension changes the meaning of what holds it: one the gateway does not
// know could turn a deny into a permit, so none is accepted (contained resources aside).
void Reader::no_modifier_extensions(const model::Element& element) {
  for (const model::Element* c = element.first_child; c; c = c->next) {
    if (c->is_resource()) continue;
    if (c->name == "modifierExtension") {
      reject(*c, "modifier extension '" + std::string(value_of(*c, "url")) + "' is not understood");
      continue;
    }
    no_modifier_extensions(*c);
  }
}

std::optional<int64_t> instant_ms(std::string_view text, bool end) {
  auto parsed = fhir::time::try_parse(text, fhir::time::Syntax::DateTime);
  if (!parsed) return std::nullopt;
  auto span = fhir::time::utc_span(*parsed);
  if (!span) return std::nullopt;
  const fhir::time::EpochTime& t = end ? span->end : span->start;
  return t.seconds * 1000 + t.nanos / 1'000'000;
}

// A Period as [start, end): the end covers its whole last day, minute or second.
std::optional<Provision::Period> Reader::period(const model::Element& element) {
  Provision::Period out;
  for (bool end : {false, true}) {
    const model::Element* bound = element.child(end ? "end" : "start");
    if (!bound || !bound->has_value) continue;
    auto ms = instant_ms(bound->value, end);
    if (!ms) {
      reject(*bound, "'" + std::string(bound->value) + "' is not a dateTime");
      return std::nullopt;
    }
    (end ? out.end_ms : out.start_ms) = ms;
  }
  if (out.start_ms && out.end_ms && *out.start_ms >= *out.end_ms) {
    reject(element, "the period ends before it starts");
    return std::nullopt;
  }
  return out;
}

void Reader::labels(const model::Element& element, Provision& out) {
  out.has_label = true;
  std::string_view system = value_of(element, "system"), code = value_of(element, "code");
  if (int rank = confidentiality_rank(system, code); rank >= 0) {
    out.confidentiality = std::max(out.confidentiality, rank);
  } else if (uint32_t bits = label_bits(system, code)) {
    out.label_bits |= bits;
  } else {
    out.unknown_label = true;
  }
}

void Reader::data(const model::Element& element, Provision& out) {
  std::string_view meaning = value_of(element, "meaning");
  const model::Element* reference = element.child("reference");
  std::string_view target = reference ? value_of(*reference, "reference") : std::string_view();
  if (!one_of(meaning, {"instance", "related", "dependents", "authoredby"})) {
    return reject(element,
                  "data.meaning '" + std::string(meaning) + "' is not instance, related, dependents or authoredby");
  }
  // A reference by identifier only cannot be compared: kept as one that matches nothing
  // known (a permit on it never applies; a deny applies, see consent.cpp).
  out.data.push_back({std::string(meaning), target.empty() ? std::string() : resource_reference(target)});
}

bool system_is(std::string_view system, std::initializer_list<std::string_view> systems) {
  return one_of(system, systems);
}

void Reader::conditions(const model::Element& element, Provision& out) {
  each(element, "actor", [&](const model::Element& actor) {
    const model::Element* reference = actor.child("reference");
    std::string_view target = reference ? value_of(*reference, "reference") : std::string_view();
    out.actors.push_back(target.empty() ? std::string() : resource_reference(target));
  });
  each(element, "action", [&](const model::Element& action) {
    bool any = false;
    each(action, "coding", [&](const model::Element& coding) {
      any = true;
      bool known = system_is(value_of(coding, "system"), {"http://terminology.hl7.org/CodeSystem/consentaction",
                                                          "http://hl7.org/fhir/consentaction"});
      out.actions.push_back(known ? std::string(value_of(coding, "code")) : std::string());
    });
    if (!any) out.actions.emplace_back();  // text only: not checkable
  });
  each(element, "securityLabel", [&](const model::Element& label) { labels(label, out); });
  each(element, "purpose", [&](const model::Element& purpose) {
    bool known = system_is(value_of(purpose, "system"),
                           {"http://terminology.hl7.org/CodeSystem/v3-ActReason", "http://hl7.org/fhir/v3/ActReason",
                            "urn:oid:2.16.840.1.113883.5.8"});
    out.purposes.push_back(known ? std::string(value_of(purpose, "code")) : std::string());
  });
  each(element, "class", [&](const model::Element& cls) {
    bool type = value_of(cls, "system") == "http://hl7.org/fhir/resource-types";
    out.classes.push_back(type ? std::string(value_of(cls, "code")) : std::string());
  });
  out.has_code = element.child("code") != nullptr;
  each(element, "data", [&](const model::Element& data_element) { data(data_element, out); });
}

void Reader::provision(const model::Element& element, Provision& out, bool root) {
  std::string_view type = value_of(element, "type");
  if (type == "permit") {
    out.type = Provision::Type::Permit;
  } else if (type == "deny") {
    out.type = Provision::Type::Deny;
  } else if (!type.empty()) {
    reject(element, "provision.type '" + std::string(type) + "' is neither permit nor deny");
  } else if (!root) {
    reject(element, "a nested provision must say permit or deny (provision.type is required in nested rules)");
  }
  if (const model::Element* p = element.child("period")) out.period = period(*p);
  if (const model::Element* p = element.child("dataPeriod")) out.data_period = period(*p);
  conditions(element, out);
  each(element, "provision", [&](const model::Element& nested) {
    out.provisions.emplace_back();
    provision(nested, out.provisions.back(), false);
  });
}

// Consent.scope: patient-privacy governs disclosure; research, adr and treatment are known
// and do not; anything else is not understood. nullopt when not understood.
std::optional<bool> privacy_scope(const model::Element& scope) {
  std::optional<bool> out;
  each(scope, "coding", [&](const model::Element& coding) {
    if (!system_is(value_of(coding, "system"), {"http://terminology.hl7.org/CodeSystem/consentscope",
                                                "http://hl7.org/fhir/consentscope"})) {
      return;
    }
    std::string_view code = value_of(coding, "code");
    if (code == "patient-privacy") out = true;
    if (!out && one_of(code, {"research", "adr", "treatment"})) out = false;
  });
  return out;
}

}  // namespace

Result<ConsentPolicy> ConsentPolicy::from(const model::Element& consent) {
  Reader reader;
  if (consent.type != "Consent") {
    return Result<ConsentPolicy>::failure("invalid", "not a Consent but a " + std::string(consent.type));
  }
  ConsentPolicy policy;
  policy.id_ = value_of(consent, "id");
  reader.no_modifier_extensions(consent);

  policy.status_ = value_of(consent, "status");
  if (!one_of(policy.status_, {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"})) {
    reader.reject(consent, "status '" + policy.status_ + "' is not a Consent status");
  }
  const model::Element* scope = consent.child("scope");
  std::optional<bool> privacy = scope ? privacy_scope(*scope) : std::nullopt;
  if (!privacy) reader.reject(scope ? *scope : consent, "the scope is not patient-privacy, research, adr or treatment");
  policy.privacy_scope_ = privacy.value_or(false);

  const model::Element* patient = consent.child("patient");
  std::string subject = patient ? resource_reference(value_of(*patient, "reference")) : std::string();
  if (subject.rfind("Patient/", 0) != 0 || subject.size() == 8) {
    reader.reject(patient ? *patient : consent, "it names no patient as Patient/<id> (Consent.patient)");
  } else {
    policy.patient_ = subject.substr(8);
  }

  if (const model::Element* rule = consent.child("policyRule")) {
    each(*rule, "coding", [&](const model::Element& coding) {
      std::string_view system = value_of(coding, "system"), code = value_of(coding, "code");
      bool act_code = system_is(system, {"http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                         "http://hl7.org/fhir/v3/ActCode", "urn:oid:2.16.840.1.113883.5.4"});
      BasePolicy base = !act_code ? BasePolicy::None
                        : one_of(code, {"OPTIN", "OPTINR"})   ? BasePolicy::OptIn
                        : one_of(code, {"OPTOUT", "OPTOUTE"}) ? BasePolicy::OptOut
                                                              : BasePolicy::None;
      if (base != BasePolicy::None && policy.base_ != BasePolicy::None && base != policy.base_) {
        reader.reject(*rule, "policyRule is both opt-in and opt-out");
      }
      if (base != BasePolicy::None) policy.base_ = base;
    });
  }
  if (const model::Element* provision = consent.child("provision")) reader.provision(*provision, policy.root_, true);
  if (!reader.issues.empty()) return reader.issues;
  return policy;
}

}  // namespace carebridge::gateway::security
