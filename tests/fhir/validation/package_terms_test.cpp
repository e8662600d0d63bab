// A package's code systems, value sets and profiles (tests/data/validation/packages/cb-terms):
// codes of a system that ignores case, compose.inactive, Coding.version, display checks,
// reslicing, parts of parts of complex extensions, and target profiles of resolved references.
#include <catch2/catch.hpp>

#include "fhir/io/format.h"
#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;
namespace validation = carebridge::fhir::validation;

namespace {

const std::string kBase = "http://carebridge.example/fhir/";

std::vector<carebridge::fhir::model::Issue> check(const std::string& text) { return validate_with_package("cb-terms", text); }

const char* kText = R"("text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"})";

// An Observation claiming `profile` (empty: none) whose code is one Coding (JSON members).
std::string observation(const std::string& profile, const std::string& coding, const std::string& more = "") {
  std::string meta = profile.empty() ? "" : R"("meta":{"profile":[")" + kBase + "StructureDefinition/" + profile + R"("]},)";
  return R"({"resourceType":"Observation","id":"o1",)" + meta + kText + R"(,"status":"final","code":{"coding":[{)" +
         coding + "}]}" + more + "}";
}

std::string shape(const std::string& code, const std::string& extra = "") {
  return R"("system":")" + kBase + R"(CodeSystem/cbt-shape","code":")" + code + "\"" + extra;
}

std::string patient_with(const std::string& profile, const std::string& body) {
  return R"({"resourceType":"Patient","id":"p1","meta":{"profile":[")" + kBase + "StructureDefinition/" + profile +
         R"("]},)" + kText + "," + body + "}";
}

}  // namespace

TEST_CASE("a code system that ignores case: the code in another case is the same member of a value set",
          "[validation][terminology][package]") {
  std::string fruit = R"("system":")" + kBase + R"(CodeSystem/cbt-fruit","code":")";
  auto upper = check(observation("cbt-fruit-obs", fruit + R"(APPLE")"));
  INFO(describe(upper));
  CHECK(count_errors(upper) == 0);
  auto other = check(observation("cbt-fruit-obs", fruit + R"(pear")"));
  CHECK(has_issue(other, Severity::Error, "code-invalid", "Observation.code"));
  // Found ignoring case, its display is still checked.
  auto display = check(observation("", fruit + R"(APPLE","display":"Pear")"));
  CHECK(has_issue(display, Severity::Error, "invalid", "Observation.code.coding", "display"));
}

TEST_CASE("a binding names a value set: one naming a code system is refused", "[validation][terminology][package]") {
  auto issues = check(observation("cbt-cs-bound", shape("square")));
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "code-invalid", "Observation.code", "code system, not a value set"));
}

