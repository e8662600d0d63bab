// The v2 mapping tests' shared fixture: the shipped maps with a strict validator, and a
// mapped message's Bundle parsed, with its entries by resource type.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "fhir/validation/validator.h"
#include "mappings/hl7v2/conversion.h"
#include "support/test_support.h"

namespace carebridge::mappings::hl7v2::testing {

using carebridge::testing::core;
using carebridge::testing::project_sample;
using carebridge::testing::read_text;

inline const Converter& converter() {
  static auto validator = carebridge::fhir::validation::Validator::with_invariants(core());
  static auto spec = MapSpec::load_default();
  REQUIRE(spec.ok());
  static Converter c(core(), validator.get(), *spec);
  return c;
}

struct Mapped {
  Conversion conversion;
  rapidjson::Document bundle;

  // The entries whose resource has this type.
  std::vector<const rapidjson::Value*> of(const std::string& type) const {
    std::vector<const rapidjson::Value*> out;
    for (const auto& e : bundle["entry"].GetArray())
      if (e["resource"]["resourceType"].GetString() == type) out.push_back(&e);
    return out;
  }
  const rapidjson::Value& resource(const std::string& type, size_t n = 0) const {
    auto all = of(type);
    REQUIRE(all.size() > n);
    return (*all[n])["resource"];
  }
  const rapidjson::Value& request(const std::string& type, size_t n = 0) const {
    auto all = of(type);
    REQUIRE(all.size() > n);
    return (*all[n])["request"];
  }
  // The resource of the entry with this fullUrl (what a reference names), or null.
  const rapidjson::Value* at(const std::string& url) const {
    for (const auto& e : bundle["entry"].GetArray())
      if (url == e["fullUrl"].GetString()) return &e["resource"];
    return nullptr;
  }
  std::string full_url(const std::string& type, size_t n = 0) const {
    auto all = of(type);
    REQUIRE(all.size() > n);
    return (*all[n])["fullUrl"].GetString();
  }
};

// A message mapped, accepted, and its Bundle parsed.
inline Mapped map_message(const std::string& text) {
  Mapped m;
  m.conversion = converter().convert(text);
  INFO(m.conversion.first_error());
  REQUIRE(m.conversion.accepted());
  m.bundle.Parse(m.conversion.mapped.bundle_json().c_str());
  REQUIRE(m.bundle.IsObject());
  return m;
}

inline Mapped map_sample(const std::string& name) {
  INFO(name);
  return map_message(read_text(project_sample("hl7v2/" + name)));
}

// A segment with the fields at the positions given, the others empty.
inline std::string segment(const std::string& name, const std::map<size_t, std::string>& fields) {
  std::string out = name;
  size_t last = fields.empty() ? 0 : fields.rbegin()->first;
  for (size_t i = 1; i <= last; ++i) out += "|" + (fields.count(i) ? fields.at(i) : std::string());
  return out + "\r";
}

inline std::string text(const rapidjson::Value& v, const char* name) {
  return v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

inline std::string first_code(const rapidjson::Value& cc) { return cc["coding"][0]["code"].GetString(); }


// Whether the conversion warned (or erred) at `location` with `words` in its message.
inline bool warned(const Conversion& c, std::string_view location, std::string_view words) {
  for (const MessageIssue& i : c.issues)
    if (i.location == location && i.issue.message.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace carebridge::mappings::hl7v2::testing
