#include "validation_helpers.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "fhir/io/format.h"

namespace carebridge::testing {

const fhir::validation::Validator& validator() {
  static auto v = fhir::validation::Validator::with_invariants(core());
  return *v;
}

std::vector<fhir::model::Issue> validate_text(const std::string& text, const fhir::validation::Options& options) {
  auto parsed = parse(text);
  std::vector<fhir::model::Issue> issues = parsed.issues;
  issues.insert(issues.end(), parsed.validation_issues.begin(), parsed.validation_issues.end());
  if (parsed.document && parsed.document->root()) {
    auto found = validator().validate(*parsed.document->root(), options);
    issues.insert(issues.end(), found.begin(), found.end());
  }
  return issues;
}

namespace {

struct PackageValidator {
  std::unique_ptr<fhir::definitions::Definitions> definitions;
  std::unique_ptr<fhir::validation::Validator> validator;
};

const PackageValidator& package_validator(const std::string& package) {
  static std::mutex mutex;
  static std::map<std::string, PackageValidator> loaded;
  std::lock_guard lock(mutex);
  auto [it, added] = loaded.try_emplace(package);
  if (added) {
    it->second.definitions = fhir::definitions::Definitions::load_core(fhir::definitions::Definitions::default_dir());
    it->second.definitions->add_package(fixture("validation/packages/" + package));
    it->second.validator = fhir::validation::Validator::with_invariants(*it->second.definitions);
  }
  return it->second;
}

}  // namespace

const fhir::definitions::Definitions& core_with_package(const std::string& package) {
  return *package_validator(package).definitions;
}

std::vector<fhir::model::Issue> validate_with_package(const std::string& package, const std::string& text,
                                                      const std::string& profile) {
  const PackageValidator& loaded = package_validator(package);
  auto parsed = fhir::io::read(text, *loaded.definitions);
  REQUIRE(parsed.document);
  fhir::validation::Options options;
  if (!profile.empty()) options.profiles.push_back(profile);
  auto issues = loaded.validator->validate(*parsed.document->root(), options);
  issues.insert(issues.begin(), parsed.issues.begin(), parsed.issues.end());
  return issues;
}

bool has_issue(const std::vector<fhir::model::Issue>& issues, fhir::model::Severity severity, const std::string& code,
               const std::string& where, const std::string& words) {
  return std::any_of(issues.begin(), issues.end(), [&](const fhir::model::Issue& i) {
    return i.severity == severity && (code.empty() || i.code == code) && i.expression.find(where) != std::string::npos &&
           i.message.find(words) != std::string::npos;
  });
}

size_t count_errors(const std::vector<fhir::model::Issue>& issues) {
  return static_cast<size_t>(std::count_if(issues.begin(), issues.end(), [](const fhir::model::Issue& i) {
    return i.severity == fhir::model::Severity::Error || i.severity == fhir::model::Severity::Fatal;
  }));
}

std::string describe(const std::vector<fhir::model::Issue>& issues) {
  std::string out;
  for (const auto& i : issues) {
    out += std::string(fhir::model::to_string(i.severity)) + " " + i.code + " " + i.expression + ": " + i.message + "\n";
  }
  return out.empty() ? "(no issues)" : out;
}

std::string patient(const std::string& body) {
  std::string text =
      R"({"resourceType":"Patient","id":"p1","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">A patient</div>"})";
  if (!body.empty()) text += "," + body;
  return text + "}";
}

}  // namespace carebridge::testing
