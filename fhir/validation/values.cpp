// Fixed and pattern values: whether an element equals (fixed) or contains (pattern)
// a value given as JSON in a StructureDefinition.
#include <rapidjson/document.h>

#include <charconv>

#include "fhir/validation/run.h"
#include "fhir/validation/state.h"

namespace carebridge::fhir::validation {
namespace {

bool matches(const Element& node, const rapidjson::Value& json, bool exact);

bool primitive_matches(const Element& node, const rapidjson::Value& json) {
  if (!node.has_value) return false;
  if (json.IsString()) return node.value == std::string_view(json.GetString(), json.GetStringLength());
  if (json.IsBool()) return node.value == (json.GetBool() ? "true" : "false");
  if (json.IsNumber()) {
    std::string_view v = node.value;
    if (json.IsInt64()) return v == std::to_string(json.GetInt64());
    double d = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), d);
    return r.ec == std::errc() && d == json.GetDouble();
  }
  return false;
}

bool matches(const Element& node, const rapidjson::Value& json, bool exact) {
  if (!json.IsObject()) return primitive_matches(node, json);
  for (auto m = json.MemberBegin(); m != json.MemberEnd(); ++m) {
    std::string_view name(m->name.GetString(), m->name.GetStringLength());
    if (name.starts_with('_')) continue;
    if (m->value.IsArray()) {
      std::vector<const Element*> items;
      for (const Element* c : node.children()) {
        if (c->name == name) items.push_back(c);
      }
      if (exact && items.size() != m->value.Size()) return false;
      size_t i = 0;
      for (const auto& want : m->value.GetArray()) {
        bool found = false;
        if (exact) {
          found = matches(*items[i++], want, true);
        } else {
          for (const Element* item : items) found = found || matches(*item, want, false);
        }
        if (!found) return false;
      }
      continue;
    }
    bool found = false;
    for (const Element* c : node.children()) {
      if (c->name == name && matches(*c, m->value, exact)) found = true;
    }
    if (!found) return false;
  }
  if (exact) {
    for (const Element* c : node.children()) {
      if (c->name == "id" || c->name == "extension") continue;
      if (!json.HasMember(std::string(c->name).c_str())) return false;
    }
  }
  return true;
}

}  // namespace

bool matches_value(ValidatorState& state, const Element& node, const definitions::TypedJson& value, bool exact) {
  const rapidjson::Document* json = state.value_json(value);
  if (!json) return true;  // a broken definition is not the resource's fault
  return matches(node, *json, exact);
}

}  // namespace carebridge::fhir::validation
