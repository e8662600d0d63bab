#include "gateway/security/compartment.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

namespace carebridge::gateway::security {
namespace {

using fhir::model::Element;

// Elements through which a resource is addressed to an organization, or makes one
// a carer of its patients. Dotted paths from the resource, each step repeating.
struct PartyPaths {
  std::string_view type;
  std::vector<std::string_view> paths;
  // Whether the resource is a care relationship (its parties may see its patients'
  // records), and the statuses under which it is none (a referral declined, a team disbanded).
  bool relationship;
  std::vector<std::string_view> inactive_statuses;
};

const std::vector<PartyPaths>& party_paths() {
  static const std::vector<PartyPaths> kPaths = {
      {"Patient", {"managingOrganization", "generalPractitioner"}, true, {}},
      {"CareTeam", {"participant.member", "participant.onBehalfOf", "managingOrganization"}, true,
       {"inactive", "entered-in-error"}},
      {"EpisodeOfCare", {"managingOrganization"}, true, {"cancelled", "entered-in-error"}},
      {"Task", {"owner", "requester", "restriction.recipient"}, true, {"rejected", "cancelled", "entered-in-error"}},
      {"ServiceRequest", {"performer"}, false, {}},
      {"Communication", {"recipient"}, false, {}},
      {"CommunicationRequest", {"recipient"}, false, {}},
      {"Consent", {"organization"}, false, {}},
  };
  return kPaths;
}

const PartyPaths* party_paths_of(std::string_view type) {
  for (const auto& p : party_paths()) {
    if (p.type == type) return &p;
  }
  return nullptr;
}

// Calls `visit` with each element the dotted path reaches from `from`.
template <typename F>
void walk(const Element& from, std::string_view path, F&& visit) {
  size_t dot = path.find('.');
  std::string_view step = path.substr(0, dot);
  for (const Element* c : from.children()) {
    if (c->base_name() != step) continue;
    if (dot == std::string_view::npos) {
      visit(*c);
    } else {
      walk(*c, path.substr(dot + 1), visit);
    }
  }
}

void add_unique(std::vector<std::string>& ids, std::string_view id) {
  if (id.empty() || std::find(ids.begin(), ids.end(), id) != ids.end()) return;
  ids.emplace_back(id);
}

// Adds the id of every Patient the element references, at any depth (contained resources
// and a Bundle's entries too).
void add_patient_references(const Element& element, std::vector<std::string>& patients) {
  for (const Element* c : element.children()) {
    if (c->base_name() == "reference" && !c->value.empty()) add_unique(patients, referenced_id(c->value, "Patient"));
    add_patient_references(*c, patients);
  }
}

std::string_view status_of(const Element& resource) {
  const Element* status = resource.child("status");
  return status ? status->value : std::string_view();
}

}  // namespace

// Whether a resource inside this one (a stored Bundle's entry, a contained resource) is a
// Patient or in the patient compartment, whatever its references look like: a collection
// Bundle names its Patient entry by urn:uuid, a contained Patient is "#p1".
bool PatientCompartment::holds_patient_data(const Element& element) const {
  for (const Element* c : element.children()) {
    if (c->is_resource() && (c->type == "Patient" || params_.count(c->type))) return true;
    if (holds_patient_data(*c)) return true;
  }
  return false;
}

std::string_view referenced_id(std::string_view reference, std::string_view type) {
  if (auto h = reference.find("/_history/"); h != std::string_view::npos) reference = reference.substr(0, h);
  size_t slash = reference.rfind('/');
  if (slash == std::string_view::npos) return {};
  std::string_view before = reference.substr(0, slash);
  size_t start = before.rfind('/');
  std::string_view ref_type = start == std::string_view::npos ? before : before.substr(start + 1);
  if (ref_type != type) return {};
  std::string_view id = reference.substr(slash + 1);
  bool plain = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
  return plain ? id : std::string_view();
}

Result<PatientCompartment> PatientCompartment::parse(std::string_view json, const fhir::search::SearchRegistry& registry) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("resource") || !doc["resource"].IsArray()) {
    return Result<PatientCompartment>::failure("invalid", "the Patient CompartmentDefinition cannot be read");
  }
  PatientCompartment out;
  for (const auto& r : doc["resource"].GetArray()) {
    if (!r.IsObject() || !r.HasMember("code") || !r["code"].IsString() || !r.HasMember("param") || !r["param"].IsArray()) continue;
    std::string type = r["code"].GetString();
    std::set<std::string> codes;
    for (const auto& p : r["param"].GetArray()) {
      if (!p.IsString()) continue;
      const auto* param = registry.find(type, p.GetString());
      if (!param) continue;
      for (auto& code : param->index_codes()) codes.insert(code);
    }
    if (!codes.empty() || type == "Patient") out.params_[type] = std::move(codes);
  }
  return out;
}

Result<PatientCompartment> PatientCompartment::load(const std::filesystem::path& file,
                                                   const fhir::search::SearchRegistry& registry) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Result<PatientCompartment>::failure("not-found", "cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), registry);
}

namespace {

// The resource type a Basic stands for when it carries a resource of another FHIR version
// (Basic.code from fhir-types, as the Backport IG carries an R5 SubscriptionTopic in R4), or "".
std::string_view type_carried_by_basic(const Element& basic) {
  const Element* code = basic.child("code");
  if (!code) return {};
  for (const Element* coding : code->children()) {
    if (coding->base_name() != "coding") continue;
    const Element* system = coding->child("system");
    const Element* value = coding->child("code");
    if (system && value && system->value == "http://hl7.org/fhir/fhir-types") return value->value;
  }
  return {};
}

}  // namespace

AccessFacts PatientCompartment::facts(const Element& resource, std::string_view id,
                                      const std::vector<fhir::search::IndexEntry>& rows) const {
  AccessFacts f;
  std::string_view type = resource.type;
  auto params = params_.find(type);
  f.shared = params == params_.end();
  if (type == "Patient") add_unique(f.patients, id);
  if (params != params_.end()) {
    for (const auto& row : rows) {
      if (params->second.count(row.param)) add_unique(f.patients, referenced_id(row.code, "Patient"));
    }
  }
  // Data outside the compartment that names a patient anyway (Device.patient, a Linkage's
  // items, a stored Bundle's entries, Binary.securityContext) is that patient's, not directory
  // data every organization reads; and a Binary is content, a MessageHeader an exchange
  // between two parties, never shared.
  if (f.shared) {
    add_patient_references(resource, f.patients);
    if (!f.patients.empty() || type == "Binary" || type == "MessageHeader" || holds_patient_data(resource)) f.shared = false;
  }
  // A Basic that carries a definition outside the patient compartment (a SubscriptionTopic
  // subscribers must be able to discover) is shared as that type would be, unless it names
  // a patient.
  if (type == "Basic" && f.patients.empty()) {
    std::string_view carried = type_carried_by_basic(resource);
    if (!carried.empty() && carried != "Basic" && !params_.count(carried)) f.shared = true;
  }
  if (const PartyPaths* paths = party_paths_of(type)) {
    for (std::string_view path : paths->paths) {
      walk(resource, path, [&](const Element& reference) {
        if (const Element* r = reference.child("reference")) add_unique(f.parties, referenced_id(r->value, "Organization"));
      });
    }
    auto status = status_of(resource);
    f.relationship = paths->relationship && std::find(paths->inactive_statuses.begin(), paths->inactive_statuses.end(),
                                                      status) == paths->inactive_statuses.end();
  }
  return f;
}

}  // namespace carebridge::gateway::security
