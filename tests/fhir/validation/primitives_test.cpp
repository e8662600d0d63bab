// Primitive formats: one valid and one invalid value per rule.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

// Validates a Patient with `member` added and reports whether `where` has a value error.
bool value_error(const std::string& member, const std::string& where) {
  auto issues = validate_text(patient(member));
  INFO(describe(issues));
  return has_issue(issues, Severity::Error, "value", where);
}

}  // namespace

TEST_CASE("date, dateTime, instant and time formats", "[validation][primitives]") {
  CHECK_FALSE(value_error(R"("birthDate":"1970")", "Patient.birthDate"));
  CHECK_FALSE(value_error(R"("birthDate":"2000-02-29")", "Patient.birthDate"));
  CHECK(value_error(R"("birthDate":"1970-13")", "Patient.birthDate"));
  CHECK(value_error(R"("birthDate":"2001-02-29")", "Patient.birthDate"));
  CHECK(value_error(R"("birthDate":"1970-1-1")", "Patient.birthDate"));
  CHECK_FALSE(value_error(R"("deceasedDateTime":"2020-01-02T03:04:05.123+01:00")", "Patient.deceasedDateTime"));
  CHECK(value_error(R"("deceasedDateTime":"2020-01-02T03:04:05")", "Patient.deceasedDateTime"));  // no time zone
  CHECK(value_error(R"("deceasedDateTime":"2020-01-02T25:00:00Z")", "Patient.deceasedDateTime"));
  CHECK_FALSE(value_error(R"("meta":{"lastUpdated":"2020-01-02T03:04:05Z"})", "Patient.meta.lastUpdated"));
  CHECK(value_error(R"("meta":{"lastUpdated":"2020-01-02"})", "Patient.meta.lastUpdated"));  // instant needs a time
  auto time_ok = validate_text(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueTime":"12:30:00"})");
  CHECK_FALSE(has_issue(time_ok, Severity::Error, "value", "valueTime"));
  auto time_bad = validate_text(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueTime":"12:30"})");
  CHECK(has_issue(time_bad, Severity::Error, "value", "valueTime"));
}

TEST_CASE("decimal and integer ranges", "[validation][primitives]") {
  auto obs = [](const std::string& value) {
    return validate_text(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)" + value + "}");
  };
  CHECK_FALSE(has_issue(obs(R"("valueQuantity":{"value":1.50})"), Severity::Error, "value", "value"));
  CHECK(count_errors(obs(R"("valueQuantity":{"value":01.5})")) > 0);
  auto xml = validate_text(
      "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\"x\"/></code>"
      "<valueQuantity><value value=\"1.5.0\"/></valueQuantity></Observation>");
  CHECK(has_issue(xml, Severity::Error, "value", "Observation.valueQuantity.value"));
  CHECK_FALSE(has_issue(obs(R"("valueInteger":-5)"), Severity::Error, "value", "valueInteger"));
  CHECK(has_issue(obs(R"("valueInteger":2147483648)"), Severity::Error, "value", "valueInteger"));
  // positiveInt >= 1, unsignedInt >= 0
  CHECK(value_error(R"("multipleBirthInteger":1,"photo":[{"size":-1}])", "Patient.photo[0].size"));
  CHECK_FALSE(value_error(R"("photo":[{"size":0}])", "Patient.photo[0].size"));
  auto rr = validate_text(R"({"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/1"},
      "prediction":[{"outcome":{"text":"x"},"whenRange":{"low":{"value":1}}}]})");
  CHECK(count_errors(rr) == 0);
  auto sequence = validate_text(R"({"resourceType":"CarePlan","status":"active","intent":"plan","subject":{"reference":"Patient/1"},
      "activity":[{"detail":{"status":"completed","dailyAmount":{"value":1}}}]})");
  CHECK(count_errors(sequence) == 0);
  auto positive = validate_text(R"({"resourceType":"Appointment","status":"proposed","minutesDuration":0,
      "participant":[{"status":"accepted","actor":{"display":"x"}}]})");
  INFO(describe(positive));
  CHECK(has_issue(positive, Severity::Error, "value", "Appointment.minutesDuration"));
}

