// Internal to terminology: reading fields of conformance resources kept as compact
// JSON (definitions::ConformanceResource). Numbers are read as their text.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace carebridge::fhir::terminology::json {

// Parses `text` into `doc` (a copy is kept in `buffer`, parsed in situ); false when it is not a JSON object.
inline bool parse(std::string_view text, std::string& buffer, rapidjson::Document& doc) {
  buffer.assign(text);
  doc.ParseInsitu<rapidjson::kParseNumbersAsStringsFlag>(buffer.data());
  return !doc.HasParseError() && doc.IsObject();
}

// The string (or number, or boolean) member `key` as text; empty when absent.
inline std::string_view text(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return {};
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return {};
  if (it->value.IsString()) return {it->value.GetString(), it->value.GetStringLength()};
  if (it->value.IsBool()) return it->value.GetBool() ? "true" : "false";
  return {};
}

// Calls f on each item of the array member `key`.
template <typename F>
void each(const rapidjson::Value& obj, const char* key, F&& f) {
  if (!obj.IsObject()) return;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsArray()) return;
  for (const auto& item : it->value.GetArray()) f(item);
}

// The canonical URL without its "|version".
inline std::string_view without_version(std::string_view canonical) {
  auto bar = canonical.find('|');
  return bar == std::string_view::npos ? canonical : canonical.substr(0, bar);
}

}  // namespace carebridge::fhir::terminology::json
