#include "gateway/security/access_policy.h"

#include <algorithm>
#include <cctype>

namespace carebridge::gateway::security {
namespace {

Result<void> forbidden(std::string message) { return Result<void>::failure("forbidden", std::move(message)); }

const char* verb(Interaction i) {
  switch (i) {
    case Interaction::Create: return "create";
    case Interaction::Read: return "read";
    case Interaction::Update: return "update";
    case Interaction::Delete: return "delete";
    case Interaction::Search: return "search";
  }
  return "use";
}

}  // namespace

// A caller's view of the store: the same decision as sees(), made by the store for every
// row its query reads. One request's queries run on one thread, so the decisions that
// repeat across rows (a type's scopes, a patient's relationship and Consent) are kept
// here for the request, unlocked.
class AccessPolicy::CallerVisibility final : public fhir::search::Visibility {
 public:
  CallerVisibility(const AccessPolicy& policy, std::shared_ptr<const Principal> who, std::string restricted_type)
      : policy_(policy), who_(std::move(who)), restricted_type_(std::move(restricted_type)) {}
  bool accepts(std::string_view type, std::string_view facts) const override {
    auto known = std::find_if(types_.begin(), types_.end(), [&](const auto& t) { return t.first == type; });
    if (known == types_.end()) {
      types_.emplace_back(std::string(type), policy_.type_visible(*who_, type, restricted_type_));
      known = types_.end() - 1;
    }
    return known->second && policy_.sees_record(*who_, type, FactsView(facts), &decisions_);
  }

 private:
  const AccessPolicy& policy_;
  std::shared_ptr<const Principal> who_;
  std::string restricted_type_;
  mutable std::vector<std::pair<std::string, bool>> types_;
  mutable Decisions decisions_;
};

std::optional<store::ResourceRecord> disclosable_current(store::Store& store, const store::ResourceRecord& version,
                                                         const std::function<bool(const store::ResourceRecord&)>& visible) {
  auto current = store.read(version.type, version.id);
  if (!current || (current->version != version.version && !visible(*current))) return std::nullopt;
  return current;
}

AccessPolicy::AccessPolicy(PatientCompartment compartment, CareRelationships& relationships, store::Store& store)
    : compartment_(std::move(compartment)), relationships_(relationships), store_(store) {}

Result<void> AccessPolicy::permits(const Principal* who, Interaction interaction, std::string_view type) const {
  if (type == "AuditEvent") {
    if (interaction != Interaction::Read && interaction != Interaction::Search) {
      return forbidden("the audit trail is written by the gateway alone: AuditEvents cannot be created, changed or deleted");
    }
    if (who && !who->admin) return forbidden("only an administrator's client may read the audit trail");
  }
  if (!who) return {};
  if (!allows(who->scopes, interaction, type)) {
    return forbidden("the token's scopes do not allow " + std::string(verb(interaction)) + " on " + std::string(type));
  }
  return {};
}

std::shared_ptr<const fhir::search::Visibility> AccessPolicy::visibility(const std::shared_ptr<const Principal>& who,
                                                                       std::string_view restricted_type) const {
  if (!who) return nullptr;
  return std::make_shared<CallerVisibility>(*this, who, std::string(restricted_type));
}

std::vector<std::pair<std::string, std::string>> AccessPolicy::restriction_params(const Principal* who,
                                                                                 std::string_view type) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!who) return out;
  for (const auto& [param, value] : restrictions(who->scopes, Interaction::Search, type)) {
    auto same = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == param; });
    if (same == out.end()) {
      out.emplace_back(param, value);
    } else {
      same->second += "," + value;
    }
  }
  return out;
}

bool AccessPolicy::sees(const Principal* who, const store::ResourceRecord& record) const {
  return !who || sees_facts(*who, record.type, FactsView(record.access));
}

bool AccessPolicy::sees_unrestricted(const Principal* who, const store::ResourceRecord& record) const {
  return !who || sees_facts(*who, record.type, FactsView(record.access), record.type);
}

bool AccessPolicy::type_visible(const Principal& who, std::string_view type, std::string_view restricted_type) const {
  if (!allows(who.scopes, Interaction::Read, type) && !allows(who.scopes, Interaction::Search, type)) return false;
  if (type != restricted_type && !restrictions(who.scopes, Interaction::Search, type).empty()) return false;
  return type != "AuditEvent" || who.admin;
}

