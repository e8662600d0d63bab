#include "fhir/definitions/r4_corrections.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace carebridge::fhir::definitions {
namespace {

constexpr std::string_view kEvidenceVariable = "http://hl7.org/fhir/StructureDefinition/EvidenceVariable";
constexpr std::string_view kCharacteristic = "EvidenceVariable.characteristic";

// R4's EvidenceVariable.characteristic children that R5 removed, in R4's order, with where
// they go: after `description` (definition[x], usageContext) and after `exclude` (the rest).
constexpr const char* kAfterDescription = R"([
 {"id":"EvidenceVariable.characteristic.definition[x]","path":"EvidenceVariable.characteristic.definition[x]",
  "short":"What code or expression defines members?","min":1,"max":"1",
  "base":{"path":"EvidenceVariable.characteristic.definition[x]","min":1,"max":"1"},
  "type":[{"code":"Reference","targetProfile":["http://hl7.org/fhir/StructureDefinition/Group"]},
          {"code":"canonical","targetProfile":["http://hl7.org/fhir/StructureDefinition/ActivityDefinition"]},
          {"code":"CodeableConcept"},{"code":"Expression"},{"code":"DataRequirement"},{"code":"TriggerDefinition"}],
  "isSummary":true},
 {"id":"EvidenceVariable.characteristic.usageContext","path":"EvidenceVariable.characteristic.usageContext",
  "short":"What code/value pairs define members?","min":0,"max":"*",
  "base":{"path":"EvidenceVariable.characteristic.usageContext","min":0,"max":"*"},"type":[{"code":"UsageContext"}]}
])";
constexpr const char* kAfterExclude = R"([
 {"id":"EvidenceVariable.characteristic.participantEffective[x]","path":"EvidenceVariable.characteristic.participantEffective[x]",
  "short":"What time period do participants cover","min":0,"max":"1",
  "base":{"path":"EvidenceVariable.characteristic.participantEffective[x]","min":0,"max":"1"},
  "type":[{"code":"dateTime"},{"code":"Period"},{"code":"Duration"},{"code":"Timing"}]},
 {"id":"EvidenceVariable.characteristic.timeFromStart","path":"EvidenceVariable.characteristic.timeFromStart",
  "short":"Observation time from study start","min":0,"max":"1",
  "base":{"path":"EvidenceVariable.characteristic.timeFromStart","min":0,"max":"1"},"type":[{"code":"Duration"}]},
 {"id":"EvidenceVariable.characteristic.groupMeasure","path":"EvidenceVariable.characteristic.groupMeasure",
  "short":"mean | median | mean-of-mean | mean-of-median | median-of-mean | median-of-median","min":0,"max":"1",
  "base":{"path":"EvidenceVariable.characteristic.groupMeasure","min":0,"max":"1"},"type":[{"code":"code"}],
  "binding":{"strength":"required","valueSet":"http://hl7.org/fhir/ValueSet/group-measure|4.0.1"}}
])";

// Elements the definitions add that FHIR 4.0.1 does not have, each left out with its
// children: Medplum's own Meta elements, and R5's in ResearchStudy, Binary and
// DeviceDefinition (checked against R4's fhir.schema.json and hl7.org/fhir/R4). The
// reference validator refuses them as unknown properties.
struct NotR4 {
  std::string_view url;
  std::initializer_list<std::string_view> paths;
};
const NotR4 kNotR4[] = {
    {"http://hl7.org/fhir/StructureDefinition/Meta",
     {"Meta.project", "Meta.author", "Meta.onBehalfOf", "Meta.account", "Meta.accounts", "Meta.compartment"}},
    {"http://hl7.org/fhir/StructureDefinition/Binary", {"Binary.url"}},
    {"http://hl7.org/fhir/StructureDefinition/DeviceDefinition", {"DeviceDefinition.bodySite"}},
    {"http://hl7.org/fhir/StructureDefinition/ResearchStudy",
     {"ResearchStudy.name", "ResearchStudy.label", "ResearchStudy.studyDesign", "ResearchStudy.region",
      "ResearchStudy.descriptionSummary", "ResearchStudy.classifier", "ResearchStudy.associatedParty",
      "ResearchStudy.progressStatus", "ResearchStudy.whyStopped", "ResearchStudy.recruitment",
      "ResearchStudy.comparisonGroup", "ResearchStudy.objective.description", "ResearchStudy.outcomeMeasure",
      "ResearchStudy.result"}},
};

std::string_view text(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? std::string_view(it->value.GetString(), it->value.GetStringLength())
                                                          : std::string_view();
}

const rapidjson::Value* snapshot_elements(const rapidjson::Value& sd) {
  auto snapshot = sd.FindMember("snapshot");
  if (snapshot == sd.MemberEnd() || !snapshot->value.IsObject()) return nullptr;
  auto elements = snapshot->value.FindMember("element");
  return elements != snapshot->value.MemberEnd() && elements->value.IsArray() ? &elements->value : nullptr;
}

