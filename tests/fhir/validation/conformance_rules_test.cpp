// Rules of conformance resources the definitions cannot carry: a composite
// SearchParameter has components, and a Measure whose stratifiers are CQL has a library
// that resolves.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

const std::string kText = R"("text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"})";

std::string search_parameter(const std::string& body) {
  return R"({"resourceType":"SearchParameter","id":"sp1",)" + kText +
         R"(,"url":"http://example.org/SearchParameter/sp1","name":"SP1","status":"draft","description":"d","code":"foo",)" +
         body + "}";
}

std::string measure(const std::string& body) {
  return R"({"resourceType":"Measure","id":"m1",)" + kText +
         R"(,"url":"http://example.org/Measure/m1","name":"M1","status":"draft")" + (body.empty() ? "" : "," + body) + "}";
}

const std::string kCqlStratifier =
    R"("group":[{"population":[{"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":"initial-population"}]},)"
    R"("criteria":{"language":"text/cql","expression":"Lib.InInitialPopulation"}}],)"
    R"("stratifier":[{"code":{"text":"s"},"criteria":{"language":"text/cql-identifier","expression":"Lib.Strat"}}]}])";

}  // namespace

TEST_CASE("SearchParameter: a composite parameter defines two or more components", "[validation][search-parameter]") {
  const std::string gender = R"({"definition":"http://hl7.org/fhir/SearchParameter/individual-gender","expression":"gender"})";
  const std::string birth = R"({"definition":"http://hl7.org/fhir/SearchParameter/individual-birthdate","expression":"birthDate"})";
  const std::string words = "A search parameter of type composite must define two or more components";
  for (const std::string& components : {std::string(), R"(,"component":[)" + gender + "]"}) {
    auto issues = validate_text(search_parameter(R"("base":["Patient"],"type":"composite","expression":"Patient")" + components));
    INFO(describe(issues));
    CHECK(has_issue(issues, Severity::Error, "business-rule", "SearchParameter", words));
  }
  auto two = validate_text(
      search_parameter(R"("base":["Patient"],"type":"composite","expression":"Patient","component":[)" + gender + "," + birth + "]"));
  INFO(describe(two));
  CHECK(count_errors(two) == 0);
}

TEST_CASE("Measure: CQL stratifier criteria need a library that resolves", "[validation][measure]") {
  const std::string words = "No CQL Libraries found on this Measure";
  auto none = validate_text(measure(kCqlStratifier));
  INFO(describe(none));
  CHECK(has_issue(none, Severity::Error, "invalid", "Measure.group[0].stratifier[0].criteria", words));
  auto unresolved = validate_text(measure(R"("library":["http://example.org/Library/none"],)" + kCqlStratifier));
  INFO(describe(unresolved));
  CHECK(has_issue(unresolved, Severity::Error, "invalid", "Measure.group[0].stratifier[0].criteria", words));
  // Population criteria in CQL alone are not reported (the specification's own examples have them).
  auto population = validate_text(measure(
      R"("group":[{"population":[{"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":"initial-population"}]},)"
      R"("criteria":{"language":"text/cql","expression":"InInitialPopulation"}}]}])"));
  INFO(describe(population));
  CHECK(count_errors(population) == 0);
}