bool AccessPolicy::sees_facts(const Principal& who, std::string_view type, const FactsView& f,
                              std::string_view restricted_type) const {
  return type_visible(who, type, restricted_type) && sees_record(who, type, f, nullptr);
}

bool AccessPolicy::related(const Principal& who, std::string_view patient, Decisions* decisions) const {
  if (!decisions) return relationships_.related(who.organization, patient);
  auto known = decisions->related.find(patient);
  if (known != decisions->related.end()) return known->second;
  bool related = relationships_.related(who.organization, patient);
  decisions->related.emplace(std::string(patient), related);
  return related;
}

ConsentVerdict AccessPolicy::consent(const Principal& who, std::string_view patient, std::string_view type,
                                     std::string_view id, uint32_t labels, std::string_view custodian,
                                     Decisions* decisions) const {
  if (!decisions) return consent_(patient, who, type, id, labels, custodian);
  for (const auto& c : decisions->consent) {
    if (c.labels == labels && c.patient == patient && c.type == type && c.id == id && c.custodian == custodian)
      return c.verdict;
  }
  auto verdict = consent_(patient, who, type, id, labels, custodian);
  if (decisions->consent.size() < 256) {
    decisions->consent.push_back(
        {std::string(patient), std::string(type), std::string(id), std::string(custodian), labels, verdict});
  }
  return verdict;
}

bool AccessPolicy::sees_record(const Principal& who, std::string_view type, const FactsView& f,
                               Decisions* decisions) const {
  if (type == "AuditEvent") return who.admin;
  // A Subscription (its endpoint, headers and secret) is its organization's alone; the
  // operator sees every one. Not a patient's, whatever its criteria name.
  if (type == "Subscription") return who.admin || (f.valid() && !who.organization.empty() && f.owner() == who.organization);
  if (!f.valid()) return false;  // facts not understood: only the open server sees it
  bool sensitive = (f.labels() & sensitive_) != 0;
  if (!who.patient.empty()) {  // a patient's own app: the patient's records, and shared data
    if (f.shared() && !f.has_patients()) return !sensitive;
    return f.any_patient([&](std::string_view p) { return p == who.patient; });
  }
  const std::string& org = who.organization;
  if (!org.empty() && f.owner() == org) return true;
  if (f.confined()) return false;
  if (f.shared() && !f.has_patients()) return !sensitive;
  if (org.empty()) return false;
  bool addressed = f.any_party([&](std::string_view o) { return o == org; });
  if (!addressed && !f.any_patient([&](std::string_view p) { return related(who, p, decisions); })) return false;
  if (!consent_) return !sensitive;
  // Every patient the record is about must agree (or, for plain data, not refuse).
  bool permitted = true, denied = false;
  f.any_patient([&](std::string_view p) {
    ConsentVerdict v = consent(who, p, type, f.id(), f.labels(), f.owner(), decisions);
    denied |= v == ConsentVerdict::Deny;
    permitted &= v == ConsentVerdict::Permit;
    return denied;
  });
  if (denied) return false;
  return !sensitive || (permitted && f.has_patients());
}

Labelling AccessPolicy::label(const Principal* who, fhir::model::Document& doc, fhir::model::Element& resource) const {
  return labelling_ ? labelling_(who, doc, resource) : Labelling{};
}

// A Subscription is about the patients its criteria name ("Observation?patient=Patient/7",
// "?subject=7"), and its topic's filters too ("patient=Patient/7", "Observation.patient=
// Patient/7", the Subscriptions Backport's forms): only who may see them may subscribe to them.
void AccessPolicy::add_criteria_patients(std::string_view criteria, AccessFacts& facts) {
  auto query = criteria.find('?');
  if (query == std::string_view::npos && criteria.find('=') == std::string_view::npos) return;
  std::string_view base = query == std::string_view::npos ? std::string_view() : criteria.substr(0, query);
  bool on_patient = base == "Patient" || base.ends_with("/Patient");
  std::string_view rest = query == std::string_view::npos ? criteria : criteria.substr(query + 1);
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest = pair.size() < rest.size() ? rest.substr(pair.size() + 1) : std::string_view();
    auto equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view param = pair.substr(0, equals);
    auto dot = param.find('.');
    // "Observation.patient", the Backport's form, names the type first.
    if (dot != std::string_view::npos && std::isupper(static_cast<unsigned char>(param[0])) && dot < param.find(':'))
      param.remove_prefix(dot + 1);
    // A chain (subject:Patient.name=x, subject.name=x) names no patient: its value is the
    // chained parameter's, matched as the subscriber may read when it fires.
    if (param.find('.') != std::string_view::npos) continue;
    std::string_view name = param.substr(0, param.find(':'));
    std::string_view value = pair.substr(equals + 1);
    bool patient_param = name == "patient" || name == "subject" || name == "beneficiary" || (on_patient && name == "_id");
    while (!value.empty()) {
      std::string_view one = value.substr(0, value.find(','));
      value = one.size() < value.size() ? value.substr(one.size() + 1) : std::string_view();
      bool reference = one.starts_with("Patient/");
      if (!reference && !patient_param) continue;
      if (reference) one.remove_prefix(8);
      if (!one.empty() && std::find(facts.patients.begin(), facts.patients.end(), one) == facts.patients.end())
        facts.patients.emplace_back(one);
    }
  }
}

