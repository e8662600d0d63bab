// Fixed and pattern values: whether an element equals (fixed) or contains (pattern)
// a value given as JSON in a StructureDefinition; and the limits an element sets (maxLength,
// minValue, maxValue).
#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>

#include "fhir/json/utf8.h"
#include "fhir/time/temporal.h"
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
  // A fixed value is exact to its extensions too: an element that has one the value does
  // not have differs from it (the reference validator: "no extensions allowed, as the
  // fixed value doesn't contain any"); a pattern leaves them open.
  if (!json.IsObject()) return primitive_matches(node, json) && !(exact && child_named(node, "extension"));
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
      if (c->name == "id") continue;
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

namespace {

// The parts of a JSON value at `path` (an array's items each), in `out`.
void parts_at(const rapidjson::Value& json, const std::vector<std::string_view>& path, size_t at,
              std::vector<const rapidjson::Value*>& out) {
  if (json.IsArray()) {
    for (const auto& item : json.GetArray()) parts_at(item, path, at, out);
    return;
  }
  if (at == path.size()) {
    out.push_back(&json);
    return;
  }
  if (!json.IsObject()) return;
  auto member = json.FindMember(rapidjson::StringRef(path[at].data(), path[at].size()));
  if (member != json.MemberEnd()) parts_at(member->value, path, at + 1, out);
}

std::vector<const rapidjson::Value*> parts(ValidatorState& state, const definitions::TypedJson& value,
                                           const std::vector<std::string_view>& path) {
  std::vector<const rapidjson::Value*> out;
  if (const rapidjson::Document* json = state.value_json(value)) parts_at(*json, path, 0, out);
  return out;
}

}  // namespace

bool has_part(ValidatorState& state, const definitions::TypedJson& value, const std::vector<std::string_view>& path) {
  return !parts(state, value, path).empty();
}

bool matches_part(ValidatorState& state, const Element& node, const definitions::TypedJson& value,
                  const std::vector<std::string_view>& path) {
  for (const rapidjson::Value* part : parts(state, value, path))
    if (matches(node, *part, false)) return true;
  return false;
}

namespace {

// A bound as written in a message: 8, 1900-01-01.
std::string_view shown(const definitions::TypedJson& bound) {
  std::string_view b = bound.json;
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
  return b;
}

// -1, 0 or 1 as `value` is below, at or above `bound` (both of the node's type); nullopt when
// they cannot be compared (a Quantity bound, a date of another precision that agrees so far).
std::optional<int> compare(std::string_view type, std::string_view value, const definitions::TypedJson& bound) {
  std::string_view b = shown(bound);
  if (type == "integer" || type == "positiveInt" || type == "unsignedInt" || type == "integer64" || type == "decimal") {
    char* end = nullptr;
    std::string vs(value), bs(b);
    double v = std::strtod(vs.c_str(), &end);
    if (end == vs.c_str()) return std::nullopt;
    double x = std::strtod(bs.c_str(), &end);
    if (end == bs.c_str()) return std::nullopt;
    return v < x ? -1 : v > x ? 1 : 0;
  }
  // Dates and times as FHIRPath orders them (fhir/time): zones moved to UTC, precisions.
  time::Syntax syntax = type == "time" ? time::Syntax::Time : time::Syntax::DateTime;
  if (type != "date" && type != "dateTime" && type != "instant" && type != "time") return std::nullopt;
  auto v = time::try_parse(value, syntax), x = time::try_parse(b, syntax);
  return v && x ? time::compare(*v, *x) : std::nullopt;
}

}  // namespace

void check_limits(Run& run, const Element& node, const definitions::ElementDef& e, const std::string& of, const Path& path) {
  if (!node.is_primitive() || !node.has_value) return;
  std::string per = of.empty() ? std::string() : " per " + of;
  if (e.max_length && fhir::json::count_code_points(node.value) > e.max_length) {
    run.report(Severity::Error, "too-long",
               "the value has " + std::to_string(fhir::json::count_code_points(node.value)) + " characters, more than the " +
                   std::to_string(e.max_length) + " allowed" + per,
               node, path);
  }
  if (e.min_value) {
    if (auto c = compare(node.type, node.value, *e.min_value); c && *c < 0)
      run.report(Severity::Error, "value",
                 "the value " + std::string(node.value) + " is below the minimum " + std::string(shown(*e.min_value)) + per,
                 node, path);
  }
  if (e.max_value) {
    if (auto c = compare(node.type, node.value, *e.max_value); c && *c > 0)
      run.report(Severity::Error, "value",
                 "the value " + std::string(node.value) + " is above the maximum " + std::string(shown(*e.max_value)) + per,
                 node, path);
  }
}

}  // namespace carebridge::fhir::validation
