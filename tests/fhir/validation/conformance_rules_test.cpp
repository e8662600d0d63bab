// Rules of conformance resources the definitions cannot carry: a composite
// SearchParameter has components.
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
