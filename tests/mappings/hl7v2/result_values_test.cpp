// What a result's value says, for the OBX forms senders use beyond numbers and codes: a
// structured numeric that says "not equal" or is no number at all, a vital sign with no
// value, a report that is only a pointer to where it is kept.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|LAB|F|EHR|F|20250123100000-0800||";
const std::string kPid = "PID|1||H100200^^^NWH^MR||DELACROIX^MARIE||19710412|F\r";

const rapidjson::Value* observation_coded(const Mapped& m, const std::string& code) {
  for (const auto* e : m.of("Observation"))
    if (first_code((*e)["resource"]["code"]) == code) return &(*e)["resource"];
  return nullptr;
}

}  // namespace

TEST_CASE("SN: a comparator <> (not equal) is kept as text, never read as the value it excludes", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|SN1|P|2.5.1\r" + kPid +
                         "OBR|1||F1^LAB|SN^Numerics^L|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|SN|5048-4^ANA titer^LN||<>^1^/^40||||||F\r"
                         "OBX|2|SN|2160-0^Creatinine^LN||<^0.5|mg/dL^^UCUM|||||F\r");
  const auto* titer = observation_coded(m, "5048-4");
  REQUIRE(titer);
  CHECK_FALSE(titer->HasMember("valueRatio"));
  CHECK(text(*titer, "valueString") == "<> 1 / 40");
  const auto* creatinine = observation_coded(m, "2160-0");  // the comparators FHIR has stay a Quantity's
  REQUIRE(creatinine);
  CHECK(text((*creatinine)["valueQuantity"], "comparator") == "<");
}

TEST_CASE("SN: a value that is no number, range or ratio is its components as text, a space between each", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|SN2|P|2.5.1\r" + kPid +
                         "OBR|1||F3^LAB|SN^Numerics^L|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|SN|5048-4^ANA titer^LN||^1^+||||||F\r"
                         "OBX|2|SN|2160-0^Creatinine^LN||abc^def||||||F\r");
  const auto* titer = observation_coded(m, "5048-4");
  REQUIRE(titer);
  CHECK(text(*titer, "valueString") == "1 +");
  const auto* creatinine = observation_coded(m, "2160-0");
  REQUIRE(creatinine);
  CHECK(text(*creatinine, "valueString") == "abc def");
}

TEST_CASE("RP: a report sent as a pointer is the report's presentedForm, where it is and its media type", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|RP1|P|2.5.1\r" + kPid +
                         "OBR|1||F2^RIS|18748-4^Imaging report^LN|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|RP|18748-4^Imaging report^LN||http://pacs.example.org/study/123^PACS^IMAGE^JPEG||||||F\r");
  const auto& report = m.resource("DiagnosticReport");
  REQUIRE(report.HasMember("presentedForm"));
  const auto& form = report["presentedForm"][0];
  CHECK(text(form, "url") == "http://pacs.example.org/study/123");
  CHECK(text(form, "contentType") == "image/jpeg");
  CHECK_FALSE(form.HasMember("data"));
  CHECK(warned(m.conversion, "OBX[1]-5[1]", "presentedForm"));
}

TEST_CASE("MDM^T02: a document sent as a pointer is where the document is, not the pointer's text", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "MDM^T02|RP2|P|2.5.1\rEVN|T02|20250126090000-0800\r" + kPid + "PV1|1|O\r"
                         "TXA|1|DS^Discharge summary^HL70270|TX|20250126085000-0800||||||||DOC1^NWH|||||AU||AV\r"
                         "OBX|1|RP|18842-5^Discharge summary^LN||https://docs.example.org/d/1^DOCS^AP^PDF||||||F\r");
  const auto& attachment = m.resource("DocumentReference")["content"][0]["attachment"];
  CHECK(text(attachment, "url") == "https://docs.example.org/d/1");
  CHECK(text(attachment, "contentType") == "application/pdf");
  CHECK_FALSE(attachment.HasMember("data"));
}

TEST_CASE("OBX-2 CX, XPN, XAD: a result's identifier, name or address as the text it says", "[mappings][hl7v2]") {
  // The IG's CX[string] is the ID, its XPN[string] the name assembled; the components
  // joined without their empty places ("CURIE^MARIE^S^L") would read L as a name.
  Mapped m = map_message(kMsh + "ORU^R01|CX1|P|2.5.1\r" + kPid +
                         "OBR|1||F1^LAB|11502-2^Lab report^LN|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|CX|45393-6^Case number^LN||CASE-5521^^^STATEDOH^PI||||||F\r"
                         "OBX|2|XPN|45392-8^Mother's name^LN||CURIE^MARIE^S^^^^L||||||F\r"
                         "OBX|3|XAD|56799-0^Address^LN||10 DOWNING ST^^LONDON^^SW1A 2AA^GBR^H||||||F\r");
  CHECK(text(*observation_coded(m, "45393-6"), "valueString") == "CASE-5521");
  CHECK(text(*observation_coded(m, "45392-8"), "valueString") == "MARIE S CURIE");
  CHECK(text(*observation_coded(m, "56799-0"), "valueString") == "10 DOWNING ST, LONDON, SW1A 2AA, GBR");
}

