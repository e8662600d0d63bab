// FHIR XML reading and writing: value attributes, ids and urls as attributes,
// the XHTML narrative, ordering by the definitions, comments, and hostile input.
#include <catch2/catch.hpp>

#include "support/codec_helpers.h"

using namespace carebridge::testing;

namespace {
const std::string kHead = R"(<?xml version="1.0" encoding="UTF-8"?>)";
}

TEST_CASE("values, ids and extension urls are attributes") {
  std::string xml = kHead + R"(
<Patient xmlns="http://hl7.org/fhir">
  <id value="p1"/>
  <extension url="http://example.org/ext">
    <valueString value="x"/>
  </extension>
  <name id="n1">
    <family value="Doe"/>
    <given value="Ann"/>
    <given id="g2">
      <extension url="http://example.org/why"><valueCode value="absent"/></extension>
    </given>
  </name>
  <birthDate value="1980-02-03"/>
</Patient>)";
  auto json = to_json(xml);
  INFO(json.error);
  REQUIRE(json.ok);
  CHECK(json_difference(R"({"resourceType":"Patient","id":"p1",
    "extension":[{"url":"http://example.org/ext","valueString":"x"}],
    "name":[{"id":"n1","family":"Doe","given":["Ann",null],
             "_given":[null,{"id":"g2","extension":[{"url":"http://example.org/why","valueCode":"absent"}]}]}],
    "birthDate":"1980-02-03"})", json.text) == "");
}

TEST_CASE("numbers and booleans become JSON literals, bad ones are errors") {
  auto json = to_json(kHead + R"(<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="t"/></code>
    <valueQuantity><value value="72.00"/></valueQuantity></Observation>)");
  REQUIRE(json.ok);
  CHECK(json.text.find("\"value\": 72.00") != std::string::npos);
  auto bad = to_json(kHead + R"(<Patient xmlns="http://hl7.org/fhir"><active value="yes"/></Patient>)");
  REQUIRE_FALSE(bad.ok);
  CHECK_THAT(bad.error, Catch::Contains("'yes' is not a valid boolean"));
  CHECK_THAT(bad.error, Catch::Contains("line 1"));
  CHECK_FALSE(to_json(kHead + R"(<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value="1,5"/></valueQuantity></Observation>)").ok);
}

TEST_CASE("the narrative div is XHTML, with or without a prefix") {
  std::string prefixed = kHead + R"(
<Patient xmlns="http://hl7.org/fhir" xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <text><status value="generated"/><xhtml:div><xhtml:p>A &amp; B</xhtml:p><xhtml:img src="a.png" alt="x"/></xhtml:div></text>
</Patient>)";
  auto json = to_json(prefixed);
  INFO(json.error);
  REQUIRE(json.ok);
  CHECK(json.text.find(R"(<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>A &amp; B</p><img src=\"a.png\" alt=\"x\"/></div>)") !=
        std::string::npos);
  auto again = to_xml(json.text);
  REQUIRE(again.ok);
  CHECK(again.text.find(R"(<div xmlns="http://www.w3.org/1999/xhtml"><p>A &amp; B</p>)") != std::string::npos);
}

TEST_CASE("JSON in any member order is written in the order of the definitions") {
  auto xml = to_xml(R"({"birthDate":"2000-01-01","gender":"female","name":[{"given":["A"],"family":"B"}],
                        "id":"x","resourceType":"Patient","meta":{"versionId":"2"}})");
  REQUIRE(xml.ok);
  auto at = [&](const std::string& s) { return xml.text.find(s); };
  CHECK(at("<id ") < at("<meta>"));
  CHECK(at("<meta>") < at("<name>"));
  CHECK(at("<family ") < at("<given "));
  CHECK(at("<name>") < at("<gender "));
  CHECK(at("<gender ") < at("<birthDate "));
}

TEST_CASE("XML out of the definitions' order or repeating a single element is an error") {
  auto wrong_order = parse(kHead + R"(<Patient xmlns="http://hl7.org/fhir"><gender value="male"/><name><family value="x"/></name></Patient>)");
  CHECK_THAT(wrong_order.first_error(), Catch::Contains("out of order"));
  auto twice = parse(kHead + R"(<Patient xmlns="http://hl7.org/fhir"><gender value="male"/><gender value="female"/></Patient>)");
  CHECK_THAT(twice.first_error(), Catch::Contains("only once"));
}

TEST_CASE("comments are tolerated anywhere") {
  auto json = to_json(kHead + R"(<!-- header -->
<Patient xmlns="http://hl7.org/fhir"><!-- first --><id value="c"/><!-- between -->
  <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><!-- in narrative --><p>t</p></div></text>
  <name><!-- inside --><family value="X"/></name>
</Patient><!-- trailer -->)");
  INFO(json.error);
  REQUIRE(json.ok);
  CHECK(json_difference(R"({"resourceType":"Patient","id":"c",
    "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>t</p></div>"},
    "name":[{"family":"X"}]})", json.text) == "");
}

TEST_CASE("contained resources and Bundle entries wrap the resource in its slot") {
  std::string xml = kHead + R"(
<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>
  <entry><fullUrl value="urn:uuid:a"/><resource>
    <Observation><contained><Patient><id value="p"/></Patient></contained><status value="final"/><code><text value="t"/></code>
      <subject><reference value="#p"/></subject></Observation>
  </resource></entry>
</Bundle>)";
  auto json = to_json(xml);
  INFO(json.error);
  REQUIRE(json.ok);
  CHECK(json_difference(R"({"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:a","resource":
    {"resourceType":"Observation","contained":[{"resourceType":"Patient","id":"p"}],"status":"final",
     "code":{"text":"t"},"subject":{"reference":"#p"}}}]})", json.text) == "");
  auto empty_slot = parse(kHead + R"(<Bundle xmlns="http://hl7.org/fhir"><entry><resource/></entry></Bundle>)");
  CHECK_THAT(empty_slot.first_error(), Catch::Contains("exactly one resource"));
}

