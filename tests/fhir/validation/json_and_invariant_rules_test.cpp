// Rules of FHIR's JSON format and of its invariants that real resources break, each written
// from the specification (json.html: no empty arrays or objects; a choice element has one
// value; que-7 reads "answer is Boolean" for a FHIR boolean).
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

TEST_CASE("JSON: an empty array or an empty _element object is an error, saying where", "[validation][json]") {
  auto array = validate_text(patient(R"("name":[])"));
  INFO(describe(array));
  CHECK(has_issue(array, Severity::Error, "structure", "Patient.name", "empty array"));
  auto extras = validate_text(patient(R"("birthDate":"2000","_birthDate":{})"));
  INFO(describe(extras));
  CHECK(has_issue(extras, Severity::Error, "structure", "Patient.birthDate", "empty object"));
  // An array with items, and extensions on a primitive, stay valid.
  CHECK(count_errors(validate_text(patient(R"("name":[{"family":"Chalmers"}],"birthDate":"2000",
      "_birthDate":{"extension":[{"url":"http://example.org/note","valueString":"approximate"}]})"))) == 0);
}

TEST_CASE("JSON: a choice element given as two types is an error", "[validation][json]") {
  auto two = validate_text(patient(R"("deceasedBoolean":false,"deceasedDateTime":"2020-01-01")"));
  INFO(describe(two));
  CHECK(has_issue(two, Severity::Error, "structure", "Patient.deceasedDateTime", "deceased[x] has one value"));
  CHECK(count_errors(validate_text(patient(R"("deceasedDateTime":"2020-01-01")"))) == 0);
}

TEST_CASE("invariants: que-7 takes a FHIR boolean answer as a Boolean", "[validation][invariants]") {
  auto questionnaire = [](const std::string& answer) {
    return R"({"resourceType":"Questionnaire","id":"q","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">q</div>"},
      "status":"active","item":[{"linkId":"1","type":"boolean","text":"Smoker?"},
      {"linkId":"2","type":"string","text":"Since when?","enableWhen":[{"question":"1","operator":"exists",)" + answer + "}]}]}";
  };
  auto boolean = validate_text(questionnaire(R"("answerBoolean":true)"));
  INFO(describe(boolean));
  CHECK(count_errors(boolean) == 0);
  auto text = validate_text(questionnaire(R"("answerString":"yes")"));
  INFO(describe(text));
  CHECK(has_issue(text, Severity::Error, "invariant", "enableWhen", "que-7"));
}

TEST_CASE("bindings: a CodeableConcept with text alone misses a required binding, and an extensible one warns",
          "[validation][terminology]") {
  const std::string start =
      R"({"resourceType":"AllergyIntolerance","id":"a","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a</div>"},
      "patient":{"reference":"Patient/1"},)";
  auto required = validate_text(start + R"("clinicalStatus":{"text":"active"}})");
  INFO(describe(required));
  CHECK(has_issue(required, Severity::Error, "code-invalid", "AllergyIntolerance.clinicalStatus", "no code is given"));
  auto coded = validate_text(start + R"("clinicalStatus":{"coding":[{"system":
      "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}],"text":"active"}})");
  INFO(describe(coded));
  CHECK(count_errors(coded) == 0);
  auto extensible = validate_text(
      R"({"resourceType":"Observation","id":"o","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">o</div>"},
      "status":"final","code":{"text":"heart rate"},"dataAbsentReason":{"text":"the monitor was off"}})");
  INFO(describe(extensible));
  CHECK(count_errors(extensible) == 0);
  CHECK(has_issue(extensible, Severity::Warning, "code-invalid", "Observation.dataAbsentReason", "should be given"));
}

TEST_CASE("contained: two contained resources with one id are an error", "[validation][references]") {
  auto issues = validate_text(
      R"({"resourceType":"Observation","id":"o","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">o</div>"},
      "status":"final","code":{"text":"weight"},"contained":[{"resourceType":"Patient","id":"c1"},{"resourceType":"Patient","id":"c1"}],
      "subject":{"reference":"#c1"}})");
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "invariant", "Observation.contained[1]", "two contained resources have the id 'c1'"));
  CHECK(count_errors(issues) == 1);
}