TEST_CASE("OBX-7: a reference range labs write as bounds gets them in the result's units and keeps its text", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|RR1|P|2.3.1\r" + kPid +
                         "OBR|1||F3^LAB|80053^CMP^C4|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|NM|2345-7^Glucose^LN||112|mg/dL|65-99|H|||F\r"
                         "OBX|2|NM|2160-0^Creatinine^LN||0.72|mg/dL^^UCUM|0.50 - 1.05|N|||F\r"
                         "OBX|3|NM|33914-3^eGFR^LN||72|mL/min/1.73m2|> OR = 60||||F\r"
                         "OBX|4|NM|89579-7^Troponin I^LN||45|ng/L|<=34|H|||F\r"
                         "OBX|5|NM|2093-3^Cholesterol^LN||245|mg/dL|<200|H|||F\r"
                         "OBX|6|NM|1975-2^Bilirubin^LN||0.4|mg/dL|0.1-1.2 mg/dL||||F\r");
  const auto& glucose = (*observation_coded(m, "2345-7"))["referenceRange"][0];
  CHECK(glucose["low"]["value"].GetDouble() == 65);
  CHECK(glucose["high"]["value"].GetDouble() == 99);
  CHECK(text(glucose["high"], "unit") == "mg/dL");
  CHECK(text(glucose, "text") == "65-99");
  const auto& creatinine = (*observation_coded(m, "2160-0"))["referenceRange"][0];
  CHECK(text(creatinine["low"], "code") == "mg/dL");  // the units' system, as the value's
  CHECK(creatinine["high"]["value"].GetDouble() == 1.05);
  const auto& egfr = (*observation_coded(m, "33914-3"))["referenceRange"][0];
  CHECK(egfr["low"]["value"].GetDouble() == 60);
  CHECK_FALSE(egfr.HasMember("high"));
  const auto& troponin = (*observation_coded(m, "89579-7"))["referenceRange"][0];
  CHECK(troponin["high"]["value"].GetDouble() == 34);
  CHECK_FALSE(troponin.HasMember("low"));
  const auto& cholesterol = (*observation_coded(m, "2093-3"))["referenceRange"][0];  // < excludes 200: FHIR's high includes it
  CHECK_FALSE(cholesterol.HasMember("high"));
  CHECK(text(cholesterol, "text") == "<200");
  const auto& bilirubin = (*observation_coded(m, "1975-2"))["referenceRange"][0];  // units in the text: text only
  CHECK_FALSE(bilirubin.HasMember("low"));
  CHECK(text(bilirubin, "text") == "0.1-1.2 mg/dL");
}

TEST_CASE("NM: a number sent past the measuring range with a comparator is a Quantity with it", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|NC1|P|2.5.1\r" + kPid +
                         "OBR|1||F4^MON|85353-1^Vital signs^LN|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|NM|8867-4^Heart rate^LN||>200|/min^^UCUM|||||F\r"
                         "OBX|2|NM|33914-3^eGFR^LN||>=60|mL/min/1.73m2|||||F\r"
                         "OBX|3|NM|2160-0^Creatinine^LN||< 0.5|mg/dL|||||F\r"
                         "OBX|4|NM|1742-6^ALT^LN||< OR = 5|U/L|||||F\r");
  const auto& rate = (*observation_coded(m, "8867-4"))["valueQuantity"];  // a heart rate must be a Quantity
  CHECK(rate["value"].GetDouble() == 200);
  CHECK(text(rate, "comparator") == ">");
  CHECK(text(rate, "code") == "/min");
  CHECK(text((*observation_coded(m, "33914-3"))["valueQuantity"], "comparator") == ">=");
  const auto& creatinine = (*observation_coded(m, "2160-0"))["valueQuantity"];
  CHECK(creatinine["value"].GetDouble() == 0.5);
  CHECK(text(creatinine, "comparator") == "<");
  // Quest's way of writing "<=", as its reference ranges do.
  CHECK(text((*observation_coded(m, "1742-6"))["valueQuantity"], "comparator") == "<=");
  CHECK_FALSE(warned(m.conversion, "OBX[1]-5[1]", "not a number"));
}

