// Helpers for end-to-end tests: JSON bodies, headers and resource builders.
#pragma once

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "gateway/http/client.h"

namespace carebridge::testing {

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  return doc;
}

inline std::string header(const gateway::http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (gateway::http::iequals(k, name)) return v;
  }
  return {};
}

// The text of a string member ("" when missing), for short assertions.
inline std::string str(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
}

// The value[x] of a Parameters parameter or part as text: a boolean "true"/"false", a number, a
// string, a Coding's code ("" when it has none).
inline std::string value_text(const rapidjson::Value& parameter) {
  for (auto m = parameter.MemberBegin(); m != parameter.MemberEnd(); ++m) {
    if (!std::string_view(m->name.GetString()).starts_with("value")) continue;
    if (m->value.IsBool()) return m->value.GetBool() ? "true" : "false";
    if (m->value.IsInt()) return std::to_string(m->value.GetInt());
    if (m->value.IsString()) return m->value.GetString();
    if (m->value.IsObject() && m->value.HasMember("code")) return m->value["code"].GetString();
  }
  return "";
}

// The value of the named parameter of a Parameters resource, as text ("" when absent).
inline std::string parameter_text(const rapidjson::Value& parameters, const std::string& name) {
  for (const auto& p : parameters["parameter"].GetArray())
    if (str(p, "name") == name) return value_text(p);
  return "";
}

// A search's entries as "mode Type/id" ("match Patient/p1", "include Practitioner/d"); the
// answer must be 200.
inline std::multiset<std::string> search_entries(gateway::http::Client& c, const std::string& query) {
  auto r = c.get("/fhir/" + query);
  INFO(query << " -> " << r.body.substr(0, 400));
  REQUIRE(r.status == 200);
  std::multiset<std::string> out;
  auto doc = parse_json(r.body);
  for (const auto& e : doc["entry"].GetArray())
    out.insert(str(e["search"], "mode") + " " + str(e["resource"], "resourceType") + "/" + str(e["resource"], "id"));
  return out;
}

// The id of the resource a create answered with; the answer must be 201.
inline std::string created_id(const gateway::http::Response& r) {
  INFO(r.body);
  REQUIRE(r.status == 201);
  return str(parse_json(r.body), "id");
}

inline gateway::http::Headers json_headers();

// The id of `json` created by a plain POST to its type; the answer must be 201.
inline std::string created_id(gateway::http::Client& c, const std::string& type, const std::string& json) {
  return created_id(c.post("/fhir/" + type, json, json_headers()));
}

inline gateway::http::Headers json_headers() {
  return {{"Content-Type", "application/fhir+json"}, {"Accept", "application/fhir+json"}};
}
inline gateway::http::Headers xml_headers() {
  return {{"Content-Type", "application/fhir+xml"}, {"Accept", "application/fhir+xml"}};
}

inline std::string patient_json(const std::string& family, const std::string& given, const std::string& extra = "") {
  return R"({"resourceType":"Patient",)" + extra + R"("name":[{"family":")" + family + R"(","given":[")" + given +
         R"("]}],"gender":"female","birthDate":"1980-05-17"})";
}

}  // namespace carebridge::testing
