// Shared by the terminology tests: definitions holding only the fixture package
// (tests/data/terminology: a small hierarchy of support services) and the
// resources a test adds, and short ways to expand a compose and list its codes.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "fhir/terminology/terminology.h"
#include "support/test_support.h"

namespace carebridge::testing::terminology {

namespace term = carebridge::fhir::terminology;
using Codes = std::vector<std::string>;

inline const std::string kServices = "http://carebridge.example/fhir/CodeSystem/services";

// The fixture package plus `resources` (JSON texts), without the core.
inline std::unique_ptr<fhir::definitions::Definitions> definitions_with(
    const std::vector<std::string>& resources = {}) {
  auto defs = std::make_unique<fhir::definitions::Definitions>();
  defs->add_package(fixture("terminology/package"));
  for (const auto& r : resources) defs->add_resource_json(r, "test");
  return defs;
}

// JSON written with short names: "$S" is the services code system's URL, "$VS/" the
// folder of the test value sets' URLs.
inline std::string json(std::string text) {
  for (auto [from, to] : {std::pair<std::string, std::string>{"$S", kServices},
                          std::pair<std::string, std::string>{"$VS/", "http://carebridge.example/fhir/ValueSet/"}}) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

// A ValueSet with url http://carebridge.example/fhir/ValueSet/<id> and this compose (JSON).
inline std::string value_set(const std::string& id, const std::string& compose) {
  return R"({"resourceType":"ValueSet","url":"http://carebridge.example/fhir/ValueSet/)" + id + R"(","name":")" + id +
         R"(","status":"draft","compose":)" + compose + "}";
}

inline std::string value_set_url(const std::string& id) { return "http://carebridge.example/fhir/ValueSet/" + id; }

// An include of the services code system with one filter.
inline std::string filtered(const std::string& property, const std::string& op, const std::string& value) {
  return R"({"include":[{"system":")" + kServices + R"(","filter":[{"property":")" + property + R"(","op":")" + op +
         R"(","value":")" + value + R"("}]}]})";
}

// The codes of `system` an expansion lists, sorted.
inline Codes codes_of(const term::Expansion& e, const std::string& system = kServices) {
  Codes out;
  auto it = e.codes.find(system);
  if (it != e.codes.end()) out.assign(it->second.begin(), it->second.end());
  std::sort(out.begin(), out.end());
  return out;
}

// Expands a value set with this compose over the fixture package (and `others`).
struct Expanded {
  std::unique_ptr<fhir::definitions::Definitions> defs;
  std::unique_ptr<term::Terminology> terminology;
  const term::Expansion* expansion = nullptr;
};
inline Expanded expand(const std::string& compose, std::vector<std::string> others = {}) {
  others.push_back(value_set("under-test", compose));
  Expanded out;
  out.defs = definitions_with(others);
  out.terminology = std::make_unique<term::Terminology>(*out.defs);
  out.expansion = out.terminology->expansion(value_set_url("under-test"));
  return out;
}

}  // namespace carebridge::testing::terminology