TEST_CASE("A vital sign sent as text keeps it as a note with dataAbsentReason and the Bundle stays valid", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|VT1|P|2.5.1\r" + kPid +  // map_message requires a valid Bundle
                         "OBR|1||F5^MON|85353-1^Vital signs^LN|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|ST|2708-6^Oxygen saturation^LN||Unable to obtain|%|||||F\r"
                         "OBX|2|NA|8867-4^Heart rate^LN||72^75^71|/min^^UCUM|||||F\r"
                         "OBX|3|ST|8310-5^Body temperature^LN||98.6|[degF]^^UCUM|||||F\r"
                         "OBX|4|CWE|9279-1^Respiratory rate^LN||^Labored, irregular|||||F\r");
  const auto& saturation = *observation_coded(m, "2708-6");
  CHECK_FALSE(saturation.HasMember("valueString"));
  CHECK(text(saturation["note"][0], "text") == "Unable to obtain");
  CHECK(first_code(saturation["dataAbsentReason"]) == "as-text");
  CHECK(text((*observation_coded(m, "8867-4"))["note"][0], "text") == "72^75^71");
  const auto& coded = *observation_coded(m, "9279-1");
  CHECK_FALSE(coded.HasMember("valueCodeableConcept"));
  CHECK(text(coded["note"][0], "text") == "Labored, irregular");
}

TEST_CASE("A vital sign measured in a month (OBX-14 202611) is that month as a period, as vs-1 wants a day or a Period",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|VT2|P|2.6\r" + kPid +  // map_message requires a valid Bundle
                         "OBR|1||F7^MON|85353-1^Vital signs^LN|||202611||||||||||||||||||F\r"
                         "OBX|1|NM|8302-2^Body height^LN||170|cm^^UCUM|||||F|||202611\r"
                         "OBX|2|NM|29463-7^Body weight^LN||70|kg^^UCUM|||||F|||20261105\r");
  const auto& height = *observation_coded(m, "8302-2");
  CHECK_FALSE(height.HasMember("effectiveDateTime"));
  CHECK(text(height["effectivePeriod"], "start") == "2026-11");
  CHECK(text(height["effectivePeriod"], "end") == "2026-11");
  CHECK(text(*observation_coded(m, "29463-7"), "effectiveDateTime") == "2026-11-05");
}

TEST_CASE("A local code sent with its LOINC as the alternate keeps the alternate's version (CWE-8)", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|CV1|P|2.5.1\r" + kPid +
                         "OBR|1||F8^LAB|GLU^Glucose^L|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|NM|GLU1^Glucose, serum^L^2345-7^Glucose^LN^^2.76|1|90|mg/dL|||||F\r");
  const auto* found = observation_coded(m, "GLU1");
  REQUIRE(found);
  const auto& glucose = *found;
  bool versioned = false;
  for (const auto& c : glucose["code"]["coding"].GetArray())
    versioned = versioned || (text(c, "code") == "2345-7" && text(c, "version") == "2.76");
  CHECK(versioned);
}

TEST_CASE("A lab named by its CLIA number as MSH-4's universal ID type and by the CLIA OID in OBX-23 is one Organization", "[mappings][hl7v2]") {
  Mapped m = map_message("MSH|^~\\&|LCS|LABCORP^34D0655059^CLIA|EHR|F|20250123100000-0800||ORU^R01|CL1|P|2.5.1\r" + kPid +
                         "OBR|1||F6^LAB|2345-7^Glucose^LN|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|NM|2345-7^Glucose^LN||90|mg/dL|||||F|||||||||||"
                         "LABCORP^L^^^^CLIA&2.16.840.1.113883.4.7&ISO^XX^^^34D0655059\r");
  size_t labs = 0;
  for (const auto* e : m.of("Organization")) {
    const auto& id = (*e)["resource"]["identifier"][0];
    if (text(id, "value") != "34D0655059") continue;
    ++labs;
    CHECK(text(id, "system") == "urn:oid:2.16.840.1.113883.4.7");
  }
  CHECK(labs == 1);
}