TEST_CASE("id, uri, url, canonical, oid and uuid", "[validation][primitives]") {
  CHECK(value_error(R"("managingOrganization":{"reference":"Organization/1","id":"a b"})", "Patient.id") == false);
  auto bad_id = validate_text(R"({"resourceType":"Patient","id":"bad id!"})");
  CHECK(has_issue(bad_id, Severity::Error, "value", "Patient.id"));
  auto long_id = validate_text(R"({"resourceType":"Patient","id":")" + std::string(65, 'a') + "\"}");
  CHECK(has_issue(long_id, Severity::Error, "value", "Patient.id"));
  CHECK(value_error(R"("identifier":[{"system":"http://example.org/a b","value":"1"}])", "Patient.identifier[0].system"));
  CHECK_FALSE(value_error(R"("identifier":[{"system":"urn:oid:1.2.3.4","value":"1"}])", "Patient.identifier[0].system"));
  CHECK(value_error(R"("identifier":[{"system":"urn:oid:1.02.3","value":"1"}])", "Patient.identifier[0].system"));
  CHECK(value_error(R"("identifier":[{"system":"urn:uuid:ABC","value":"1"}])", "Patient.identifier[0].system"));
  CHECK(value_error(R"("identifier":[{"system":"oid:1.2.3.4","value":"1"}])", "Patient.identifier[0].system"));
  CHECK(value_error(R"("identifier":[{"system":"uuid:a2d6e8ba-0c0a-4e7f-9d3e-6c0b2f1e7a11","value":"1"}])",
                    "Patient.identifier[0].system"));
  CHECK_FALSE(value_error(R"("identifier":[{"system":"urn:uuid:a2d6e8ba-0c0a-4e7f-9d3e-6c0b2f1e7a11","value":"1"}])",
                          "Patient.identifier[0].system"));
  CHECK(value_error(R"("telecom":[{"system":"url","value":"x"}],"photo":[{"url":"urn:x:y"}])", "Patient.photo[0].url"));
  auto canonical = validate_text(R"({"resourceType":"Questionnaire","status":"draft","derivedFrom":["http://x.org/Q 1"]})");
  CHECK(has_issue(canonical, Severity::Error, "value", "Questionnaire.derivedFrom[0]"));
}

TEST_CASE("strings, codes, markdown and base64", "[validation][primitives]") {
  CHECK(value_error(R"("name":[{"family":""}])", "Patient.name[0].family"));
  // Whitespace alone: the R4 regex admits it, the reference validator warns (not an error).
  CHECK_FALSE(value_error(R"("name":[{"family":"   "}])", "Patient.name[0].family"));
  CHECK(value_error(R"("name":[{"family":"a\u0001b"}])", "Patient.name[0].family"));
  CHECK_FALSE(value_error(R"("name":[{"family":"O'Brien\tJr"}])", "Patient.name[0].family"));
  CHECK(value_error(R"("gender":" male")", "Patient.gender"));
  CHECK(value_error(R"("photo":[{"data":"abc"}])", "Patient.photo[0].data"));
  CHECK(value_error(R"("photo":[{"data":"ab=c"}])", "Patient.photo[0].data"));
  CHECK_FALSE(value_error(R"("photo":[{"data":"Zm9v"}])", "Patient.photo[0].data"));
  auto markdown = validate_text(R"({"resourceType":"Communication","status":"completed","note":[{"text":"*a* <b>"}]})");
  CHECK(count_errors(markdown) == 0);
  CHECK(has_issue(markdown, Severity::Warning, "value", "Communication.note[0].text", "HTML"));
  auto padded = validate_text(patient(R"("name":[{"family":" Doe"}])"));
  CHECK(has_issue(padded, Severity::Warning, "value", "Patient.name[0].family", "whitespace"));
  CHECK(count_errors(padded) == 0);
}

TEST_CASE("booleans in XML and primitives without value", "[validation][primitives]") {
  auto issues = validate_text(
      "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"p\"/><active value=\"yes\"/><gender/></Patient>");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "value", "Patient.active"));
  CHECK(has_issue(issues, Severity::Error, "", "Patient.gender"));
}

TEST_CASE("dates and times: the calendar's ranges, and a message that says what is wrong", "[validation][primitives]") {
  CHECK(value_error(R"("birthDate":"0000")", "Patient.birthDate"));
  CHECK(value_error(R"("deceasedDateTime":"2020-01-02T24:00:00Z")", "Patient.deceasedDateTime"));
  CHECK_FALSE(value_error(R"("deceasedDateTime":"2016-12-31T23:59:60Z")", "Patient.deceasedDateTime"));  // a leap second
  CHECK(value_error(R"("deceasedDateTime":"2016-12-31T23:59:61Z")", "Patient.deceasedDateTime"));
  CHECK(value_error(R"("deceasedDateTime":"2020-01-02T03:04:05+14:30")", "Patient.deceasedDateTime"));
  CHECK_FALSE(value_error(R"("deceasedDateTime":"2020-01-02T03:04:05-14:00")", "Patient.deceasedDateTime"));
  CHECK_FALSE(value_error(R"("meta":{"lastUpdated":"2020-01-02T03:04:05.123456789Z"})", "Patient.meta.lastUpdated"));
  auto issues = validate_text(patient(R"("birthDate":"1970-02-30")"));
  CHECK(has_issue(issues, Severity::Error, "value", "Patient.birthDate", "that month has no such day (at character 9)"));
}

TEST_CASE("the url naming a canonical resource is absolute, other uris may be relative", "[validation][primitives]") {
  auto relative = validate_text(R"({"resourceType":"ValueSet","url":"my-valueset","status":"draft"})");
  INFO(describe(relative));
  CHECK(has_issue(relative, Severity::Error, "value", "ValueSet.url", "must be an absolute URL"));
  auto contained = validate_text(R"({"resourceType":"Patient","contained":[{"resourceType":"CodeSystem","id":"c",
      "url":"CodeSystem/local","status":"draft","content":"complete"}],"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName","valueString":"#c"}]})");
  CHECK(has_issue(contained, Severity::Error, "value", "Patient.contained[0].url", "must be an absolute URL"));
  auto urn = validate_text(R"({"resourceType":"Questionnaire","url":"urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7","status":"draft"})");
  CHECK_FALSE(has_issue(urn, Severity::Error, "value", "Questionnaire.url"));
  auto attachment = validate_text(R"({"resourceType":"DocumentReference","status":"current","content":[{"attachment":{"url":"Binary/b1"}}]})");
  CHECK_FALSE(has_issue(attachment, Severity::Error, "value", "url"));
}

