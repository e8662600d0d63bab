// Where notes go and what a message may leave out: an NTE belongs to the record of the
// segment before it, and one with no record to go to is said, never silently dropped; a
// result without a patient or an order (the IG's ORU_R01: the patient group is optional,
// the ServiceRequest made "IF ORC VALUED"); and error text fit to print.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/mapped_bundle.h"

using namespace carebridge::mappings::hl7v2;
using namespace carebridge::mappings::hl7v2::testing;

namespace {

const std::string kMsh = "MSH|^~\\&|LAB|F|EHR|F|20250101120000-0500||";

}  // namespace

TEST_CASE("an error quoting a binary file's bytes escapes them", "[mappings][hl7v2][bad-input]") {
  Conversion c = converter().convert(std::string("MSH|^~\\&|A|B|C|D|20250101||ADT^A08^ADT_A01|1|P|2.5.1\r9\x0c\x8c}rG\x01|x\r"));
  std::string error = c.first_error();
  CHECK(error.find("\\x0C\\x8C") != std::string::npos);
  for (char ch : error) CHECK(static_cast<unsigned char>(ch) >= 0x20);
}
