// Acknowledgements: MSA echoes the control id, ERR-2 points at segment, field,
// repetition, component and sub-component, ERR-8 says what in plain words; enhanced mode
// follows what MSH-15 and MSH-16 ask for.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/ack.h"

using namespace carebridge::mappings::hl7v2;

TEST_CASE("ERR-2 locations are read from positions", "[mappings][hl7v2]") {
  CHECK(error_location("OBX[2]-5[1].3") == "OBX^2^5^1^3");
  CHECK(error_location("PID[1]-3[2].4.1") == "PID^1^3^2^4^1");
  CHECK(error_location("MSH[1]-9") == "MSH^1^9^1");
  CHECK(error_location("MSH") == "MSH^1");
}

TEST_CASE("an ACK answers the message it acknowledges", "[mappings][hl7v2]") {
  auto m = parse_er7("MSH|^~\\&|LAB|NORTH|CB|HUB|20260101||ORU^R01^ORU_R01|CTRL-77|P|2.5.1\rPID|1||7\r");
  REQUIRE(m.ok());
  std::string ack = make_ack(&*m, {}, "AE", "the Bundle is not valid",
                             {{"OBX[1]-5[1]", "'abc' is not a number", 'E', "102"}}, "ACK-1");
  auto parsed = parse_er7(ack);
  REQUIRE(parsed.ok());
  const Segment* msh = parsed->segment("MSH");
  CHECK(parsed->value(*msh, 3) == "CB");   // the receiver answers as the sender's receiver
  CHECK(parsed->value(*msh, 5) == "LAB");
  CHECK(parsed->message_code() == "ACK");
  CHECK(parsed->trigger_event() == "R01");
  CHECK(parsed->control_id() == "ACK-1");
  const Segment* msa = parsed->segment("MSA");
  CHECK(parsed->value(*msa, 1) == "AE");
  CHECK(parsed->value(*msa, 2) == "CTRL-77");
  const Segment* err = parsed->segment("ERR");
  REQUIRE(err);
  CHECK(parsed->value(*err, 2, 1, 1) == "OBX");
  CHECK(parsed->value(*err, 2, 1, 3) == "5");
  CHECK(parsed->value(*err, 3) == "102");
  CHECK(parsed->value(*err, 4) == "E");
  CHECK(parsed->value(*err, 8) == "'abc' is not a number");
}

TEST_CASE("text that is not a message still gets an AR", "[mappings][hl7v2]") {
  std::string ack = make_ack(nullptr, "garbage|with^delims", "AR", "not HL7 v2", {{"", "a message starts with MSH", 'E', "100"}}, "A2");
  auto parsed = parse_er7(ack);
  REQUIRE(parsed.ok());
  CHECK(parsed->value(*parsed->segment("MSA"), 1) == "AR");
}

TEST_CASE("enhanced mode sends what MSH-15 and MSH-16 ask for", "[mappings][hl7v2]") {
  auto original = parse_er7("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|1|P|2.5.1\r");
  auto enhanced = parse_er7("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|1|P|2.5.1|||AL|ER\r");
  REQUIRE(original.ok());
  REQUIRE(enhanced.ok());
  CHECK_FALSE(ack_request(*original).enhanced);
  AckRequest asked = ack_request(*enhanced);
  CHECK(asked.enhanced);
  CHECK(AckRequest::wanted(asked.accept, true));
  CHECK_FALSE(AckRequest::wanted(asked.application, true));
  CHECK(AckRequest::wanted(asked.application, false));
  CHECK_FALSE(AckRequest::wanted("NE", false));
  CHECK(AckRequest::wanted("SU", true));
}