TEST_CASE("elements outside the FHIR namespace, unknown elements and stray text are errors") {
  CHECK_THAT(parse(kHead + R"(<Patient><id value="x"/></Patient>)").first_error(), Catch::Contains("not in the FHIR namespace"));
  CHECK_THAT(parse(kHead + R"(<Patient xmlns="http://hl7.org/fhir"><nickname value="x"/></Patient>)").first_error(),
             Catch::Contains("unknown element <nickname>"));
  CHECK_THAT(parse(kHead + R"(<Patient xmlns="http://hl7.org/fhir"><gender>male</gender></Patient>)").first_error(),
             Catch::Contains("text is not allowed"));
  CHECK_THAT(parse(kHead + R"(<Patient xmlns="http://hl7.org/fhir"><gender value="male" foo="1"/></Patient>)").first_error(),
             Catch::Contains("unknown attribute 'foo'"));
}

TEST_CASE("XML errors name line and column") {
  auto parsed = parse(kHead + "\n<Patient xmlns=\"http://hl7.org/fhir\">\n  <id value=\"x\">\n</Patient>");
  REQUIRE_FALSE(parsed.document);
  CHECK_THAT(parsed.first_error(), Catch::Contains("line 4"));
}

TEST_CASE("hostile XML: external entities are refused and nothing is read") {
  std::string xxe = R"(<?xml version="1.0"?>
<!DOCTYPE Patient [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Patient xmlns="http://hl7.org/fhir"><id value="&secret;"/></Patient>)";
  auto parsed = parse(xxe);
  REQUIRE_FALSE(parsed.document);
  CHECK_THAT(parsed.first_error(), Catch::Contains("DOCTYPE"));
  auto no_dtd = parse(R"(<Patient xmlns="http://hl7.org/fhir"><id value="&undefined;"/></Patient>)");
  REQUIRE_FALSE(no_dtd.document);
}

TEST_CASE("hostile XML: billion laughs does not expand") {
  std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">)";
  for (int i = 1; i <= 9; ++i) {
    laughs += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) laughs += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    laughs += "\">";
  }
  laughs += R"(]><Patient xmlns="http://hl7.org/fhir"><id value="&lol9;"/></Patient>)";
  auto parsed = parse(laughs);
  REQUIRE_FALSE(parsed.document);
  CHECK_THAT(parsed.first_error(), Catch::Contains("DOCTYPE"));
}

TEST_CASE("hostile XML: 10,000-deep nesting is refused") {
  std::string deep = R"(<Patient xmlns="http://hl7.org/fhir">)";
  for (int i = 0; i < 10000; ++i) deep += "<extension url=\"x\">";
  for (int i = 0; i < 10000; ++i) deep += "</extension>";
  deep += "</Patient>";
  auto parsed = parse(deep);
  REQUIRE_FALSE(parsed.document);
  CHECK_THAT(parsed.first_error(), Catch::Contains("nesting deeper than"));
}

TEST_CASE("hostile XML: malformed documents and processing instructions") {
  CHECK_FALSE(parse("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"/>").document);
  CHECK_FALSE(parse("<Patient xmlns=\"http://hl7.org/fhir\"></Patient><Patient/>").document);
  CHECK_FALSE(parse("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"\xC3\x28\"/></Patient>").document);
  auto pi = to_json("<?xml version=\"1.0\"?><?xml-stylesheet href=\"x.xsl\"?><Patient xmlns=\"http://hl7.org/fhir\"><id value=\"pi\"/></Patient>");
  CHECK(pi.ok);
}

TEST_CASE("attribute values keep their characters through both formats") {
  std::string xml = kHead + R"(<Patient xmlns="http://hl7.org/fhir"><name><text value="a &amp; b &lt; c &quot;d&quot; &#38;#38; line&#xA;two"/></name></Patient>)";
  auto json = to_json(xml);
  REQUIRE(json.ok);
  CHECK(json.text.find(R"("text": "a & b < c \"d\" &#38; line\ntwo")") != std::string::npos);
  auto back = to_xml(json.text);
  REQUIRE(back.ok);
  CHECK(back.text.find(R"(<text value="a &amp; b &lt; c &quot;d&quot; &amp;#38; line&#xA;two"/>)") != std::string::npos);
}

TEST_CASE("size limits refuse oversized input in either format before parsing") {
  carebridge::fhir::io::Limits limits;
  limits.max_bytes = 64;
  std::string big_xml = R"(<Patient xmlns="http://hl7.org/fhir"><id value=")" + std::string(100, 'a') + R"("/></Patient>)";
  auto xml = carebridge::fhir::io::read(big_xml, core(), limits);
  REQUIRE_FALSE(xml.document);
  CHECK_THAT(xml.first_error(), Catch::Contains("over the limit of 64 bytes"));
  std::string big_json = R"({"resourceType":"Patient","id":")" + std::string(100, 'a') + R"("})";
  auto json = carebridge::fhir::io::read(big_json, core(), limits);
  REQUIRE_FALSE(json.document);
  CHECK_THAT(json.first_error(), Catch::Contains("over the limit of 64 bytes"));
}

TEST_CASE("the depth limit is configurable") {
  carebridge::fhir::io::Limits limits;
  limits.max_depth = 3;  // Patient > name > period > start is four levels
  std::string xml = R"(<Patient xmlns="http://hl7.org/fhir"><name><period><start value="2020"/></period></name></Patient>)";
  CHECK(carebridge::fhir::io::read(xml, core()).document);
  CHECK_THAT(carebridge::fhir::io::read(xml, core(), limits).first_error(), Catch::Contains("nesting deeper than 3"));
}