TEST_CASE("strings that open Unicode bidi controls without closing them", "[validation][primitives]") {
  // U+202E (right-to-left override) never closed: the name displays otherwise than it reads.
  CHECK(value_error("\"name\":[{\"family\":\"Doe\u202eeoD\"}]", "Patient.name[0].family"));
  // Closed by U+202C, and an isolate closed by U+2069: fine.
  CHECK_FALSE(value_error("\"name\":[{\"family\":\"a\u202eb\u202cc \u2067d\u2069\"}]", "Patient.name[0].family"));
}

TEST_CASE("an OID under urn:oid: is long enough to name a namespace", "[validation][primitives]") {
  CHECK(value_error(R"("identifier":[{"system":"urn:oid:1.2.3","value":"1"}])", "Patient.identifier[0].system"));
  CHECK_FALSE(value_error(R"("identifier":[{"system":"urn:oid:1.2.3.4","value":"1"}])", "Patient.identifier[0].system"));
  CHECK_FALSE(value_error(R"("identifier":[{"system":"urn:oid:1.3.6","value":"1"}])", "Patient.identifier[0].system"));
  CHECK_FALSE(value_error(R"("identifier":[{"system":"urn:oid:2.16.840.1.113883.4.1","value":"1"}])", "Patient.identifier[0].system"));
}
