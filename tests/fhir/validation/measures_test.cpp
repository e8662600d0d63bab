// A Measure's CQL stratifier criteria against the ELM of its libraries, and a MeasureReport
// against the Measure it names (a contained "#id" one): groups, populations and stratifiers
// are the Measure's, each once and none left out, and the score fits the Measure's scoring;
// a Measure that cannot be found is only a warning.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

std::string pop(const std::string& code, const std::string& extra = R"(,"count":4)") {
  return R"({"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":")" + code +
         R"("}]})" + extra + "}";
}

std::string measure_pop(const std::string& code) {
  return pop(code, R"(,"criteria":{"language":"text/fhirpath","expression":"Patient.active"})");
}

// A proportion Measure with three populations and a stratifier, contained in the report.
std::string report(const std::string& groups, const std::string& type = "summary", const std::string& scoring = "proportion") {
  return R"({"resourceType":"MeasureReport","id":"mr1","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">r</div>"},)"
         R"("contained":[{"resourceType":"Measure","id":"m","url":"http://example.org/Measure/m","name":"M","status":"active",)"
         R"("scoring":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-scoring","code":")" + scoring + R"("}]},)"
         R"("group":[{"population":[)" + measure_pop("initial-population") + "," + measure_pop("denominator") + "," +
         measure_pop("numerator") + R"(],"stratifier":[{"code":{"text":"age"}}]}]}],)"
         R"("status":"complete","type":")" + type + R"(","measure":"#m","period":{"start":"2024-01-01","end":"2024-12-31"},"group":)" + groups + "}";
}

const std::string kStrata = R"("stratifier":[{"code":[{"text":"age"}],"stratum":[{"value":{"text":"adult"}}]}])";
const std::string kAll = pop("initial-population") + "," + pop("denominator") + "," + pop("numerator");

std::string group(const std::string& pops, const std::string& score) {
  return R"([{"population":[)" + pops + "]" + (score.empty() ? "" : R"(,"measureScore":)" + score) + "," + kStrata + "}]";
}

}  // namespace

TEST_CASE("MeasureReport: a report that matches its contained Measure has no errors", "[validation][measure]") {
  auto issues = validate_text(report(group(kAll, R"({"value":0.5})")));
  INFO(describe(issues));
  CHECK(count_errors(issues) == 0);
}

TEST_CASE("MeasureReport: the score fits the Measure scoring", "[validation][measure]") {
  for (const std::string& score : {std::string(R"({"value":1.5})"), std::string(R"({"value":0.5,"unit":"%"})"), std::string(R"({"unit":"x"})"), std::string()}) {
    auto issues = validate_text(report(group(kAll, score)));
    INFO(score << "\n" << describe(issues));
    CHECK(count_errors(issues) > 0);
  }
  auto cohort = validate_text(report(group(kAll, R"({"value":3})"), "summary", "cohort"));
  INFO(describe(cohort));
  CHECK(count_errors(cohort) > 0);
}

TEST_CASE("MeasureReport: populations and stratifiers are the Measure's each once", "[validation][measure]") {
  const std::string two = pop("initial-population") + "," + pop("denominator");
  const std::string unknown = kAll + "," + pop("denominator-exclusion");
  const std::string twice = kAll + "," + pop("numerator");
  const std::string summary_subjects = kAll + "," + pop("numerator", R"(,"subjectResults":{"reference":"List/l"})");
  for (const std::string& pops : {two, unknown, twice}) {
    auto issues = validate_text(report(group(pops, R"({"value":0.5})")));
    INFO(pops << "\n" << describe(issues));
    CHECK(count_errors(issues) > 0);
  }
  auto subjects = validate_text(report(group(pop("initial-population") + "," + pop("denominator") + "," +
                                             pop("numerator", R"(,"count":1,"subjectResults":{"reference":"List/l"})"),
                                             R"({"value":0.5})")));
  INFO(describe(subjects));
  CHECK(count_errors(subjects) > 0);  // subjectResults in a summary report
  auto no_strata = validate_text(report(R"([{"population":[)" + kAll + R"(],"measureScore":{"value":0.5}}])"));
  INFO(describe(no_strata));
  CHECK(count_errors(no_strata) > 0);
}

TEST_CASE("MeasureReport: a Measure that cannot be found is a warning only", "[validation][measure]") {
  auto issues = validate_text(
      R"({"resourceType":"MeasureReport","id":"mr1","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">r</div>"},)"
      R"("status":"complete","type":"summary","measure":"http://example.org/Measure/unknown",)"
      R"("period":{"start":"2024-01-01","end":"2024-12-31"},"group":[{"population":[)" + pop("numerator") + R"(],"measureScore":{"value":7}}]})");
  INFO(describe(issues));
  CHECK(count_errors(issues) == 0);
  CHECK(has_issue(issues, Severity::Warning, "required", "MeasureReport.measure", "could not be resolved"));
}

namespace {

std::string cql_measure(const std::string& libraries, const std::string& language, const std::string& expression) {
  return R"({"resourceType":"Measure","id":"m","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">m</div>"},)"
         R"("url":"http://example.org/Measure/m","name":"M","status":"active","library":[)" + libraries + R"(],)"
         R"("group":[{"population":[)" + measure_pop("initial-population") + R"(],"stratifier":[{"code":{"text":"age"},)"
         R"("criteria":{"language":")" + language + R"(","expression":")" + expression + R"("}}]}]})";
}

const std::string kScreening = R"("http://carebridge.example/fhir/Library/cb-screening")";
const std::string kCqlOnly = R"("http://carebridge.example/fhir/Library/cb-cql-only")";

}  // namespace

TEST_CASE("Measure: CQL stratifier criteria name a definition in the ELM of a library", "[validation][measure]") {
  for (const std::string& expression : {std::string("Screening.AgeGroup"), std::string("AgeGroup")}) {
    auto ok = validate_with_package("cb-test", cql_measure(kScreening, "text/cql", expression));
    INFO(expression << "\n" << describe(ok));
    CHECK(count_errors(ok) == 0);
  }
  struct Bad {
    std::string libraries, expression, words;
  };
  for (const Bad& bad : {Bad{kScreening, "Screening.Missing", "defines no 'Missing'"},
                         Bad{kScreening, "Other.AgeGroup", "none of the Measure's libraries is called 'Other'"},
                         Bad{kScreening + "," + kCqlOnly, "AgeGroup", "names no library"},
                         Bad{kCqlOnly, "CqlOnly.AgeGroup", "has no ELM"}}) {
    auto issues = validate_with_package("cb-test", cql_measure(bad.libraries, "text/cql", bad.expression));
    INFO(bad.expression << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invalid", "Measure.group[0].stratifier[0].criteria", bad.words));
  }
  // Other CQL media types are not checked (the reference validator only warns it does not know them).
  auto other = validate_text(cql_measure(kCqlOnly, "text/cql-identifier", "Lib.X"));
  INFO(describe(other));
  CHECK(count_errors(other) == 0);
}

TEST_CASE("MeasureReport: a DEQM score of another kind has no value to check", "[validation][measure]") {
  auto alternate = validate_text(report(group(kAll, R"({"extension":[{"url":"http://hl7.org/fhir/us/davinci-deqm/StructureDefinition/)"
                                                    R"(extension-alternateScoreType","valueCodeableConcept":{"text":"n/a"}}]})")));
  INFO(describe(alternate));
  for (const auto& i : alternate) CHECK(i.message.find("has no value") == std::string::npos);
}
