// FHIR back to v2: an ORU taken to FHIR and back keeps its patient identifiers, codes,
// values, units, reference ranges, flags, statuses and times; a Patient becomes ADT^A08,
// MedicationRequests RDE^O11, ServiceRequests ORM^O01.
#include <catch2/catch.hpp>

#include "fhir/validation/validator.h"
#include "mappings/hl7v2/conversion.h"
#include "mappings/hl7v2/to_v2.h"
#include "support/test_support.h"

using namespace carebridge::mappings::hl7v2;
using carebridge::testing::core;
using carebridge::testing::read_text;
using carebridge::testing::project_sample;

namespace {

Conversion to_fhir(const std::string& name) {
  static auto spec = MapSpec::load_default();
  REQUIRE(spec.ok());
  static Converter converter(core(), nullptr, *spec);
  Conversion c = converter.convert(read_text(project_sample("hl7v2/" + name)));
  REQUIRE(c.accepted());
  REQUIRE(c.bundle);
  return c;
}

Message back(const Conversion& c, const std::string& type) {
  auto messages = to_v2(*c.bundle->root());
  REQUIRE(messages.ok());
  for (const std::string& text : *messages) {
    auto m = parse_er7(text);
    INFO(text << "\n" << m.message());
    REQUIRE(m.ok());
    if (m->message_code() + "^" + m->trigger_event() == type) return std::move(m).value();
  }
  FAIL("no " << type);
  return parse_er7("MSH|^~\\&|\r").value();
}

}  // namespace

TEST_CASE("an ORU^R01 taken to FHIR and back keeps what the results say", "[mappings][hl7v2]") {
  auto original = parse_er7(read_text(project_sample("hl7v2/oru_r01.hl7")));
  REQUIRE(original.ok());
  Conversion c = to_fhir("oru_r01.hl7");
  auto texts = to_v2(*c.bundle->root());
  REQUIRE(texts.ok());
  REQUIRE(texts->size() == 2);  // one ORU^R01 per report
  std::vector<Message> round;
  for (const std::string& t : *texts) {
    auto m = parse_er7(t);
    REQUIRE(m.ok());
    CHECK(m->structure() == "ORU_R01");
    round.push_back(std::move(m).value());
  }
  const Segment* pid = round[0].segment("PID");
  REQUIRE(pid);
  CHECK(round[0].value(*pid, 3) == "RV100200");
  CHECK(round[0].value(*pid, 3, 1, 4, 1) == "RIVERSIDE");
  CHECK(round[0].value(*pid, 3, 1, 4, 2) == "2.16.840.1.113883.3.1001");
  CHECK(round[0].value(*pid, 5) == "ALVAREZ");
  CHECK(round[0].value(*pid, 7) == "19781102");
  CHECK(round[0].value(*pid, 8) == "F");
  // The results in order: three in the first report, two in the second.
  std::vector<std::pair<const Message*, const Segment*>> results;
  for (const Message& m : round)
    for (const Segment& s : m.segments())
      if (s.name == "OBX") results.emplace_back(&m, &s);
  REQUIRE(results.size() == 5);
  for (size_t n = 1; n <= 5; ++n) {
    const Segment* a = original->segment("OBX", n);
    const auto& [m, b] = results[n - 1];
    REQUIRE(a);
    INFO("OBX " << n);
    CHECK(m->value(*b, 3) == original->value(*a, 3));              // the code
    CHECK(m->value(*b, 3, 1, 3) == original->value(*a, 3, 1, 3));  // its system (LN)
    CHECK(m->value(*b, 5) + m->value(*b, 5, 1, 2) == original->value(*a, 5) + original->value(*a, 5, 1, 2));
    CHECK(m->value(*b, 6) == original->value(*a, 6));    // units
    CHECK(m->value(*b, 7) == original->value(*a, 7));    // reference range
    CHECK(m->value(*b, 8) == original->value(*a, 8));    // flags
    CHECK(m->value(*b, 11) == original->value(*a, 11));  // status
    if (!original->value(*a, 14).empty()) CHECK(m->value(*b, 14) == original->value(*a, 14));  // when
  }
  for (size_t r = 0; r < 2; ++r) {
    const Segment* a = original->segment("OBR", r + 1);
    const Segment* b = round[r].segment("OBR");
    REQUIRE(b);
    CHECK(round[r].value(*b, 2) == original->value(*a, 2));  // placer order number (from the order)
    CHECK(round[r].value(*b, 3) == original->value(*a, 3));  // filler order number
    CHECK(round[r].value(*b, 4) == original->value(*a, 4));
    CHECK(round[r].value(*b, 7) == original->value(*a, 7));
    CHECK(round[r].value(*b, 25) == original->value(*a, 25));
  }
}

TEST_CASE("a Patient becomes ADT^A08, medication orders RDE^O11, service orders ORM^O01", "[mappings][hl7v2]") {
  auto patient_only = carebridge::testing::parse(R"({"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:oid:1.2.3","value":"X9"}],"name":[{"family":"O'Neil","given":["Ann"]}],"gender":"female","birthDate":"1990-01-31"})");
  REQUIRE(patient_only.document);
  auto adt = to_v2(*patient_only.document->root());
  REQUIRE(adt.ok());
  REQUIRE(adt->size() == 1);
  auto m = parse_er7(adt->front());
  REQUIRE(m.ok());
  CHECK(m->message_code() == "ADT");
  CHECK(m->trigger_event() == "A08");
  CHECK(m->value(*m->segment("PID"), 5) == "O'Neil");
  CHECK(m->value(*m->segment("PID"), 7) == "19900131");

  Message rde = back(to_fhir("rde_o11.hl7"), "RDE^O11");
  REQUIRE(rde.segment("RXE", 2));
  CHECK(rde.value(*rde.segment("RXE"), 2) == "197454");
  CHECK(rde.value(*rde.segment("RXE"), 3) == "500");
  CHECK(rde.value(*rde.segment("RXR"), 1) == "PO");
  CHECK(rde.value(*rde.segment("ORC"), 2) == "RX4471");

  Message orm = back(to_fhir("orm_o01_cancel.hl7"), "ORM^O01");
  CHECK(orm.value(*orm.segment("ORC"), 1) == "CA");
  CHECK(orm.value(*orm.segment("OBR"), 4) == "71046");
}

TEST_CASE("values with delimiters are escaped on the way out", "[mappings][hl7v2]") {
  auto parsed = carebridge::testing::parse(
      R"({"resourceType":"Observation","status":"final","code":{"text":"note"},"valueString":"a|b^c&d~e\\f"})");
  REQUIRE(parsed.document);
  auto out = to_v2(*parsed.document->root());
  REQUIRE(out.ok());
  auto m = parse_er7(out->front());
  REQUIRE(m.ok());
  CHECK(m->value(*m->segment("OBX"), 5) == "a|b^c&d~e\\f");
}
