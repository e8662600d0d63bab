// The acceptance test of one terminology module: a ValueSet with a filter and an
// exclude (housing-support: is-a housing, without rental-assistance) gives the same
// answer to FHIRPath memberOf() and to the validator's required-binding check, for
// codes inside, excluded and outside; and where a value set cannot be expanded here
// (SNOMED CT), both stay silent. Also FHIRPath subsumes() and subsumedBy().
#include <algorithm>
#include <catch2/catch.hpp>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/io/format.h"
#include "fhir/validation/validator.h"
#include "support/test_support.h"

namespace fhir = carebridge::fhir;
using carebridge::testing::fixture;

namespace {

const char* kProfile = "http://carebridge.example/fhir/StructureDefinition/housing-referral";
const char* kServices = "http://carebridge.example/fhir/CodeSystem/services";

const fhir::definitions::Definitions& with_package() {
  static auto defs = [] {
    auto d = fhir::definitions::Definitions::load_core(fhir::definitions::Definitions::default_dir());
    d->add_package(fixture("terminology/package"));
    return d;
  }();
  return *defs;
}

// The engine and the validator share one Terminology, as the server's do.
const fhir::fhirpath::Engine& engine() {
  static fhir::fhirpath::Engine instance(with_package());
  return instance;
}

const fhir::validation::Validator& validator() {
  static fhir::validation::Validator instance(with_package(), &engine());
  return instance;
}

std::string referral(const std::string& code, const std::string& category_system = "",
                     const std::string& category_code = "") {
  std::string text = R"({"resourceType":"ServiceRequest","id":"r1",
      "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">A referral</div>"},
      "status":"active","intent":"order","subject":{"reference":"Patient/p1"},
      "code":{"coding":[{"system":")" +
                     std::string(kServices) + R"(","code":")" + code + R"("}]})";
  if (!category_code.empty()) {
    text += R"(,"category":[{"coding":[{"system":")" + category_system + R"(","code":")" + category_code + R"("}]}])";
  }
  return text + "}";
}

struct Answers {
  std::string member_of;       // "true", "false" or "" (unknown)
  bool binding_error = false;  // the validator's required-binding check failed
};

// memberOf() of `element` and whether the validator reports its binding, for one resource.
Answers ask(const std::string& text, const std::string& element, const std::string& value_set) {
  auto parsed = fhir::io::read(text, with_package());
  REQUIRE(parsed.document);
  const auto& root = *parsed.document->root();
  auto result = engine().evaluate("ServiceRequest." + element + ".memberOf('" + value_set + "')", root);
  REQUIRE(result.ok);
  Answers out;
  if (!result.items.empty()) out.member_of = fhir::fhirpath::to_string(result.items.front());
  fhir::validation::Options options;
  options.profiles.push_back(kProfile);
  auto issues = validator().validate(root, options);
  std::string at = "ServiceRequest." + element;
  out.binding_error = std::any_of(issues.begin(), issues.end(), [&](const fhir::model::Issue& i) {
    return i.code == "code-invalid" && i.expression.starts_with(at) && i.message.find("value set") != std::string::npos;
  });
  return out;
}

std::string fhirpath_value(const std::string& text, const std::string& expression) {
  auto parsed = fhir::io::read(text, with_package());
  REQUIRE(parsed.document);
  auto result = engine().evaluate(expression, *parsed.document->root());
  REQUIRE(result.ok);
  return result.items.empty() ? "" : fhir::fhirpath::to_string(result.items.front());
}

}  // namespace

TEST_CASE("memberOf() and the required binding agree on a filter with an exclude", "[terminology][acceptance]") {
  const std::string vs = "http://carebridge.example/fhir/ValueSet/housing-support";
  struct Case {
    const char* code;
    const char* expected;  // memberOf()
  };
  for (const Case& c :
       {Case{"housing", "true"}, Case{"shelter", "true"}, Case{"deposit", "true"},  // below the excluded code, still in
        Case{"rental-assistance", "false"},                                         // excluded
        Case{"food", "false"}, Case{"legal", "false"},                              // outside the filter
        Case{"no-such-code", "false"}}) {
    INFO(c.code);
    for (const char* element : {"code", "code.coding"}) {
      INFO(element);
      auto answers = ask(referral(c.code), element, vs);
      CHECK(answers.member_of == c.expected);
      if (std::string(element) == "code") CHECK(answers.binding_error == (answers.member_of == "false"));
    }
  }
}

TEST_CASE("memberOf() and the binding are both silent where the value set is open", "[terminology][acceptance]") {
  const std::string vs = "http://carebridge.example/fhir/ValueSet/referral-category";
  auto snomed = ask(referral("shelter", "http://snomed.info/sct", "410606002"), "category", vs);
  CHECK(snomed.member_of == "true");  // SNOMED CT is included whole and cannot be listed here: open
  CHECK_FALSE(snomed.binding_error);
  auto listed = ask(referral("shelter", kServices, "legal"), "category", vs);
  CHECK(listed.member_of == "true");
  CHECK_FALSE(listed.binding_error);
  auto unlisted = ask(referral("shelter", kServices, "food"), "category", vs);
  CHECK(unlisted.member_of.empty());  // with an open system in it, what is not listed is unknown
  CHECK_FALSE(unlisted.binding_error);
}

TEST_CASE("subsumes() and subsumedBy() in FHIRPath", "[terminology][fhirpath]") {
  auto text = referral("housing", kServices, "deposit");
  CHECK(fhirpath_value(text, "ServiceRequest.code.subsumes(%resource.category.first())") == "true");
  CHECK(fhirpath_value(text, "ServiceRequest.code.subsumedBy(%resource.category.first())") == "false");
  CHECK(fhirpath_value(text, "ServiceRequest.category.first().subsumedBy(%resource.code)") == "true");
  CHECK(fhirpath_value(text, "ServiceRequest.code.coding.subsumes(%resource.code.coding)") == "true");  // equivalent
  auto unrelated = referral("food", kServices, "deposit");
  CHECK(fhirpath_value(unrelated, "ServiceRequest.code.subsumes(%resource.category.first())") == "false");
  auto other_system = referral("food", "http://snomed.info/sct", "410606002");
  CHECK(fhirpath_value(other_system, "ServiceRequest.code.subsumes(%resource.category.first())").empty());
  // The same code is equivalent in a system not held (SNOMED CT here): empty before.
  CHECK(fhirpath_value(other_system, "ServiceRequest.code.subsumes(%resource.code)") == "true");
  CHECK(fhirpath_value(other_system, "ServiceRequest.code.subsumedBy(%resource.code)") == "true");
}