TEST_CASE("A vital sign's units spelled as senders do (beats/min^^ISO, mmHg, F, {beats}/min) become the UCUM code its profile fixes",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|VU1|P|2.5.1\rEVN|A08|20250123\r" + kPid + "PV1|1|I\r"
                         "OBX|1|NM|8867-4^Heart rate^LN||60|beats/min^^ISO|||||F\r"
                         "OBX|2|NM|8480-6^Systolic blood pressure^LN||128|mmHg|||||F\r"
                         "OBX|3|NM|8310-5^Body temperature^LN||98.6|F^Fahrenheit|||||F\r"
                         "OBX|4|NM|2345-7^Glucose^LN||99|MG/DL^^ISO+|||||F\r"
                         "OBX|5|NM|9279-1^Respiratory rate^LN||16|bpm^breaths per minute^UCUM|||||F\r"
                         "OBX|6|NM|8462-4^Diastolic blood pressure^LN||82|MMHG_L^mmHg^99LOCAL|||||F\r"
                         "OBX|7|NM|8867-4^Heart rate^LN||62|{beats}/min^beats per minute^UCUM|||||F\r");
  const auto& rate = (*observation_coded(m, "8867-4"))["valueQuantity"];
  CHECK(text(rate, "system") == "http://unitsofmeasure.org");
  CHECK(text(rate, "code") == "/min");
  CHECK(text(rate, "unit") == "beats/min");
  CHECK(text((*observation_coded(m, "8480-6"))["valueQuantity"], "code") == "mm[Hg]");
  CHECK(text((*observation_coded(m, "8310-5"))["valueQuantity"], "code") == "[degF]");
  // Claimed as UCUM, which has no "bpm": the profile's code too.
  CHECK(text((*observation_coded(m, "9279-1"))["valueQuantity"], "code") == "/min");
  // A local code whose words are a listed spelling; UCUM's {annotations}, which the profiles' codes have not.
  CHECK(text((*observation_coded(m, "8462-4"))["valueQuantity"], "code") == "mm[Hg]");
  int rates = 0;
  for (const auto* entry : m.of("Observation")) {
    const auto& o = (*entry)["resource"];
    if (o.HasMember("valueQuantity") && first_code(o["code"]) == "8867-4") rates += text(o["valueQuantity"], "code") == "/min";
  }
  CHECK(rates == 2);
  // Not a vital sign: a lab's units stay as the lab sent them.
  CHECK(text((*observation_coded(m, "2345-7"))["valueQuantity"], "code") == "MG/DL");
}

TEST_CASE("A weight in ounces and a height in feet or millimeters are converted exactly into units their profiles take",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ADT^A08^ADT_A01|VU2|P|2.5.1\rEVN|A08|20250123\r" + kPid + "PV1|1|I\r"
                         "OBX|1|NM|29463-7^Body weight^LN||112.00|oz^ounce^UCUM|96-160||||F\r"
                         "OBX|2|NM|8302-2^Body height^LN||5.5|ft|||||F\r"
                         "OBX|3|NM|8287-5^Head circumference^LN||355|mm^millimeter^UCUM|||||F\r"
                         "OBX|4|NM|8480-6^Systolic blood pressure^LN||120|mm^millimeter^UCUM|||||F\r");
  const auto& weighed = *observation_coded(m, "29463-7");
  const auto& weight = weighed["valueQuantity"];
  CHECK(weight["value"].GetDouble() == 7);
  CHECK(text(weight, "code") == "[lb_av]");
  CHECK(text(weight, "unit") == "lb");
  CHECK(m.conversion.mapped.bundle_json().find("\"value\":7.00") != std::string::npos);  // 112.00 oz: as many decimals
  CHECK(weighed["referenceRange"][0]["low"]["value"].GetDouble() == 6);  // the range in the value's unit too
  CHECK(text(weighed["referenceRange"][0]["high"], "code") == "[lb_av]");
  // Millimeters of a blood pressure are no height: not converted (and not the profile's mm[Hg]).
  CHECK((*observation_coded(m, "8480-6"))["valueQuantity"]["value"].GetDouble() == 120);
  const auto& height = (*observation_coded(m, "8302-2"))["valueQuantity"];
  CHECK(height["value"].GetDouble() == 66);
  CHECK(text(height, "code") == "[in_i]");
  const auto& head = (*observation_coded(m, "8287-5"))["valueQuantity"];
  CHECK(head["value"].GetDouble() == 35.5);
  CHECK(text(head, "code") == "cm");
  for (const auto& i : m.conversion.issues)  // the weight's and height's unit bindings hold, not even as warnings
    if (i.issue.expression.find("entry[") != std::string::npos && i.issue.message.find("value set") != std::string::npos)
      CHECK(i.issue.message.find("mm[Hg]") != std::string::npos);
}

