// Reads StructureDefinition JSON (snapshot, else differential) into StructureDef.
#include "fhir/definitions/structure_reader.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <unordered_map>

namespace carebridge::fhir::definitions {
namespace {

constexpr std::string_view kSystemPrefix = "http://hl7.org/fhirpath/";
constexpr std::string_view kFhirTypeExt = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
constexpr std::string_view kRegexExt = "http://hl7.org/fhir/StructureDefinition/regex";

constexpr std::array<std::string_view, 20> kPrimitiveNames = {
    "base64Binary", "boolean", "canonical", "code",     "date",    "dateTime",    "decimal",
    "id",           "instant", "integer",   "markdown", "oid",     "positiveInt", "string",
    "time",         "unsignedInt", "uri",   "url",      "uuid",    "xhtml"};

std::string_view str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return {};
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

bool boolean(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

template <typename F>
void each(const rapidjson::Value& obj, const char* key, F&& f) {
  const auto* arr = member(obj, key);
  if (!arr || !arr->IsArray()) return;
  for (const auto& v : arr->GetArray()) f(v);
}

std::string_view extension_string(const rapidjson::Value& obj, std::string_view url) {
  std::string_view found;
  each(obj, "extension", [&](const rapidjson::Value& ext) {
    if (str(ext, "url") != url) return;
    for (const char* key : {"valueUrl", "valueString", "valueUri", "valueCode"}) {
      if (auto v = str(ext, key); !v.empty()) found = v;
    }
  });
  return found;
}

// Numbers are read as text (kParseNumbersAsStringsFlag) so decimals keep their digits.
uint32_t unsigned_number(const rapidjson::Value& v) {
  if (v.IsUint()) return v.GetUint();
  uint32_t n = 0;
  if (v.IsString()) std::from_chars(v.GetString(), v.GetString() + v.GetStringLength(), n);
  return n;
}

uint32_t parse_max(std::string_view max) {
  if (max == "*") return kUnbounded;
  uint32_t n = 1;
  std::from_chars(max.data(), max.data() + max.size(), n);
  return n;
}

// "fixedUri" -> "uri", "patternCodeableConcept" -> "CodeableConcept".
std::string suffix_type(std::string_view suffix) {
  std::string lower(suffix);
  if (!lower.empty()) lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
  for (auto p : kPrimitiveNames) {
    if (p == lower) return lower;
  }
  return std::string(suffix);
}

std::optional<TypedJson> prefixed_value(const rapidjson::Value& element, std::string_view prefix) {
  for (auto it = element.MemberBegin(); it != element.MemberEnd(); ++it) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (name.size() > prefix.size() && name.starts_with(prefix) && std::isupper(static_cast<unsigned char>(name[prefix.size()]))) {
      return TypedJson{suffix_type(name.substr(prefix.size())), compact_json(it->value)};
    }
  }
  return std::nullopt;
}

TypeRef read_type(const rapidjson::Value& t) {
  TypeRef ref;
  std::string_view code = str(t, "code");
  if (code.starts_with(kSystemPrefix)) {
    std::string_view fhir_type = extension_string(t, kFhirTypeExt);
    ref.code = fhir_type.empty() ? std::string(code.substr(kSystemPrefix.size())) : std::string(fhir_type);
  } else {
    ref.code = std::string(code);
  }
  each(t, "profile", [&](const rapidjson::Value& p) { if (p.IsString()) ref.profiles.emplace_back(p.GetString()); });
  each(t, "targetProfile", [&](const rapidjson::Value& p) { if (p.IsString()) ref.target_profiles.emplace_back(p.GetString()); });
  each(t, "aggregation", [&](const rapidjson::Value& a) { if (a.IsString()) ref.aggregation.emplace_back(a.GetString()); });
  return ref;
}

ElementDef read_element(const rapidjson::Value& e) {
  ElementDef el;
  el.path = std::string(str(e, "path"));
  el.id = str(e, "id").empty() ? el.path : std::string(str(e, "id"));
  el.slice_name = std::string(str(e, "sliceName"));
  std::string_view last = std::string_view(el.path).substr(el.path.rfind('.') + 1);
  el.is_choice = last.ends_with("[x]");
  el.name = std::string(el.is_choice ? last.substr(0, last.size() - 3) : last);
  if (const auto* min = member(e, "min")) el.min = unsigned_number(*min);
  el.max = parse_max(str(e, "max").empty() ? "1" : str(e, "max"));
  el.max_given = !str(e, "max").empty();
  std::string_view base_max = str(*(member(e, "base") ? member(e, "base") : &e), "max");
  el.repeats = (base_max.empty() ? el.max : parse_max(base_max)) != 1;
  each(e, "representation", [&](const rapidjson::Value& r) {
    std::string_view rep(r.GetString(), r.GetStringLength());
    if (rep == "xmlAttr") el.xml_attribute = true;
    if (rep == "xhtml") el.xhtml = true;
  });
  el.is_modifier = boolean(e, "isModifier");
  el.is_summary = boolean(e, "isSummary");
  el.must_support = boolean(e, "mustSupport");
  each(e, "type", [&](const rapidjson::Value& t) { el.types.push_back(read_type(t)); });
  // The xhtml type's value is represented as XHTML (xhtml.value has representation "xhtml").
  if (el.types.size() == 1 && el.types[0].code == "xhtml") el.xhtml = true;
  each(e, "constraint", [&](const rapidjson::Value& c) {
    el.constraints.push_back({std::string(str(c, "key")), std::string(str(c, "severity")),
                              std::string(str(c, "human")), std::string(str(c, "expression")),
                              std::string(str(c, "source"))});
  });
  if (const auto* b = member(e, "binding")) {
    el.binding = Binding{std::string(str(*b, "strength")), std::string(str(*b, "valueSet")), {}};
    each(*b, "extension", [&](const rapidjson::Value& x) {
      if (str(x, "url") == "http://hl7.org/fhir/StructureDefinition/elementdefinition-maxValueSet") {
        el.binding->max_value_set = std::string(str(x, "valueCanonical"));
      }
    });
  }
  if (const auto* s = member(e, "slicing")) {
    Slicing slicing;
    each(*s, "discriminator", [&](const rapidjson::Value& d) {
      slicing.discriminators.push_back({std::string(str(d, "type")), std::string(str(d, "path"))});
    });
    slicing.ordered = boolean(*s, "ordered");
    slicing.rules = std::string(str(*s, "rules"));
    el.slicing = std::move(slicing);
  }
  el.fixed = prefixed_value(e, "fixed");
  el.pattern = prefixed_value(e, "pattern");
  el.min_value = prefixed_value(e, "minValue");
  el.max_value = prefixed_value(e, "maxValue");
  if (const auto* length = member(e, "maxLength")) el.max_length = unsigned_number(*length);
  std::string_view ref = str(e, "contentReference");
  if (auto hash = ref.find('#'); hash != std::string_view::npos) el.content_reference = std::string(ref.substr(hash + 1));
  return el;
}

// Ids for elements written without one (older differentials give path and sliceName only):
// the path, with ":name" after the step each slice above the element was named on
// ("Patient.identifier:mrn.system" for "Patient.identifier.system" after slice mrn).
void name_elements(std::vector<ElementDef>& elements, const std::vector<bool>& has_id) {
  std::vector<std::pair<std::string, std::string>> slices;  // sliced path, the slice's id
  auto within = [](const std::string& path, const std::string& outer) {
    return path == outer || (path.starts_with(outer) && path[outer.size()] == '.');
  };
  for (size_t i = 0; i < elements.size(); ++i) {
    ElementDef& e = elements[i];
    while (!slices.empty() && (!within(e.path, slices.back().first) || e.path == slices.back().first)) slices.pop_back();
    if (has_id[i]) continue;
    e.id = slices.empty() ? e.path : slices.back().second + e.path.substr(slices.back().first.size());
    if (!e.slice_name.empty()) {
      e.id += ":" + e.slice_name;
      slices.emplace_back(e.path, e.id);
    }
  }
}

StructureKind read_kind(std::string_view kind) {
  if (kind == "primitive-type") return StructureKind::PrimitiveType;
  if (kind == "resource") return StructureKind::Resource;
  if (kind == "logical") return StructureKind::Logical;
  return StructureKind::ComplexType;
}

}  // namespace

std::string compact_json(const rapidjson::Value& json) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  json.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

StructureDef read_structure(const rapidjson::Value& json) {
  StructureDef sd;
  sd.url = std::string(str(json, "url"));
  sd.version = std::string(str(json, "version"));
  sd.name = std::string(str(json, "name"));
  sd.type = std::string(str(json, "type"));
  sd.base_definition = std::string(str(json, "baseDefinition"));
  sd.kind = read_kind(str(json, "kind"));
  std::string_view derivation = str(json, "derivation");
  sd.derivation = derivation == "constraint"       ? Derivation::Constraint
                  : derivation == "specialization" ? Derivation::Specialization
                                                   : Derivation::None;
  sd.is_abstract = boolean(json, "abstract");
  each(json, "context", [&](const rapidjson::Value& c) { sd.contexts.emplace_back(str(c, "expression")); });
  each(json, "contextInvariant", [&](const rapidjson::Value& c) {
    if (c.IsString()) sd.context_invariants.emplace_back(c.GetString(), c.GetStringLength());
  });
  const rapidjson::Value* elements = nullptr;
  if (const auto* snapshot = member(json, "snapshot")) elements = member(*snapshot, "element");
  sd.has_snapshot = elements && elements->IsArray();
  if (!sd.has_snapshot) {
    if (const auto* diff = member(json, "differential")) elements = member(*diff, "element");
  }
  if (elements && elements->IsArray()) {
    sd.elements.reserve(elements->Size());
    std::vector<bool> has_id;
    for (const auto& e : elements->GetArray()) {
      sd.elements.push_back(read_element(e));
      has_id.push_back(!str(e, "id").empty());
    }
    if (std::find(has_id.begin(), has_id.end(), false) != has_id.end()) name_elements(sd.elements, has_id);
  }
  if (sd.kind == StructureKind::PrimitiveType && sd.elements.size() > 0) {
    for (const auto& e : elements->GetArray()) {
      if (str(e, "path") != sd.type + ".value") continue;
      each(e, "type", [&](const rapidjson::Value& t) {
        std::string_view code = str(t, "code");
        if (code.starts_with(kSystemPrefix)) sd.system_type = std::string(code.substr(kSystemPrefix.size()));
        sd.value_regex = std::string(extension_string(t, kRegexExt));
      });
    }
    if (sd.system_type == "System.Boolean") sd.json_value = JsonValueKind::Boolean;
    if (sd.system_type == "System.Integer" || sd.system_type == "System.Decimal") sd.json_value = JsonValueKind::Number;
  }
  index_structure(sd);
  return sd;
}

std::string_view sliced_element_id(std::string_view slice_id) {
  auto colon = slice_id.rfind(':');
  if (colon == std::string_view::npos) return slice_id;
  auto slash = slice_id.rfind('/');
  return slice_id.substr(0, slash != std::string_view::npos && slash > colon ? slash : colon);
}

std::string capitalize(std::string_view type_code) {
  std::string out(type_code);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace carebridge::fhir::definitions
