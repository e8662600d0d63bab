// Security-label codes as bits, reading them from meta.security and writing them back
// (see labels.h). The rules that decide labels at write time are in label_rules.cpp.
#include "gateway/security/labels.h"

#include <array>

#include "gateway/rest/resource_edit.h"

namespace carebridge::gateway::security {
namespace {

namespace model = fhir::model;

constexpr std::string_view kConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

enum class Family : uint8_t { Confidentiality, ActCode, UsPrivacyLaw, Other };

Family family_of(std::string_view system) {
  if (system == kConfidentiality || system == "http://hl7.org/fhir/v3/Confidentiality" ||
      system == "urn:oid:2.16.840.1.113883.5.25") {
    return Family::Confidentiality;
  }
  if (system == kActCode || system == "http://hl7.org/fhir/v3/ActCode" || system == "urn:oid:2.16.840.1.113883.5.4") {
    return Family::ActCode;
  }
  if (system == "http://terminology.hl7.org/CodeSystem/v3-ActUSPrivacyLaw" ||
      system == "http://hl7.org/fhir/v3/ActUSPrivacyLaw" || system == "urn:oid:2.16.840.1.113883.5.1138") {
    return Family::UsPrivacyLaw;
  }
  return Family::Other;
}

struct CodeBits {
  std::string_view code;
  uint32_t bits;
};

// v3-Confidentiality: R and V; the codes deprecated for v3-ActCode's sensitivities count as
// those; the other deprecated ones (business, clinician, individual, celebrity, sensitive,
// taboo) are sensitive without a name. U, L, M, N carry no restriction.
constexpr CodeBits kConfidentialityCodes[] = {
    {"R", ConfidentialityR}, {"V", ConfidentialityV}, {"ETH", ETH},           {"HIV", HIV},
    {"PSY", PSY},            {"SDV", SDV},            {"B", OtherSensitive}, {"D", OtherSensitive},
    {"I", OtherSensitive},   {"C", OtherSensitive},   {"S", OtherSensitive}, {"T", OtherSensitive},
};

// v3-ActCode: the information-sensitivity policies, the US privacy laws and the refrains
// that mean "not without consent".
constexpr CodeBits kActCodes[] = {
    {"ETH", ETH},
    {"SUD", ETH},
    {"ETHUD", ETH},
    {"OPIOIDUD", ETH},
    {"HIV", HIV},
    {"PSY", PSY},
    {"MH", PSY},
    {"BH", PSY},
    {"EMOTDIS", PSY},
    {"PSYTHPN", PSY},
    {"HIPAAPsyNotes", PSY},
    {"SPI", ETH | PSY},
    {"SDV", SDV},
    {"MST", SDV},
    {"STD", STD},
    {"42CFRPart2", Part2},
    {"NORDSCLCD", NoRedisclosure},
    {"NORDSCLCDS", NoRedisclosure},
    {"ORCON", OriginatorControlled},
    // Sensitive without a bit of their own.
    {"GDIS", OtherSensitive},
    {"SCA", OtherSensitive},
    {"SICKLE", OtherSensitive},
    {"SEX", OtherSensitive},
    {"TBOO", OtherSensitive},
    {"VIO", OtherSensitive},
    {"COGN", OtherSensitive},
    {"DVD", OtherSensitive},
    {"DEMO", OtherSensitive},
    {"DOB", OtherSensitive},
    {"GENDER", OtherSensitive},
    {"LIVARG", OtherSensitive},
    {"MARST", OtherSensitive},
    {"RACE", OtherSensitive},
    {"REL", OtherSensitive},
    {"B", OtherSensitive},
    {"EMPL", OtherSensitive},
    {"LOCIS", OtherSensitive},
    {"SSP", OtherSensitive},
    {"ADOL", OtherSensitive},
    {"CEL", OtherSensitive},
    {"DIA", OtherSensitive},
    {"DRGIS", OtherSensitive},
    {"EMP", OtherSensitive},
    {"PDS", OtherSensitive},
    {"PHY", OtherSensitive},
    {"PRS", OtherSensitive},
    {"Title38Section7332", OtherSensitive},
    {"HIPAASelfPay", OtherSensitive},
    {"NOAUTH", OtherSensitive},
    {"NODSCLCD", OtherSensitive},
    {"NODSCLCDS", OtherSensitive},
};

template <size_t N>
uint32_t lookup(const CodeBits (&table)[N], std::string_view code) {
  for (const auto& entry : table) {
    if (entry.code == code) return entry.bits;
  }
  return 0;
}

// How each label is written back: system, code, display (the code system's own display).
struct LabelCoding {
  Label label;
  std::string_view name;
  std::string_view system;
  std::string_view code;
  std::string_view display;
};

constexpr LabelCoding kLabelCodings[] = {
    {ConfidentialityR, "R", kConfidentiality, "R", "restricted"},
    {ConfidentialityV, "V", kConfidentiality, "V", "very restricted"},
    {ETH, "ETH", kActCode, "ETH", "substance abuse information sensitivity"},
    {HIV, "HIV", kActCode, "HIV", "HIV/AIDS information sensitivity"},
    {PSY, "PSY", kActCode, "PSY", "psychiatry disorder information sensitivity"},
    {SDV, "SDV", kActCode, "SDV", "sexual assault, abuse, or domestic violence information sensitivity"},
    {STD, "STD", kActCode, "STD", "sexually transmitted disease information sensitivity"},
    {Part2, "Part2", kActCode, "42CFRPart2", "42 CFR Part2"},
    {NoRedisclosure, "NoRedisclosure", kActCode, "NORDSCLCDS",
     "no redisclosure without information subject's consent directive"},
};

std::string_view value_of(const model::Element& parent, std::string_view name) {
  const model::Element* child = parent.child(name);
  return child && child->has_value ? child->value : std::string_view();
}

// Unlinks the meta.security Codings whose confidentiality ranks below `rank`.
void remove_lower_confidentiality(model::Element& meta, int rank) {
  model::Element* previous = nullptr;
  uint32_t count = 0;
  for (model::Element* c = meta.first_child; c; c = c->next) {
    int own = c->name == "security" ? confidentiality_rank(value_of(*c, "system"), value_of(*c, "code")) : -1;
    if (own >= 0 && own < rank) {
      (previous ? previous->next : meta.first_child) = c->next;
      continue;
    }
    previous = c;
    ++count;
  }
  meta.last_child = previous;
  meta.child_count = count;
}

void add_coding(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& meta,
                const LabelCoding& label) {
  model::Element* coding = rest::append_child(document, definitions, meta, "security");
  if (!coding) return;
  rest::set_primitive(document, definitions, *coding, "system", label.system);
  rest::set_primitive(document, definitions, *coding, "code", label.code);
  rest::set_primitive(document, definitions, *coding, "display", label.display);
}

}  // namespace

uint32_t label_bits(std::string_view system, std::string_view code) {
  switch (family_of(system)) {
    case Family::Confidentiality: return lookup(kConfidentialityCodes, code);
    case Family::ActCode: return lookup(kActCodes, code);
    case Family::UsPrivacyLaw: return lookup(kActCodes, code);  // the same codes, in their own system
    case Family::Other: return 0;
  }
  return 0;
}

int confidentiality_rank(std::string_view system, std::string_view code) {
  if (family_of(system) != Family::Confidentiality) return -1;
  if (code == "V") return 3;
  if (code == "R") return 2;
  if (code == "N") return 1;
  if (code == "U" || code == "L" || code == "M") return 0;
  return -1;
}

uint32_t labels_of(const model::Element& resource) {
  const model::Element* meta = resource.child("meta");
  if (!meta) return 0;
  uint32_t labels = 0;
  for (const model::Element* c = meta->first_child; c; c = c->next) {
    if (c->name == "security") labels |= label_bits(value_of(*c, "system"), value_of(*c, "code"));
  }
  return labels;
}

std::string_view label_name(Label label) {
  for (const auto& coding : kLabelCodings) {
    if (coding.label == label) return coding.name;
  }
  return label == OtherSensitive ? "OtherSensitive" : "";
}

uint32_t label_from_name(std::string_view name) {
  for (const auto& coding : kLabelCodings) {
    if (coding.name == name) return coding.label;
  }
  return 0;
}

void add_labels(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& resource,
                uint32_t labels) {
  if (labels & Part2) labels |= NoRedisclosure;
  if (labels & ConfidentialityV) labels &= ~ConfidentialityR;  // one confidentiality: the highest
  const uint32_t present = labels_of(resource);
  if (present & ConfidentialityV) labels &= ~ConfidentialityR;
  const uint32_t missing = labels & ~present;
  if (!missing) return;
  model::Element* meta = rest::ensure_child(document, definitions, resource, "meta");
  if (!meta) return;
  if (missing & ConfidentialityV) remove_lower_confidentiality(*meta, 3);
  if (missing & ConfidentialityR) remove_lower_confidentiality(*meta, 2);
  for (const auto& label : kLabelCodings) {
    if (missing & label.label) add_coding(document, definitions, *meta, label);
  }
}

}  // namespace carebridge::gateway::security
