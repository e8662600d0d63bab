// Cardinality, empty elements, types and choice types, and clean resources.
#include <catch2/catch.hpp>

#include <thread>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

TEST_CASE("a small valid Patient has no issues", "[validation][structure]") {
  auto issues = validate_text(patient(R"("name":[{"family":"Doe","given":["Ann"]}],"gender":"female","birthDate":"1970-02-03")"));
  INFO(describe(issues));
  CHECK(issues.empty());
}

TEST_CASE("a missing required element is an error at its location", "[validation][structure]") {
  // Observation.status and Observation.code are 1..1.
  auto issues = validate_text(R"({"resourceType":"Observation","valueString":"x"})");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "required", "Observation.status"));
  CHECK(has_issue(issues, Severity::Error, "required", "Observation.code"));
}

TEST_CASE("required elements inside backbone elements are checked", "[validation][structure]") {
  // Patient.link.other and Patient.link.type are 1..1.
  auto issues = validate_text(patient(R"("link":[{"type":"seealso"}])"));
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "required", "Patient.link[0].other"));
  CHECK_FALSE(has_issue(issues, Severity::Error, "required", "Patient.link[0].type"));
}

TEST_CASE("an element with neither value nor children is an error (ele-1)", "[validation][structure]") {
  auto issues = validate_text(patient(R"("maritalStatus":{})"));
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "", "Patient.maritalStatus", "ele-1"));
  auto empty_array = validate_text(patient(R"("maritalStatus":{"coding":[]})"));
  CHECK(count_errors(empty_array) > 0);
}

TEST_CASE("choice types take only the types their definition lists", "[validation][structure]") {
  // Observation.effective[x] has no Quantity choice: the reader reports it as unknown.
  auto issues = validate_text(
      R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveQuantity":{"value":1}})");
  CHECK(count_errors(issues) > 0);
  auto fine = validate_text(
      R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"effectivePeriod":{"start":"2020"},"valueQuantity":{"value":1.5}})");
  INFO(describe(fine));
  CHECK(count_errors(fine) == 0);
}

TEST_CASE("XML input is validated with line and column", "[validation][structure]") {
  auto issues = validate_text(
      "<Observation xmlns=\"http://hl7.org/fhir\">\n  <status value=\"final\"/>\n  <valueString value=\"x\"/>\n</Observation>");
  INFO(describe(issues));
  REQUIRE(has_issue(issues, Severity::Error, "required", "Observation.code"));
  for (const auto& i : issues) {
    if (i.expression == "Observation.code") CHECK(i.position.line >= 1);
  }
}

TEST_CASE("validation is thread-safe and repeatable", "[validation][structure]") {
  std::string text = patient(R"("gender":"nonsense","birthDate":"1970-13-01")");
  auto first = validate_text(text);
  std::vector<std::thread> threads;
  std::vector<size_t> counts(4);
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] { counts[t] = count_errors(validate_text(text)); });
  }
  for (auto& t : threads) t.join();
  for (size_t c : counts) CHECK(c == count_errors(first));
  CHECK(count_errors(first) == 2);
}