TEST_CASE("an extensible binding's maximum value set bounds the codes outside the value set",
          "[validation][terminology][package]") {
  std::string apple = R"("system":")" + kBase + R"(CodeSystem/cbt-fruit","code":"apple")";
  CHECK(count_errors(check(observation("cbt-max", apple))) == 0);
  auto in_max = check(observation("cbt-max", shape("square")));  // outside the value set, inside the maximum
  INFO(describe(in_max));
  CHECK(count_errors(in_max) == 0);
  CHECK(has_issue(in_max, Severity::Warning, "code-invalid", "Observation.code"));
  auto outside = check(observation("cbt-max", R"("system":"http://carebridge.example/other","code":"x")"));
  CHECK(has_issue(outside, Severity::Error, "code-invalid", "Observation.code", "maximum value set"));
  auto text = check(R"({"resourceType":"Observation","id":"o1","meta":{"profile":[")" + kBase + R"(StructureDefinition/cbt-max"]},)" +
                    std::string(kText) + R"(,"status":"final","code":{"text":"a fruit"}})");
  CHECK(has_issue(text, Severity::Error, "code-invalid", "Observation.code", "maximum value set"));
}

TEST_CASE("compose.inactive false leaves inactive concepts out of a value set", "[validation][terminology][package]") {
  CHECK(count_errors(check(observation("cbt-active-obs", shape("square")))) == 0);
  // status inactive, and the inactive property true
  CHECK(has_issue(check(observation("cbt-active-obs", shape("hexagon"))), Severity::Error, "code-invalid", "Observation.code"));
  CHECK(has_issue(check(observation("cbt-active-obs", shape("circle"))), Severity::Error, "code-invalid", "Observation.code"));
  // Without the binding an inactive code is still a code of its system.
  CHECK(count_errors(check(observation("", shape("hexagon")))) == 0);
}

TEST_CASE("a Coding.version the loaded code system does not have cannot be checked", "[validation][terminology][package]") {
  CHECK(count_errors(check(observation("", shape("square", R"(,"version":"1.0.0")")))) == 0);
  CHECK(count_errors(check(observation("", shape("square", R"(,"version":"1.0")")))) == 0);
  auto wrong = check(observation("", shape("square", R"(,"version":"2.0.0")")));
  INFO(describe(wrong));
  CHECK(has_issue(wrong, Severity::Error, "code-invalid", "Observation.code.coding", "version"));
}

TEST_CASE("displays are compared ignoring case, not whitespace, and a longer display is wrong", "[validation][terminology][package]") {
  CHECK(count_errors(check(observation("", shape("rhombus", R"(,"display":"diamond SHAPE")")))) == 0);
  CHECK(has_issue(check(observation("", shape("rhombus", R"(,"display":"Diamond  shape")"))), Severity::Error, "invalid",
                  "Observation.code.coding", "whitespace"));
  // Only a code system whose displays are cut short excuses a display the known one begins.
  CHECK(has_issue(check(observation("", shape("square", R"(,"display":"Squares")"))), Severity::Error, "invalid",
                  "Observation.code.coding", "display"));
}

TEST_CASE("reslicing: the items of a slice against its reslices", "[validation][profiles][slicing][package]") {
  const std::string current = R"({"use":"usual","system":"http://carebridge.example/mrn","value":"1"})";
  const std::string old = R"({"use":"old","system":"http://carebridge.example/mrn","value":"0","period":{"end":"2019-01-01"}})";
  const std::string other = R"({"system":"http://other.example","value":"x"})";
  auto ids = [](const std::string& list) { return check(patient_with("cbt-reslice", R"("identifier":[)" + list + "]")); };
  auto ok = ids(other + "," + current + "," + old);
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  CHECK(count_errors(ids(current + "," + old + "," + old)) == 0);
  CHECK(has_issue(ids(old), Severity::Error, "required", "Patient.identifier", "mrn/current"));  // reslice min 1
  CHECK(has_issue(ids(current + "," + current), Severity::Error, "structure", "Patient.identifier", "mrn/current"));
  // The reslicing is closed: an mrn with another use matches no reslice.
  auto official = ids(current + R"(,{"use":"official","system":"http://carebridge.example/mrn","value":"2"})");
  CHECK(has_issue(official, Severity::Error, "structure", "Patient.identifier[1]", "reslic"));
  // A reslice keeps its own constraints (and its slice's).
  CHECK(count_errors(ids(current + R"(,{"use":"old","system":"http://carebridge.example/mrn","value":"0"})")) > 0);
  CHECK(has_issue(ids(other), Severity::Error, "required", "Patient.identifier", "mrn"));
}

TEST_CASE("a part of a part of a complex extension must be one its definition names", "[validation][extensions][package]") {
  auto with = [](const std::string& parts) {
    return check(R"({"resourceType":"Patient","id":"p1",)" + std::string(kText) + R"(,"extension":[{"url":")" + kBase +
                 R"(StructureDefinition/cbt-nested","extension":[{"url":"detail","extension":[)" + parts + "]}]}]}");
  };
  auto ok = with(R"({"url":"when","valueDateTime":"2020-01-01"})");
  INFO(describe(ok));
  CHECK(count_errors(ok) == 0);
  auto unknown = with(R"({"url":"when","valueDateTime":"2020-01-01"},{"url":"zzz","valueString":"x"})");
  CHECK(has_issue(unknown, Severity::Error, "structure", "extension[0].extension[0].extension[1]", "zzz"));
}

TEST_CASE("a reference's resolved target meets the target types and profiles", "[validation][references][package]") {
  // An extension's Reference value, checked against its definition's targets before the walk reaches it.
  auto group = check(observation("", shape("square"), R"(,"contained":[{"resourceType":"Group","id":"g","type":"person","actual":true}],
      "extension":[{"url":")" + kBase + R"(StructureDefinition/cbt-patient-ref","valueReference":{"reference":"#g"}}])"));
  CHECK(has_issue(group, Severity::Error, "structure", "Observation.extension[0].valueReference", "Group"));
  // A contained target against a target profile.
  auto subject = [](const std::string& contained) {
    return check(observation("cbt-subject", shape("square"), R"(,"contained":[)" + contained + R"(],"subject":{"reference":"#p"})"));
  };
  auto named = subject(R"({"resourceType":"Patient","id":"p","name":[{"family":"Doe"}]})");
  INFO(describe(named));
  CHECK(count_errors(named) == 0);
  auto unnamed = subject(R"({"resourceType":"Patient","id":"p","gender":"female"})");
  CHECK(has_issue(unnamed, Severity::Error, "structure", "Observation.subject.reference", "cbt-named"));
  // A Bundle entry target as well.
  std::string bundle = R"({"resourceType":"Bundle","type":"collection","entry":[
      {"fullUrl":"urn:uuid:3b5f1e0a-9c1d-4a4e-8f0b-1a2b3c4d5e6f","resource":)" +
                       observation("cbt-subject", shape("square"), R"(,"subject":{"reference":"urn:uuid:7d2e0f4b-1e3a-4b6c-9d8e-0f1a2b3c4d5e"})") +
                       R"(},{"fullUrl":"urn:uuid:7d2e0f4b-1e3a-4b6c-9d8e-0f1a2b3c4d5e","resource":{"resourceType":"Patient",)" + kText +
                       R"(,"gender":"male"}}]})";
  auto bundled = check(bundle);
  CHECK(has_issue(bundled, Severity::Error, "structure", "subject.reference", "cbt-named"));
}