TEST_CASE("a datatype the definition profiles is checked against that profile (SimpleQuantity)", "[validation][profiles]") {
  auto request = [](const std::string& quantity) {
    return R"({"resourceType":"MedicationRequest","id":"m","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">m</div>"},
      "status":"active","intent":"order","medicationCodeableConcept":{"text":"amoxicillin 500 mg"},"subject":{"reference":"Patient/1"},
      "dispenseRequest":{"quantity":)" + quantity + "}}";
  };
  auto comparator = validate_text(request(R"({"value":30,"comparator":"<","unit":"capsule"})"));
  INFO(describe(comparator));
  CHECK(has_issue(comparator, Severity::Error, "invariant", "dispenseRequest.quantity", "sqty-1"));
  auto plain = validate_text(request(R"({"value":30,"unit":"capsule"})"));
  INFO(describe(plain));
  CHECK(count_errors(plain) == 0);
}

TEST_CASE("an attachment's contentType must be a media type", "[validation][terminology]") {
  auto photo = [](const std::string& type) {
    return patient(R"("photo":[{"contentType":")" + type + R"(","url":"http://example.org/photo.png"}])");
  };
  auto bad = validate_text(photo("notamimetype"));
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "code-invalid", "Patient.photo[0].contentType", "not a media type"));
  for (const char* good : {"image/png", "text/plain; charset=utf-8", "application/fhir+json", "application/vnd.ms-excel"}) {
    INFO(good);
    CHECK(count_errors(validate_text(photo(good))) == 0);
  }
}

TEST_CASE("a signature's formats must be media types", "[validation][terminology]") {
  auto signed_bundle = [](const std::string& format) {
    return R"({"resourceType":"Bundle","type":"collection","signature":{"type":[{"system":"urn:iso-astm:E1762-95:2013",)"
           R"("code":"1.2.840.10065.1.12.1.1"}],"when":"2021-03-01T10:00:00Z","who":{"display":"Dr A"},)"
           R"("targetFormat":"application/fhir+json","sigFormat":")" + format + R"(","data":"ZXlKaGJHY2lPaUpTVXpJMU5pSjk="}})";
  };
  auto bad = validate_text(signed_bundle("jose"));
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "code-invalid", "Bundle.signature.sigFormat", "not a media type"));
  auto good = validate_text(signed_bundle("application/jose"));
  INFO(describe(good));
  CHECK(count_errors(good) == 0);
}

TEST_CASE("an endpoint's payload types and a subscription's payload must be media types", "[validation][terminology]") {
  auto endpoint = [](const std::string& type) {
    return validate_text(R"({"resourceType":"Endpoint","status":"active","connectionType":{"system":)"
                         R"("http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":"hl7-fhir-rest"},)"
                         R"("payloadType":[{"text":"any"}],"payloadMimeType":[")" + type + R"("],"address":"https://fhir.example.org/r4"})");
  };
  auto bad = endpoint("fhir json");
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "code-invalid", "Endpoint.payloadMimeType[0]", "not a media type"));
  CHECK(count_errors(endpoint("application/fhir+json")) == 0);
  auto subscription = validate_text(R"({"resourceType":"Subscription","status":"requested","reason":"r","criteria":"Observation?code=x",)"
                                    R"("channel":{"type":"rest-hook","endpoint":"https://x.org/hook","payload":"json"}})");
  INFO(describe(subscription));
  CHECK(has_issue(subscription, Severity::Error, "code-invalid", "Subscription.channel.payload", "not a media type"));
  // Ingesting, _format's shorthand is taken with a warning: routing sends the MIME type it stands for.
  carebridge::fhir::validation::Options ingest;
  ingest.policy = carebridge::fhir::validation::Policy::Ingest;
  auto shorthand = validate_text(R"({"resourceType":"Subscription","status":"requested","reason":"r","criteria":"Observation?code=x",)"
                                 R"("channel":{"type":"rest-hook","endpoint":"https://x.org/hook","payload":"xml"}})", ingest);
  INFO(describe(shorthand));
  CHECK(count_errors(shorthand) == 0);
  CHECK(has_issue(shorthand, Severity::Warning, "code-invalid", "Subscription.channel.payload", "not a media type"));
}

TEST_CASE("a Money's currency must be an ISO 4217 code", "[validation][terminology]") {
  auto claim = [](const std::string& currency) {
    return R"({"resourceType":"ChargeItem","id":"c","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">c</div>"},
      "status":"billable","code":{"text":"visit"},"subject":{"reference":"Patient/1"},
      "priceOverride":{"value":40,"currency":")" + currency + R"("}})";
  };
  auto bad = validate_text(claim("usd!"));
  INFO(describe(bad));
  CHECK(has_issue(bad, Severity::Error, "code-invalid", "ChargeItem.priceOverride.currency", "ISO 4217"));
  CHECK(count_errors(validate_text(claim("USD"))) == 0);
  // Three capitals are not enough: the code must be on the ISO 4217 list.
  auto unlisted = validate_text(claim("XXY"));
  INFO(describe(unlisted));
  CHECK(has_issue(unlisted, Severity::Error, "code-invalid", "ChargeItem.priceOverride.currency", "ISO 4217"));
  CHECK(count_errors(validate_text(claim("JPY"))) == 0);
  CHECK(count_errors(validate_text(claim("XAU"))) == 0);
}

