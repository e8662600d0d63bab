// FHIR JSON reading and writing: the rules of the JSON format that must survive a
// JSON -> XML -> JSON round trip unchanged.
#include <catch2/catch.hpp>

#include "support/codec_helpers.h"

using namespace carebridge::testing;

namespace {

void require_lossless(const std::string& json) {
  auto back = json_roundtrip(json);
  INFO(back.error);
  REQUIRE(back.ok);
  INFO(back.text);
  REQUIRE(json_difference(json, back.text).empty());
}

}  // namespace

TEST_CASE("decimals keep the exact text they were written with") {
  std::string json = R"({"resourceType":"Observation","status":"final","code":{"text":"weight"},
    "valueQuantity":{"value":1.50,"unit":"kg"},
    "referenceRange":[{"low":{"value":0.000},"high":{"value":1E+3}}]})";
  auto xml = to_xml(json);
  REQUIRE(xml.ok);
  CHECK(xml.text.find("<value value=\"1.50\"/>") != std::string::npos);
  CHECK(xml.text.find("<value value=\"0.000\"/>") != std::string::npos);
  CHECK(xml.text.find("<value value=\"1E+3\"/>") != std::string::npos);
  auto back = to_json(xml.text);
  REQUIRE(back.ok);
  CHECK(back.text.find("\"value\": 1.50") != std::string::npos);
  CHECK(back.text.find("\"value\": 1E+3") != std::string::npos);
  require_lossless(json);
}

TEST_CASE("integers and booleans are JSON literals, strings stay strings") {
  std::string json = R"({"resourceType":"Patient","active":true,"multipleBirthInteger":2,
    "birthDate":"1970-01-01","telecom":[{"system":"phone","value":"0123","rank":1}]})";
  auto back = json_roundtrip(json);
  REQUIRE(back.ok);
  CHECK(back.text.find("\"active\": true") != std::string::npos);
  CHECK(back.text.find("\"multipleBirthInteger\": 2") != std::string::npos);
  CHECK(back.text.find("\"rank\": 1") != std::string::npos);
  CHECK(back.text.find("\"value\": \"0123\"") != std::string::npos);
  require_lossless(json);
}

TEST_CASE("primitive extensions and ids in _name, with nulls aligned to the array") {
  std::string json = R"({"resourceType":"Patient",
    "name":[{"given":["Ann",null,"Lee"],
             "_given":[null,{"extension":[{"url":"http://example.org/initial","valueBoolean":true}]},{"id":"g3"}]}],
    "birthDate":"1980-02-03",
    "_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1980-02-03T10:20:00+01:00"}]},
    "_gender":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"unknown"}]}})";
  auto xml = to_xml(json);
  REQUIRE(xml.ok);
  CHECK(xml.text.find("<given value=\"Ann\"/>") != std::string::npos);
  CHECK(xml.text.find("<given>\n") != std::string::npos);        // value-less given carrying an extension
  CHECK(xml.text.find("<given id=\"g3\" value=\"Lee\"/>") != std::string::npos);
  CHECK(xml.text.find("<gender>") != std::string::npos);
  require_lossless(json);
}

TEST_CASE("a null in an array needs a matching _name entry") {
  auto parsed = parse(R"({"resourceType":"Patient","name":[{"given":["Ann",null]}]})");
  REQUIRE(parsed.has_errors());
  CHECK_THAT(parsed.first_error(), Catch::Contains("null in \"given\""));
  CHECK_THAT(parsed.first_error(), Catch::Contains("Patient.name[0].given"));
}

TEST_CASE("contained resources and references to them") {
  require_lossless(R"({"resourceType":"Observation","id":"o1",
    "contained":[{"resourceType":"Patient","id":"p","name":[{"family":"Doe"}]},
                 {"resourceType":"Practitioner","id":"dr","active":false}],
    "status":"final","code":{"text":"x"},"subject":{"reference":"#p"},"performer":[{"reference":"#dr"}]})");
  auto xml = to_xml(R"({"resourceType":"Observation","contained":[{"resourceType":"Patient","id":"p"}],
    "status":"final","code":{"text":"x"}})");
  REQUIRE(xml.ok);
  CHECK(xml.text.find("<contained>\n    <Patient>\n      <id value=\"p\"/>") != std::string::npos);
}