// Appends R4 elements, each with the ele-1 constraint every element carries.
void append(rapidjson::Value& out, const char* elements, rapidjson::Document::AllocatorType& allocator) {
  rapidjson::Document parsed(&allocator);
  parsed.Parse(elements);
  for (auto& e : parsed.GetArray()) {
    rapidjson::Value constraint(rapidjson::kObjectType);
    constraint.AddMember("key", "ele-1", allocator).AddMember("severity", "error", allocator);
    constraint.AddMember("human", "All FHIR elements must have a @value or children", allocator);
    constraint.AddMember("expression", "hasValue() or (children().count() > id.count())", allocator);
    constraint.AddMember("source", "http://hl7.org/fhir/StructureDefinition/Element", allocator);
    rapidjson::Value constraints(rapidjson::kArrayType);
    constraints.PushBack(constraint, allocator);
    e.AddMember("constraint", constraints, allocator);
    out.PushBack(rapidjson::Value(e, allocator), allocator);
  }
}

// An R4 characteristic child, kept (R5 changed description to markdown: R4 says string).
bool kept_child(std::string_view name) {
  return name == "id" || name == "extension" || name == "modifierExtension" || name == "description" || name == "exclude";
}

// The characteristic itself as R4 has it: 1..*, without R5's evv-1 on R5's elements.
void correct_characteristic(rapidjson::Value& e, rapidjson::Document::AllocatorType& allocator) {
  e["min"].SetInt(1);
  if (auto constraints = e.FindMember("constraint"); constraints != e.MemberEnd() && constraints->value.IsArray()) {
    rapidjson::Value kept(rapidjson::kArrayType);
    for (auto& c : constraints->value.GetArray())
      if (text(c, "key") != "evv-1") kept.PushBack(rapidjson::Value(c, allocator), allocator);
    constraints->value = kept;
  }
}

// `sd` without the elements `not_r4` names (and their children); nullopt when it has none.
std::optional<rapidjson::Document> without(const rapidjson::Value& sd, const NotR4& not_r4) {
  const rapidjson::Value* elements = snapshot_elements(sd);
  if (!elements) return std::nullopt;
  auto foreign = [&](std::string_view path) {
    return std::any_of(not_r4.paths.begin(), not_r4.paths.end(), [&](std::string_view p) {
      return path.starts_with(p) && (path.size() == p.size() || path[p.size()] == '.');
    });
  };
  if (std::none_of(elements->Begin(), elements->End(), [&](const auto& e) { return foreign(text(e, "path")); }))
    return std::nullopt;
  rapidjson::Document out;
  out.CopyFrom(sd, out.GetAllocator());
  rapidjson::Value kept(rapidjson::kArrayType);
  for (const auto& e : elements->GetArray())
    if (!foreign(text(e, "path"))) kept.PushBack(rapidjson::Value(e, out.GetAllocator()), out.GetAllocator());
  out["snapshot"]["element"] = kept;
  return out;
}

}  // namespace

std::optional<rapidjson::Document> r4_correction(const rapidjson::Value& sd) {
  if (!sd.IsObject()) return std::nullopt;
  for (const NotR4& not_r4 : kNotR4)
    if (text(sd, "url") == not_r4.url) return without(sd, not_r4);
  if (text(sd, "url") != kEvidenceVariable) return std::nullopt;
  const rapidjson::Value* elements = snapshot_elements(sd);
  if (!elements) return std::nullopt;
  bool r5_shape = false;
  for (const auto& e : elements->GetArray()) r5_shape = r5_shape || text(e, "path") == "EvidenceVariable.characteristic.linkId";
  if (!r5_shape) return std::nullopt;
  rapidjson::Document out;
  out.CopyFrom(sd, out.GetAllocator());
  auto& allocator = out.GetAllocator();
  rapidjson::Value corrected(rapidjson::kArrayType);
  for (const auto& e : elements->GetArray()) {
    std::string_view path = text(e, "path");
    bool child = path.starts_with(kCharacteristic) && path.size() > kCharacteristic.size() && path[kCharacteristic.size()] == '.';
    std::string_view name = child ? path.substr(kCharacteristic.size() + 1) : std::string_view();
    if (child && !kept_child(name)) continue;
    rapidjson::Value copy(e, allocator);
    if (path == kCharacteristic) correct_characteristic(copy, allocator);
    if (name == "description") copy["type"][0]["code"].SetString("string", allocator);
    corrected.PushBack(copy, allocator);
    if (name == "description") append(corrected, kAfterDescription, allocator);
    if (name == "exclude") append(corrected, kAfterExclude, allocator);
  }
  out["snapshot"]["element"] = corrected;
  return out;
}

}  // namespace carebridge::fhir::definitions
