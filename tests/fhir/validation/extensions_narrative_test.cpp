// Extensions without a definition, modifier extensions, extension contexts and their
// invariants, and narrative XHTML.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

TEST_CASE("unknown extensions: errors when strict (but example domains), warnings when ingesting", "[validation][extensions]") {
  auto unknown = validate_text(patient(R"("extension":[{"url":"http://example.org/ext/x","valueString":"a"}])"));
  INFO(describe(unknown));
  CHECK(has_issue(unknown, Severity::Warning, "", "Patient.extension[0]", "unknown"));
  CHECK(count_errors(unknown) == 0);
  const std::string elsewhere = patient(R"("extension":[{"url":"http://clinic.example/fhir/ext/x","valueString":"a"}])");
  auto strict = validate_text(elsewhere);
  CHECK(has_issue(strict, Severity::Error, "structure", "Patient.extension[0]", "could not be found"));
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  auto ingested = validate_text(elsewhere, ingest);
  CHECK(has_issue(ingested, Severity::Warning, "", "Patient.extension[0]", "could not be found"));
  CHECK(count_errors(ingested) == 0);
  auto modifier = validate_text(patient(R"("modifierExtension":[{"url":"http://example.org/ext/x","valueString":"a"}])"));
  CHECK(has_issue(modifier, Severity::Error, "structure", "Patient.modifierExtension[0]"));
  auto hl7 = validate_text(patient(R"("extension":[{"url":"http://hl7.org/fhir/StructureDefinition/no-such-thing","valueString":"a"}])"));
  CHECK(has_issue(hl7, Severity::Error, "structure", "Patient.extension[0]", "could not be found"));
}

TEST_CASE("core extensions are checked against their definitions", "[validation][extensions]") {
  // patient-birthPlace takes an Address, on Patient only.
  auto good = validate_text(patient(
      R"("extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueAddress":{"city":"Dakar"}}])"));
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto wrong_value = validate_text(patient(
      R"("extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueString":"Dakar"}])"));
  INFO(describe(wrong_value));
  CHECK(count_errors(wrong_value) > 0);
  auto wrong_place = validate_text(R"({"resourceType":"Organization","name":"x",
      "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueAddress":{"city":"Dakar"}}]})");
  CHECK(has_issue(wrong_place, Severity::Error, "structure", "Organization.extension[0]", "not allowed"));
  auto no_url = validate_text(patient(R"("extension":[{"valueString":"a"}])"));
  CHECK(has_issue(no_url, Severity::Error, "required", "Patient.extension[0].url"));
  auto both = validate_text(patient(
      R"("extension":[{"url":"http://example.org/a","valueString":"a","extension":[{"url":"b","valueString":"c"}]}])"));
  CHECK(has_issue(both, Severity::Error, "invariant", "Patient.extension[0]", "ext-1"));
}

namespace {

std::vector<carebridge::fhir::model::Issue> with_div(const std::string& div) {
  return validate_text(R"({"resourceType":"Patient","text":{"status":"generated","div":")" + div + "\"}}");
}

}  // namespace

TEST_CASE("narrative XHTML rules", "[validation][narrative]") {
  const std::string ns = R"(xmlns=\"http://www.w3.org/1999/xhtml\")";
  CHECK(count_errors(with_div("<div " + ns + "><p>Hello <b>there</b></p><a href=\\\"http://x.org\\\">x</a></div>")) == 0);
  CHECK(has_issue(with_div("<div " + ns + "><script>alert(1)</script>x</div>"), Severity::Error, "invalid",
                  "Patient.text.div", "script"));
  CHECK(has_issue(with_div("<div " + ns + "><p onclick=\\\"x()\\\">x</p></div>"), Severity::Error, "invalid",
                  "Patient.text.div", "onclick"));
  CHECK(has_issue(with_div("<div>no namespace</div>"), Severity::Error, "invalid", "Patient.text.div", "namespace"));
  CHECK(has_issue(with_div("<p " + ns + ">x</p>"), Severity::Error, "invalid", "Patient.text.div", "<div>"));
  CHECK(has_issue(with_div("<div " + ns + ">  </div>"), Severity::Warning, "invalid", "Patient.text.div", "txt-2"));
  CHECK(has_issue(with_div("<div " + ns + "><a href=\\\"javascript:x()\\\">x</a></div>"), Severity::Error, "invalid",
                  "Patient.text.div", "javascript"));
}

TEST_CASE("a cross-version extension belongs where its element's parent is, when R4 has that parent",
          "[validation][extensions]") {
  const std::string planned = R"({"url":"http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedStartDate",)"
                              R"("valueDateTime":"2020-01-01T10:00:00Z"})";
  auto encounter = validate_text(R"({"resourceType":"Encounter","id":"e","status":"planned",)"
                                 R"("class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},)"
                                 R"("extension":[)" + planned + "]}");
  INFO(describe(encounter));
  CHECK(count_errors(encounter) == 0);
  auto on_patient = validate_text(patient(R"("extension":[)" + planned + "]"));
  CHECK(has_issue(on_patient, Severity::Error, "structure", "Patient.extension[0]", "not allowed here"));
  // Observation.triggeredBy is not an R4 element: an extension below it is left unchecked.
  auto r5_parent = validate_text(patient(
      R"("extension":[{"url":"http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.triggeredBy.type","valueCode":"reflex"}])"));
  CHECK(count_errors(r5_parent) == 0);
}

TEST_CASE("a cross-version extension names a FHIR version with definitions", "[validation][extensions]") {
  auto with = [](const std::string& version) {
    return validate_text(R"({"resourceType":"Encounter","id":"e","status":"planned",)"
                         R"("class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},)"
                         R"("extension":[{"url":"http://hl7.org/fhir/)" + version +
                         R"(/StructureDefinition/extension-Encounter.plannedStartDate","valueDateTime":"2020-01-01T10:00:00Z"}]})");
  };
  for (const char* unknown : {"9.9", "2.0", "4.1", "10.0"}) {
    auto issues = with(unknown);
    INFO(unknown << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "structure", "Encounter.extension[0]", "names no FHIR version"));
  }
  for (const char* known : {"5.0", "4.3", "3.0"}) {
    auto issues = with(known);
    INFO(known << "\n" << describe(issues));
    CHECK(count_errors(issues) == 0);
  }
}