TEST_CASE("A vital sign sent under a variant LOINC (SpO2 by pulse oximetry, oral temperature) also carries its profile's code",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|VC1|P|2.5.1\r" + kPid +
                         "OBR|1||F6^MON|85353-1^Vital signs^LN|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|NM|59408-5^SpO2 by pulse oximetry^LN||97|%^^UCUM|||||F\r"
                         "OBX|2|NM|8331-1^Oral temperature^LN||37.0|Cel^^UCUM|||||F\r"
                         "OBX|3|NM|3141-9^Body weight Measured^LN||72.5|kg^^UCUM|||||F\r");
  auto codes = [&](const std::string& sent) {
    std::vector<std::string> out;
    for (const auto& c : (*observation_coded(m, sent))["code"]["coding"].GetArray()) out.push_back(c["code"].GetString());
    return out;
  };
  CHECK(codes("59408-5") == std::vector<std::string>{"59408-5", "2708-6"});
  CHECK(codes("8331-1") == std::vector<std::string>{"8331-1", "8310-5"});
  CHECK(codes("3141-9") == std::vector<std::string>{"3141-9", "29463-7"});
  CHECK(first_code((*observation_coded(m, "8331-1"))["category"][0]) == "vital-signs");
}

// The IG's OBR-7 and OBR-8: a specimen collected over a time (a 24-hour urine) makes a
// report whose effective time is that period; and the placer's number (OBR-2) names the
// report beside the filler's, with or without an ORC.
TEST_CASE("OBR-8: a collection over a time is the report's effective period, and OBR-2 its placer identifier",
          "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|P24|P|2.5.1\r" + kPid +
                         "OBR|1|PLC-24^EHR|FIL-24^LAB|2164-2^Creatinine renal clearance 24h^LN|||20250122070000-0800"
                         "|20250123070000-0800|||||||||||||||||F\r"
                         "OBX|1|NM|2164-2^Creatinine renal clearance 24h^LN||98|mL/min^mL/min^UCUM|||||F\r");
  const auto& report = m.resource("DiagnosticReport");
  REQUIRE(report.HasMember("effectivePeriod"));
  CHECK(text(report["effectivePeriod"], "start") == "2025-01-22T07:00:00-08:00");
  CHECK(text(report["effectivePeriod"], "end") == "2025-01-23T07:00:00-08:00");
  CHECK_FALSE(report.HasMember("effectiveDateTime"));
  REQUIRE(report["identifier"].Size() == 2);
  CHECK(text(report["identifier"][0], "value") == "FIL-24");
  CHECK(text(report["identifier"][1], "value") == "PLC-24");
  CHECK(m.conversion.accepted());
}

TEST_CASE("a vital sign sent with no value says why not, as the vital-signs profiles ask", "[mappings][hl7v2]") {
  Mapped m = map_message(kMsh + "ORU^R01|VS1|P|2.5.1\r" + kPid +
                         "OBR|1||F4^MON|85353-1^Vital signs^LN|||20250123080000-0800||||||||||||||||||F\r"
                         "OBX|1|NM|8867-4^Heart rate^LN||\"\"|/min^^UCUM|||||D\r");
  REQUIRE(m.conversion.accepted());
  const auto* pulse = observation_coded(m, "8867-4");
  REQUIRE(pulse);
  CHECK_FALSE(pulse->HasMember("valueQuantity"));
  CHECK(text((*pulse)["dataAbsentReason"]["coding"][0], "code") == "unknown");
}

TEST_CASE("ORU^R01: a status or value type no HL7 table lists is said where it is, not changed silently", "[mappings][hl7v2]") {
  // OBX-11 Q is no result status (table 0085) and OBX-2 XX no value type (table 0125): the
  // Observation is written (status unknown, the value as text), with a warning at each field.
  std::string message =
      "MSH|^~\\&|LIS|NORTH LAB|CAREBRIDGE|CB|20261128101500-0500||ORU^R01^ORU_R01|L31|P|2.5.1\r"
      "PID|1||MR4413^^^NORTH&2.16.840.1.113883.3.2001&ISO^MR||MENSAH^AMA||19880808|F\r"
      "OBR|1||F31^LIS|2345-7^Glucose^LN|||20261128080000-0500||||||||||||||||||F\r"
      "OBX|1|XX|2345-7^Glucose^LN||95||||||Q\r";
  Mapped m = map_message(message);
  const auto& obs = m.resource("Observation");
  CHECK(std::string(obs["status"].GetString()) == "unknown");
  CHECK(std::string(obs["valueString"].GetString()) == "95");
  std::string said;
  for (const auto& i : m.conversion.issues) said += i.location + " " + i.issue.message + "\n";
  INFO(said);
  CHECK(said.find("OBX[1]-11[1] the code 'Q' is not in table observation-status: taken as 'unknown'") != std::string::npos);
  CHECK(said.find("OBX-2 'XX' is not a value type") != std::string::npos);
}
