// Helpers for end-to-end tests: JSON bodies, headers and resource builders.
#pragma once

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

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