TEST_CASE("an unknown extension in a loaded package's own space is an error, even when a dependency is missing",
          "[validation][extensions][package]") {
  auto with = [](const std::string& url) {
    return validate_with_package("cb-deps", R"({"resourceType":"Patient","id":"p","extension":[{"url":")" + url +
                                                R"(","valueString":"x"}]})");
  };
  // A misspelt extension of the package itself: the package would have defined it.
  auto own = with("http://carebridge.example/fhir/deps/StructureDefinition/cbd-colour");
  INFO(describe(own));
  CHECK(has_issue(own, Severity::Error, "structure", "Patient.extension[0]", "could not be found"));
  // Elsewhere, it may come from the dependency that was not loaded: noted, not refused.
  auto elsewhere = with("http://other.example/fhir/StructureDefinition/colour");
  INFO(describe(elsewhere));
  CHECK(has_issue(elsewhere, Severity::Warning, "not-found", "Patient.extension[0]", "hl7.fhir.uv.extensions.r4"));
  CHECK(count_errors(elsewhere) == 0);
}

TEST_CASE("an extension's context invariants hold of the element it is on", "[validation][extensions]") {
  auto questionnaire = [](const std::string& type) {
    return validate_text(R"({"resourceType":"Questionnaire","id":"q","status":"draft",)"
                         R"("text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Q</div>"},)"
                         R"("item":[{"linkId":"pain","text":"Pain","type":")" + type + R"(","extension":[{"url":)"
                         R"("http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue","valueInteger":1}]}]})");
  };
  auto integer = questionnaire("integer");
  INFO(describe(integer));
  CHECK(count_errors(integer) == 0);
  auto decimal = questionnaire("decimal");  // sliderStepValue: type='integer'
  INFO(describe(decimal));
  CHECK(has_issue(decimal, Severity::Error, "structure", "Questionnaire.item[0].extension[0]", "type='integer'"));
}