AccessFacts AccessPolicy::facts(const Principal* who, const fhir::model::Element& resource, std::string_view id,
                                const std::vector<fhir::search::IndexEntry>& rows, const Labelling& labelling,
                                const store::ResourceRecord* current) const {
  AccessFacts f = compartment_.facts(resource, id, rows);
  f.labels = labelling.labels;
  if (const auto* criteria = resource.child("criteria"); criteria && resource.type == "Subscription") {
    add_criteria_patients(criteria->value, f);
    for (const auto* e : criteria->children()) {
      if (e->base_name() != "extension") continue;
      const auto* url = e->child("url");
      const auto* filter = e->child("value");  // valueString
      if (url && filter && url->value.ends_with("/backport-filter-criteria")) add_criteria_patients(filter->value, f);
    }
  }
  FactsView before(current ? std::string_view(current->access) : std::string_view());
  f.owner = before.valid() ? std::string(before.owner()) : who ? who->organization : std::string();
  f.confined = labelling.confined || (before.valid() && before.confined());
  f.id = std::string(id);
  return f;
}

bool AccessPolicy::may_write_for(const Principal& who, std::string_view patient) const {
  if (!who.patient.empty()) return patient == who.patient;
  if (relationships_.related(who.organization, patient)) return true;
  // A patient nobody has registered yet (one this very transaction creates, say).
  auto found = store_.read("Patient", std::string(patient));
  return !found || found->deleted;
}

Result<void> AccessPolicy::may_change(const Principal* who, const store::ResourceRecord& current) const {
  if (!who || who->admin || current.deleted) return {};
  const std::string& type = current.type;
  if (type != "Organization" && type != "Consent" && type != "CareTeam") return {};
  FactsView f(current.access);
  std::string_view owner = f.valid() ? f.owner() : std::string_view();
  if (type == "Organization" && !who->organization.empty() && current.id == who->organization) return {};
  if (!owner.empty() && owner == who->organization) return {};
  // A patient's own app, which has no organization, changes what it recorded about her (her
  // Consent): such a record has no owner.
  if (owner.empty() && !who->patient.empty() && f.any_patient([&](std::string_view p) { return p == who->patient; }))
    return {};
  return forbidden(type + "/" + current.id + " is " +
                   (owner.empty() ? std::string("the gateway's") : "Organization/" + std::string(owner) + "'s") +
                   " record: only " + (owner.empty() ? std::string("its operator") : "that organization") +
                   " may change it");
}

Result<void> AccessPolicy::may_write(const Principal* who, const AccessFacts& next, const store::ResourceRecord* current,
                                     std::string_view patient_written) const {
  if (!who) return {};
  if (current && !current->deleted && !sees(who, *current)) {
    return forbidden(current->type + "/" + current->id + " is not a record your organization may change");
  }
  if (current)
    if (auto changed = may_change(who, *current); !changed) return changed;
  if (who->organization.empty() && who->patient.empty()) {
    return forbidden("the client belongs to no organization, so it may not write patients' records");
  }
  // A Patient being created is in its own compartment; there is no stored one to ask about
  // (`current` is what the store has under its id), and nobody is related to it yet.
  bool creates_patient = !patient_written.empty() && (!current || current->deleted);
  for (const auto& p : next.patients) {
    if (creates_patient && p == patient_written && who->patient.empty()) continue;
    if (!may_write_for(*who, p)) {
      return forbidden("Patient/" + p + " is not a patient your organization cares for");
    }
  }
  return {};
}

}  // namespace carebridge::gateway::security
