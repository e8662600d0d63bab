// References: format, target types, contained resolution and the contained rules.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

TEST_CASE("reference formats", "[validation][references]") {
  CHECK(count_errors(validate_text(patient(R"("managingOrganization":{"reference":"Organization/o1"})"))) == 0);
  CHECK(count_errors(validate_text(patient(R"("managingOrganization":{"reference":"http://x.org/fhir/Organization/o1"})"))) == 0);
  CHECK(count_errors(validate_text(patient(R"("managingOrganization":{"reference":"Organization?identifier=1"})"))) == 0);
  auto bad = validate_text(patient(R"("managingOrganization":{"reference":"Organisation/o1"})"));
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "invalid", "Patient.managingOrganization.reference", "Organisation"));
}

TEST_CASE("the referenced type must be one the element allows", "[validation][references]") {
  auto issues = validate_text(patient(R"("managingOrganization":{"reference":"Patient/p2"})"));
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "structure", "Patient.managingOrganization.reference", "Organization"));
  auto typed = validate_text(patient(R"("managingOrganization":{"type":"Practitioner","identifier":{"value":"1"}})"));
  CHECK(count_errors(typed) > 0);
}

TEST_CASE("contained resources are resolved by #id and must be referenced", "[validation][references]") {
  auto good = validate_text(patient(
      R"("contained":[{"resourceType":"Organization","id":"org","name":"Clinic"}],"managingOrganization":{"reference":"#org"})"));
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  auto missing = validate_text(patient(R"("managingOrganization":{"reference":"#nowhere"})"));
  CHECK(has_issue(missing, Severity::Error, "not-found", "Patient.managingOrganization.reference"));
  auto unused = validate_text(patient(R"("contained":[{"resourceType":"Organization","id":"org","name":"Clinic"}])"));
  CHECK(has_issue(unused, Severity::Error, "invariant", "Patient.contained[0]", "dom-3"));
  auto wrong_type = validate_text(patient(
      R"("contained":[{"resourceType":"Practitioner","id":"pr"}],"managingOrganization":{"reference":"#pr"})"));
  CHECK(has_issue(wrong_type, Severity::Error, "structure", "Patient.managingOrganization.reference"));
}

TEST_CASE("contained resources cannot nest, carry versions or security labels", "[validation][references]") {
  auto nested = validate_text(patient(
      R"("contained":[{"resourceType":"Organization","id":"org","contained":[{"resourceType":"Organization","id":"in"}],
          "partOf":{"reference":"#in"}}],"managingOrganization":{"reference":"#org"})"));
  INFO(describe(nested));
  CHECK(has_issue(nested, Severity::Error, "invariant", "Patient.contained[0]", "dom-2"));
  auto versioned = validate_text(patient(
      R"("contained":[{"resourceType":"Organization","id":"org","meta":{"versionId":"1","security":[{"code":"R"}]}}],
         "managingOrganization":{"reference":"#org"})"));
  CHECK(has_issue(versioned, Severity::Error, "invariant", "Patient.contained[0]", "dom-4"));
  CHECK(has_issue(versioned, Severity::Error, "invariant", "Patient.contained[0]", "dom-5"));
}

TEST_CASE("a contained resource referring back to its container with # counts as referenced", "[validation][references]") {
  auto issues = validate_text(R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/1"},
      "contained":[{"resourceType":"Provenance","id":"prov","target":[{"reference":"#"}],"recorded":"2020-01-01T00:00:00Z",
      "agent":[{"who":{"display":"x"}}]}]})");
  INFO(describe(issues));
  CHECK_FALSE(has_issue(issues, Severity::Error, "invariant", "Condition.contained[0]", "dom-3"));
}

TEST_CASE("resources inside Parameters and Bundles are validated as resources", "[validation][references]") {
  auto parameters = validate_text(R"({"resourceType":"Parameters","parameter":[{"name":"p",
      "resource":{"resourceType":"Patient","gender":"f"}}]})");
  INFO(describe(parameters));
  CHECK(has_issue(parameters, Severity::Error, "code-invalid", "Parameters.parameter[0].resource.gender"));
  auto contained = validate_text(patient(
      R"("contained":[{"resourceType":"Organization","id":"o","telecom":[{"system":"beeper"}]}],"managingOrganization":{"reference":"#o"})"));
  INFO(describe(contained));
  CHECK(has_issue(contained, Severity::Error, "code-invalid", "Patient.contained[0].telecom[0].system"));
}

TEST_CASE("a conditional reference is Type?name=value", "[validation][references]") {
  auto observation = [](const std::string& reference) {
    return validate_text(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":")" +
                         reference + R"("}})");
  };
  for (const char* bad : {"Patient?identifier", "Patient?", "Patient?=x", "Patient?identifier=1&name"}) {
    auto issues = observation(bad);
    INFO(bad << "\n" << describe(issues));
    CHECK(has_issue(issues, Severity::Error, "invalid", "Observation.subject.reference", "Type?name=value"));
  }
  auto good = observation("Patient?identifier=http://hospital.example/mrn|123&active=true");
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
}

namespace {

// A Bundle holding an implantable Device (US Core 5.0.1, which ships with the core
// definitions) whose patient, a us-core-patient by the profile, is `patient_body`.
std::string device_bundle(const std::string& patient_body) {
  return R"({"resourceType":"Bundle","type":"collection","entry":[)"
         R"({"fullUrl":"http://x.org/fhir/Device/d1","resource":{"resourceType":"Device","id":"d1",)"
         R"("meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-implantable-device"]},)"
         R"("type":{"coding":[{"system":"http://snomed.info/sct","code":"468063009"}]},"patient":{"reference":"Patient/p1"}}},)"
         R"({"fullUrl":"http://x.org/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1",)" +
         patient_body + "}}]}";
}

}  // namespace

TEST_CASE("a resource a reference resolves to must meet the profile the element names for it",
          "[validation][references][profiles]") {
  const std::string named = R"("identifier":[{"system":"urn:mrn","value":"7"}],"name":[{"family":"Ito"}])";
  auto good = validate_text(device_bundle(named + R"(,"gender":"male")"));
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
  // No gender: a valid Patient, but not a us-core-patient, which Device.patient requires.
  auto bad = validate_text(device_bundle(named));
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "structure", "entry[0].resource.patient.reference", "us-core-patient"));
  CHECK(count_errors(bad) == 1);
  // A contained target is held to it too; under the ingest policy it is a warning.
  const std::string contained =
      R"({"resourceType":"Device","id":"d2","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-implantable-device"]},)"
      R"("contained":[{"resourceType":"Patient","id":"p",)" + named + R"(}],)"
      R"("type":{"coding":[{"system":"http://snomed.info/sct","code":"468063009"}]},"patient":{"reference":"#p"}})";
  CHECK(has_issue(validate_text(contained), Severity::Error, "structure", "Device.patient.reference", "us-core-patient"));
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  CHECK(count_errors(validate_text(contained, ingest)) == 0);
}
