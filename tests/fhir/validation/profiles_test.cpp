// Profiles from a FHIR package (differential only: snapshots generated), meta.profile
// and requested profiles, fixed and pattern values, type restrictions, slicing.
#include <catch2/catch.hpp>

#include "fhir/io/format.h"
#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;
namespace validation = carebridge::fhir::validation;

namespace {

const char* kPatientProfile = "http://carebridge.example/fhir/StructureDefinition/cb-patient";
const char* kVitalsProfile = "http://carebridge.example/fhir/StructureDefinition/cb-vitals";

std::vector<carebridge::fhir::model::Issue> check(const std::string& text, const std::string& profile) {
  return validate_with_package("cb-test", text, profile);
}

const char* kGood = R"({"resourceType":"Patient","id":"a",
  "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">A</div>"},
  "extension":[{"url":"http://carebridge.example/fhir/StructureDefinition/cb-colour","valueString":"green"}],
  "identifier":[{"system":"http://carebridge.example/mrn","value":"1"},{"system":"http://other.example","value":"2"}],
  "name":[{"family":"Doe"}],"gender":"female","deceasedBoolean":false,
  "maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"M"}]}})";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a resource meeting a package profile has no errors", "[validation][profiles]") {
  auto issues = check(kGood, kPatientProfile);
  INFO(describe(issues));
  CHECK(count_errors(issues) == 0);
}

TEST_CASE("profile cardinality, max 0 and the profile's invariants", "[validation][profiles]") {
  auto issues = check(R"({"resourceType":"Patient","id":"a","photo":[{"url":"http://x.org/p.png"}]})", kPatientProfile);
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "required", "Patient.gender"));
  CHECK(has_issue(issues, Severity::Error, "required", "Patient.identifier"));
  CHECK(has_issue(issues, Severity::Error, "structure", "Patient.photo", "at most 0"));
  CHECK(has_issue(issues, Severity::Error, "invariant", "Patient", "cbp-1"));
}

TEST_CASE("slices by value: required slice missing", "[validation][profiles][slicing]") {
  auto issues = check(replace(kGood, "http://carebridge.example/mrn", "http://elsewhere.example"), kPatientProfile);
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "required", "Patient.identifier", "mrn"));
}

TEST_CASE("type restrictions and patterns of a profile", "[validation][profiles]") {
  auto type = check(replace(kGood, R"("deceasedBoolean":false)", R"("deceasedDateTime":"2020")"), kPatientProfile);
  INFO(describe(type));
  CHECK(has_issue(type, Severity::Error, "structure", "Patient.deceasedDateTime"));
  auto pattern = check(replace(kGood, "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus\",\"code\":\"M",
                               "http://example.org/ms\",\"code\":\"M"),
                       kPatientProfile);
  INFO(describe(pattern));
  CHECK(has_issue(pattern, Severity::Error, "value", "Patient.maritalStatus", "pattern"));
}

TEST_CASE("extensions are checked against their definition", "[validation][profiles][extensions]") {
  auto wrong_type = check(replace(kGood, R"("valueString":"green")", R"("valueInteger":3)"), kPatientProfile);
  INFO(describe(wrong_type));
  CHECK(has_issue(wrong_type, Severity::Error, "", "Patient.extension[0]"));
  auto context = check(R"({"resourceType":"Observation","status":"final","code":{"text":"x",
      "extension":[{"url":"http://carebridge.example/fhir/StructureDefinition/cb-colour","valueString":"red"}]}})", "");
  INFO(describe(context));
  CHECK(has_issue(context, Severity::Error, "structure", "Observation.code.extension[0]", "not allowed"));
}

TEST_CASE("closed slicing by pattern and slice cardinality", "[validation][profiles][slicing]") {
  std::string base = R"({"resourceType":"Observation","id":"bp","status":"final","code":{"text":"BP"},
      "meta":{"profile":["http://carebridge.example/fhir/StructureDefinition/cb-vitals"]},
      "component":[COMPONENTS]})";
  std::string systolic = R"({"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120}})";
  std::string diastolic = R"({"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80}})";
  std::string other = R"({"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"valueQuantity":{"value":60}})";
  auto ok = check(replace(base, "COMPONENTS", systolic + "," + diastolic), "");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  auto closed = check(replace(base, "COMPONENTS", systolic + "," + other), "");
  INFO(describe(closed));
  CHECK(has_issue(closed, Severity::Error, "structure", "Observation.component[1]", "closed"));
  auto twice = check(replace(base, "COMPONENTS", systolic + "," + systolic), "");
  CHECK(has_issue(twice, Severity::Error, "structure", "Observation.component", "systolic"));
  auto missing = check(replace(base, "COMPONENTS", diastolic), "");
  CHECK(has_issue(missing, Severity::Error, "required", "Observation.component", "systolic"));
  (void)kVitalsProfile;
}

