// Shared helpers for the FHIRPath tests: one engine over the core definitions, the
// fixtures of tests/data/fhirpath parsed once, and evaluation to plain strings.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fhir/fhirpath/fhirpath.h"
#include "support/test_support.h"

namespace carebridge::testing::fhirpath {

namespace fp = carebridge::fhir::fhirpath;

inline fp::Engine& engine() {
  static fp::Engine instance(core());
  return instance;
}

// The root of tests/data/fhirpath/<name>, parsed once.
inline const fhir::model::Element& resource(const std::string& name) {
  static std::map<std::string, fhir::model::ParseResult> documents;
  auto it = documents.find(name);
  if (it == documents.end()) it = documents.emplace(name, parse(read_text(fixture("fhirpath/" + name)))).first;
  if (!it->second.document) throw std::runtime_error("fixture " + name + ": " + it->second.first_error());
  return *it->second.document->root();
}

inline fp::Result run(const std::string& expression, const std::string& input = "", fp::Context context = {}) {
  std::string error;
  auto compiled = engine().compile(expression, &error);
  if (!compiled) {
    fp::Result r;
    r.ok = false;
    r.error = error;
    return r;
  }
  return input.empty() ? engine().evaluate_without_input(*compiled, context)
                       : engine().evaluate(*compiled, resource(input), context);
}

// The result as its items' string forms, or {"error: ..."}.
inline std::vector<std::string> eval(const std::string& expression, const std::string& input = "") {
  fp::Result r = run(expression, input);
  if (!r.ok) return {"error: " + r.error};
  std::vector<std::string> out;
  for (const auto& item : r.items) out.push_back(fp::to_string(item));
  return out;
}

// The single result as a string: "" for empty, "error: ..." on failure, "a, b" for many.
inline std::string value(const std::string& expression, const std::string& input = "") {
  auto items = eval(expression, input);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

inline std::vector<std::string> types(const std::string& expression, const std::string& input = "") {
  fp::Result r = run(expression, input);
  std::vector<std::string> out;
  for (const auto& item : r.items) out.push_back(fp::type_name(item));
  return out;
}

inline bool is_error(const std::string& expression, const std::string& input = "") {
  return !run(expression, input).ok;
}

}  // namespace carebridge::testing::fhirpath