TEST_CASE("resourceType must be present and known") {
  CHECK_THAT(parse(R"({"id":"x"})").first_error(), Catch::Contains("resourceType"));
  CHECK_THAT(parse(R"({"resourceType":"Patientx"})").first_error(), Catch::Contains("not a known FHIR R4 resource type"));
  CHECK_THAT(parse(R"({"resourceType":"DomainResource"})").first_error(), Catch::Contains("not a known"));
}

TEST_CASE("an R4B resource type the definitions also describe is not an R4 resource type") {
  CHECK_THAT(parse(R"({"resourceType":"SubscriptionStatus","status":"active","type":"heartbeat"})").first_error(),
             Catch::Contains("not a known FHIR R4 resource type"));
  CHECK_THAT(parse(R"({"resourceType":"Parameters","parameter":[{"name":"s","resource":{"resourceType":"SubscriptionStatus"}}]})")
                 .first_error(),
             Catch::Contains("not a known FHIR R4 resource type"));
}

TEST_CASE("choice types take the type from the property name") {
  std::string json = R"({"resourceType":"Observation","status":"final","code":{"text":"t"},
    "effectivePeriod":{"start":"2020-01-01"},"valueCodeableConcept":{"text":"positive"},
    "component":[{"code":{"text":"a"},"valueString":"x"},{"code":{"text":"b"},"valueInteger":-3}]})";
  auto parsed = parse(json);
  REQUIRE_FALSE(parsed.has_errors());
  const auto* value = parsed.document->root()->child("value");
  REQUIRE(value);
  CHECK(value->type == "CodeableConcept");
  CHECK(value->name == "valueCodeableConcept");
  require_lossless(json);
  CHECK_THAT(parse(R"({"resourceType":"Observation","valueFoo":"x"})").first_error(),
             Catch::Contains("unknown property \"valueFoo\""));
}

TEST_CASE("narrative XHTML survives, with entities and attributes") {
  std::string json = R"({"resourceType":"Patient","text":{"status":"generated",
    "div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"a\">Tom &amp; Jerry &lt;3 <b>bold</b></p><br/><a href=\"http://x.org/?a=1&amp;b=2\">link</a></div>"}})";
  auto xml = to_xml(json);
  REQUIRE(xml.ok);
  CHECK(xml.text.find("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"a\">Tom &amp; Jerry &lt;3 <b>bold</b></p>") !=
        std::string::npos);
  require_lossless(json);
}

TEST_CASE("a narrative that is not well-formed XHTML cannot be written as XML") {
  auto xml = to_xml(R"({"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>open</div>"}})");
  REQUIRE_FALSE(xml.ok);
  CHECK_THAT(xml.error, Catch::Contains("Patient.text.div"));
  CHECK_THAT(xml.error, Catch::Contains("not well-formed"));
}

TEST_CASE("Bundles nest resources at any depth") {
  std::string json = R"({"resourceType":"Bundle","type":"collection","entry":[
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Bundle","type":"collection","entry":[
      {"resource":{"resourceType":"Parameters","parameter":[{"name":"p","resource":{"resourceType":"Patient","id":"deep",
        "contained":[{"resourceType":"Organization","id":"o","name":"Org"}],"managingOrganization":{"reference":"#o"}}},
        {"name":"n","part":[{"name":"inner","valueDecimal":3.140}]}]}}]}}]})";
  auto parsed = parse(json);
  REQUIRE_FALSE(parsed.has_errors());
  require_lossless(json);
}

TEST_CASE("arrays only where the element repeats") {
  CHECK_THAT(parse(R"({"resourceType":"Patient","name":{"family":"x"}})").first_error(),
             Catch::Contains("must be an array"));
  CHECK_THAT(parse(R"({"resourceType":"Patient","gender":["male"]})").first_error(),
             Catch::Contains("must not be an array"));
}

TEST_CASE("primitives must have the JSON type of their FHIR type") {
  CHECK_THAT(parse(R"({"resourceType":"Patient","active":"true"})").first_error(), Catch::Contains("must be a boolean"));
  CHECK_THAT(parse(R"({"resourceType":"Patient","birthDate":19700101})").first_error(), Catch::Contains("must be a string"));
  CHECK_THAT(parse(R"({"resourceType":"Patient","multipleBirthInteger":"2"})").first_error(), Catch::Contains("must be a number"));
  CHECK_THAT(parse(R"({"resourceType":"Patient","name":[{"family":{"x":1}}]})").first_error(), Catch::Contains("cannot be an object"));
}