TEST_CASE("a differential's narrower max, targets and ordered slices, a slice keeps its own minimum",
          "[validation][profiles][slicing]") {
  std::string base = R"({"resourceType":"Observation","id":"bp","status":"final","code":{"text":"BP"},
      "meta":{"profile":["http://carebridge.example/fhir/StructureDefinition/cb-ordered-vitals"]},
      "subject":{"reference":"SUBJECT"},NOTES"component":[COMPONENTS]})";
  std::string systolic = R"({"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120}})";
  std::string diastolic = R"({"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80}})";
  auto make = [&](const std::string& subject, const std::string& notes, const std::string& components) {
    return check(replace(replace(replace(base, "SUBJECT", subject), "NOTES", notes), "COMPONENTS", components), "");
  };
  auto ok = make("Patient/1", "", systolic + "," + diastolic);
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);  // the diastolic slice is 0..1, not the component's 2..*
  auto reversed = make("Patient/1", "", diastolic + "," + systolic);
  CHECK(has_issue(reversed, Severity::Error, "structure", "Observation.component[1]", "ordered"));
  auto group = make("Group/1", "", systolic + "," + diastolic);
  CHECK(has_issue(group, Severity::Error, "structure", "Observation.subject.reference", "only Patient"));
  auto notes = make("Patient/1", R"("note":[{"text":"a"},{"text":"b"}],)", systolic + "," + diastolic);
  INFO(describe(notes));
  CHECK(count_errors(notes) > 0);
}

TEST_CASE("an extension slice is known by its type profile's url", "[validation][profiles][slicing]") {
  const std::string profile = "http://carebridge.example/fhir/StructureDefinition/cb-colour-patient";
  auto with = check(kGood, profile);
  INFO(describe(with));
  CHECK(count_errors(with) == 0);
  auto without = check(replace(kGood, "cb-colour", "cb-other"), profile);
  CHECK(has_issue(without, Severity::Error, "required", "Patient.extension", "colour"));
}

TEST_CASE("unknown profiles: meta.profile warns, a requested profile is an error", "[validation][profiles]") {
  auto meta = check(R"({"resourceType":"Patient","meta":{"profile":["http://nowhere.example/SD/x"]}})", "");
  CHECK(has_issue(meta, Severity::Warning, "not-found", "Patient"));
  CHECK(count_errors(meta) == 0);
  auto requested = check(R"({"resourceType":"Patient"})", "http://nowhere.example/SD/x");
  CHECK(has_issue(requested, Severity::Error, "not-found", "Patient"));
  // A profile named with a version names that version: another one loaded is not it.
  auto other_version = check(R"({"resourceType":"Patient","meta":{"profile":[")" + std::string(kPatientProfile) + R"(|9.9.9"]}})", "");
  CHECK(has_issue(other_version, Severity::Warning, "not-found", "Patient", "not known in that version (loaded: 1.2.0)"));
  auto this_version = check(R"({"resourceType":"Patient","meta":{"profile":[")" + std::string(kPatientProfile) + R"(|1.2"]}})", "");
  CHECK(!has_issue(this_version, Severity::Warning, "not-found", "Patient"));
  CHECK(count_errors(this_version) > 0);  // checked against it: cb-patient wants an identifier
  auto wrong = check(R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})", kPatientProfile);
  CHECK(has_issue(wrong, Severity::Error, "invalid", "Observation", "for Patient"));
}

TEST_CASE("a value set's exclude removes codes, also for elements of type code", "[validation][profiles][terminology]") {
  // cb-patient binds gender (required) to administrative-gender without 'unknown'.
  auto excluded = check(replace(kGood, R"("gender":"female")", R"("gender":"unknown")"), kPatientProfile);
  INFO(describe(excluded));
  CHECK(has_issue(excluded, Severity::Error, "code-invalid", "Patient.gender"));
  CHECK(count_errors(check(replace(kGood, R"("gender":"female")", R"("gender":"other")"), kPatientProfile)) == 0);
}