TEST_CASE("JSON: _element has the shape of its element", "[validation][json]") {
  auto array = validate_text(patient(R"("gender":"male","_gender":[{"id":"g"}])"));
  INFO(describe(array));
  CHECK(has_issue(array, Severity::Error, "structure", "Patient.gender", "an object, not an array"));
  CHECK(count_errors(validate_text(patient(R"("gender":"male","_gender":{"id":"g"})"))) == 0);
}

TEST_CASE("bindings: a code without its system is in no required value set", "[validation][terminology]") {
  auto bare = validate_text(
      R"({"resourceType":"AllergyIntolerance","id":"a","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a</div>"},
      "patient":{"reference":"Patient/1"},"clinicalStatus":{"coding":[{"code":"active"}]}})");
  INFO(describe(bare));
  CHECK(has_issue(bare, Severity::Error, "code-invalid", "AllergyIntolerance.clinicalStatus", "none of the codes"));
}

TEST_CASE("Bundle: a RESTful fullUrl naming another type than its resource's is an error", "[validation][bundles]") {
  auto bundle = validate_text(
      R"({"resourceType":"Bundle","id":"b","type":"collection","entry":[{"fullUrl":"http://example.org/fhir/Observation/p1",
      "resource":{"resourceType":"Patient","id":"p1","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">p</div>"}}}]})");
  INFO(describe(bundle));
  CHECK(has_issue(bundle, Severity::Error, "invalid", "Bundle.entry[0]", "another type"));
}

TEST_CASE("invariants of an element reused by contentReference hold at every depth", "[validation][invariants]") {
  auto nested = validate_text(
      R"({"resourceType":"Questionnaire","id":"q","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">q</div>"},
      "status":"active","item":[{"linkId":"1","type":"group","item":[{"linkId":"1.1","type":"group"}]}]})");
  INFO(describe(nested));
  CHECK(has_issue(nested, Severity::Error, "invariant", "Questionnaire.item[0].item[0]", "que-1"));
}

TEST_CASE("invariants read as the reference validator does: an empty result fails", "[validation][invariants]") {
  // que-13: repeats = true or initial.count() <= 1. Without `repeats` the left side is empty.
  auto two = validate_text(
      R"({"resourceType":"Questionnaire","id":"q","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">q</div>"},
      "status":"active","item":[{"linkId":"1","type":"string","initial":[{"valueString":"a"},{"valueString":"b"}]}]})");
  INFO(describe(two));
  CHECK(has_issue(two, Severity::Error, "invariant", "Questionnaire.item[0]", "que-13"));
  // ref-1 on a Reference with an identifier alone (`in` with nothing to look for is true),
  // ras-2 with no probability (`is` of nothing is false): no false failures.
  auto risk = validate_text(
      R"({"resourceType":"RiskAssessment","id":"r","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">r</div>"},
      "status":"final","subject":{"identifier":{"system":"urn:x","value":"1"}},"prediction":[{"outcome":{"text":"x"}}]})");
  INFO(describe(risk));
  CHECK(count_errors(risk) == 0);
}