TEST_CASE("unknown properties are errors that name the place") {
  auto parsed = parse("{\"resourceType\":\"Patient\",\n \"nickname\":\"Bob\"}");
  REQUIRE(parsed.has_errors());
  CHECK_THAT(parsed.first_error(), Catch::Contains("line 2, column"));
  CHECK_THAT(parsed.first_error(), Catch::Contains("Patient.nickname"));
}

TEST_CASE("hostile JSON: duplicate keys are rejected") {
  auto parsed = parse("{\"resourceType\":\"Patient\",\"id\":\"a\",\n\"id\":\"b\"}");
  REQUIRE_FALSE(parsed.document);
  CHECK_THAT(parsed.first_error(), Catch::Contains("duplicate property \"id\""));
  CHECK_THAT(parsed.first_error(), Catch::Contains("line 2"));
}

TEST_CASE("hostile JSON: invalid UTF-8 is rejected with its position") {
  std::string bad = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"M\xC3\x28ller\"}]}";
  auto parsed = parse(bad);
  REQUIRE_FALSE(parsed.document);
  CHECK_THAT(parsed.first_error(), Catch::Contains("UTF-8"));
  CHECK_THAT(parsed.first_error(), Catch::Contains("line 1, column"));
}

TEST_CASE("hostile JSON: deep nesting stops at the limit without exhausting the stack") {
  std::string deep = "{\"resourceType\":\"Patient\",\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto parsed = parse(deep);
  REQUIRE_FALSE(parsed.document);
  CHECK_THAT(parsed.first_error(), Catch::Contains("nesting deeper than"));
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(50000, '}');
  CHECK_FALSE(parse(objects).document);
}

TEST_CASE("hostile JSON: huge numbers keep their text, or fail cleanly beyond double range") {
  std::string digits(300, '9');
  std::string json = R"({"resourceType":"Observation","status":"final","code":{"text":"t"},"valueQuantity":{"value":)" +
                     digits + ".50000000000000000001e5}}";
  auto back = json_roundtrip(json);
  REQUIRE(back.ok);
  CHECK(back.text.find(digits + ".50000000000000000001e5") != std::string::npos);
  auto too_big = parse(R"({"resourceType":"Observation","valueQuantity":{"value":)" + std::string(5000, '9') + "}}");
  REQUIRE_FALSE(too_big.document);
  CHECK_THAT(too_big.first_error(), Catch::Contains("number too large"));
  CHECK_THAT(too_big.first_error(), Catch::Contains("line 1, column"));
  CHECK_FALSE(parse(R"({"resourceType":"Observation","valueQuantity":{"value":1e99999999999}})").document);
}

TEST_CASE("hostile JSON: truncated input, trailing garbage, NUL bytes, not an object") {
  CHECK_FALSE(parse(R"({"resourceType":"Patient","id":"x")").document);
  CHECK_FALSE(parse(R"({"resourceType":"Patient"} {"x":1})").document);
  CHECK_FALSE(parse(std::string("{\"resourceType\":\"Patient\"}\0{", 27)).document);
  CHECK_THAT(parse("[1,2]").first_error(), Catch::Contains("neither FHIR JSON nor FHIR XML"));
  CHECK_FALSE(parse("").document);
}

TEST_CASE("JSON strings with escapes and control characters") {
  std::string json = R"({"resourceType":"Patient","name":[{"text":"line1\nline2\t\"quoted\" \\ \u00e9\u4e2d"}]})";
  auto xml = to_xml(json);
  REQUIRE(xml.ok);
  CHECK(xml.text.find("line1&#xA;line2&#x9;&quot;quoted&quot; \\ \xC3\xA9\xE4\xB8\xAD") != std::string::npos);
  require_lossless(json);
  auto bad = to_xml(R"({"resourceType":"Patient","name":[{"text":"bell\u0007"}]})");
  REQUIRE_FALSE(bad.ok);
  CHECK_THAT(bad.error, Catch::Contains("Patient.name[0].text"));
}

TEST_CASE("resourceType is no element: \"_resourceType\" is an unknown property") {
  auto parsed = parse(R"({"resourceType":"Patient","_resourceType":{"id":"x"},"id":"p1"})");
  REQUIRE(parsed.has_errors());
  CHECK_THAT(parsed.first_error(), Catch::Contains("_resourceType"));
}