TEST_CASE("a profile's minValue and maxValue bound dates and numbers", "[validation][profiles]") {
  auto with = [](const std::string& extra) { return replace(kGood, R"("gender":"female",)", R"("gender":"female",)" + extra + ","); };
  CHECK(count_errors(check(with(R"("birthDate":"1950-03-02","multipleBirthInteger":2)"), kPatientProfile)) == 0);
  auto early = check(with(R"("birthDate":"1850-03-02")"), kPatientProfile);
  INFO(describe(early));
  CHECK(has_issue(early, Severity::Error, "value", "Patient.birthDate", "below the minimum 1900-01-01"));
  auto many = check(with(R"("multipleBirthInteger":9)"), kPatientProfile);
  INFO(describe(many));
  CHECK(has_issue(many, Severity::Error, "value", "Patient.multipleBirthInteger", "above the maximum 8"));
  auto none = check(with(R"("multipleBirthInteger":0)"), kPatientProfile);
  CHECK(has_issue(none, Severity::Error, "value", "Patient.multipleBirthInteger", "below the minimum 1"));
  // Instants are compared on the time line, not as text: 20:00 at -05:00 is past midnight UTC.
  auto late = check(with(R"("meta":{"lastUpdated":"2029-12-31T20:00:00-05:00"})"), kPatientProfile);
  CHECK(has_issue(late, Severity::Error, "value", "Patient.meta.lastUpdated", "above the maximum"));
  CHECK(count_errors(check(with(R"("meta":{"lastUpdated":"2029-12-31T23:00:00+05:00"})"), kPatientProfile)) == 0);
  // The core definitions say nothing of either: no profile, no limit.
  CHECK(count_errors(check(with(R"("birthDate":"1850-03-02","multipleBirthInteger":9)"), "")) == 0);
}

TEST_CASE("openAtEnd slicing is taken as open: the reference validator does not check where unmatched items stand",
          "[validation][profiles][slicing]") {
  const std::string profile = "http://carebridge.example/fhir/StructureDefinition/cb-identified-patient";
  std::string mrn = R"({"system":"http://carebridge.example/mrn","value":"1"})";
  std::string other = R"({"system":"http://other.example","value":"2"})";
  auto with = [&](const std::string& identifiers) {
    return check(R"({"resourceType":"Patient","id":"a","identifier":[)" + identifiers + "]}", profile);
  };
  auto at_end = with(mrn + "," + other);
  INFO(describe(at_end));
  CHECK(count_errors(at_end) == 0);
  auto before = with(other + "," + mrn);
  INFO(describe(before));
  CHECK(count_errors(before) == 0);
}

TEST_CASE("a differential names one type of a choice by its type-specific name", "[validation][profiles]") {
  // cb-weight constrains Observation.valueQuantity: a pattern and a value, for Quantities only.
  const std::string profile = "http://carebridge.example/fhir/StructureDefinition/cb-weight";
  auto with = [&](const std::string& value) {
    return check(R"({"resourceType":"Observation","id":"w","status":"final","code":{"text":"weight"},)" + value + "}",
                 profile);
  };
  auto kg = with(R"("valueQuantity":{"value":70,"system":"http://unitsofmeasure.org","code":"kg"})");
  INFO(describe(kg));
  CHECK(count_errors(kg) == 0);
  auto grams = with(R"("valueQuantity":{"value":70000,"system":"http://unitsofmeasure.org","code":"g"})");
  INFO(describe(grams));
  CHECK(has_issue(grams, Severity::Error, "", "Observation.valueQuantity"));
  CHECK(count_errors(with(R"("valueQuantity":{"system":"http://unitsofmeasure.org","code":"kg"})")) > 0);
  CHECK(count_errors(with(R"("valueString":"heavy")")) == 0);  // the other types are not constrained
}

TEST_CASE("a package extension whose differential root is a modifier is a modifierExtension", "[validation][profiles]") {
  std::string observation = R"({"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},
      "PLACE":[{"url":"http://carebridge.example/fhir/StructureDefinition/cb-unverified","valueBoolean":true}]})";
  auto as_modifier = check(replace(observation, "PLACE", "modifierExtension"), "");
  INFO(describe(as_modifier));
  CHECK(count_errors(as_modifier) == 0);
  auto as_plain = check(replace(observation, "PLACE", "extension"), "");
  CHECK(has_issue(as_plain, Severity::Error, "structure", "Observation.extension[0]", "is a modifier"));
}

TEST_CASE("a profile's maxLength limits the characters of a value", "[validation][profiles]") {
  // cb-weight allows a note text of 10 characters at most.
  std::string observation = R"({"resourceType":"Observation","id":"w","status":"final","code":{"text":"weight"},"note":[{"text":"NOTE"}]})";
  CHECK(count_errors(check(replace(observation, "NOTE", "short"), "http://carebridge.example/fhir/StructureDefinition/cb-weight")) == 0);
  auto longer = check(replace(observation, "NOTE", "rather longer"), "http://carebridge.example/fhir/StructureDefinition/cb-weight");
  INFO(describe(longer));
  CHECK(has_issue(longer, Severity::Error, "too-long", "Observation.note[0].text", "10"));
}
