// Message structures: the abstract syntax is read as the standard writes it, and a
// message's segments land in the group instances the structure gives them.
#include <catch2/catch.hpp>

#include "mappings/hl7v2/structure.h"

using namespace carebridge::mappings::hl7v2;

namespace {

Message parsed(const std::string& text) {
  auto m = parse_er7(text);
  REQUIRE(m.ok());
  return std::move(m).value();
}

const char* kOru = "ORU_R01";
const char* kOruSyntax =
    "MSH [{SFT}] {[PID [PD1] [{NTE}] [PV1 [PV2]]] {[ORC] OBR [{NTE}] [{OBX [{NTE}]}] [{SPM [{OBX}]}]}} [DSC]";

}  // namespace

TEST_CASE("the abstract message syntax is read with its groups, options and repetitions", "[mappings][hl7v2]") {
  auto s = parse_structure(kOruSyntax);
  REQUIRE(s.ok());
  REQUIRE(s->items.size() == 4);
  CHECK(s->items[0].segment == "MSH");
  CHECK(s->items[1].segment == "SFT");
  CHECK(s->items[1].optional);
  CHECK(s->items[1].repeating);
  const StructureItem& patient_result = s->items[2];
  CHECK(patient_result.segment.empty());
  CHECK(patient_result.repeating);
  CHECK_FALSE(patient_result.optional);
  // A PATIENT_RESULT may begin with PID, or with ORC or OBR when the patient group is absent.
  CHECK(patient_result.first == std::vector<std::string>{"PID", "ORC", "OBR"});

  CHECK_FALSE(parse_structure("MSH [PID").ok());
  CHECK_FALSE(parse_structure("MSH PIDX").ok());
  auto bad = parse_structure("MSH | PID");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.message().find("unexpected '|'") != std::string::npos);
}

TEST_CASE("each order's results are grouped with their own order", "[mappings][hl7v2]") {
  auto structure = parse_structure(kOruSyntax);
  REQUIRE(structure.ok());
  Message m = parsed(std::string("MSH|^~\\&|LAB|X|CB|Y|20260101||ORU^R01^") + kOru + "|1|P|2.5.1\r"
                     "PID|1||42\r"
                     "OBR|1||F1|A^A\r"
                     "OBX|1|NM|X^X||1\r"
                     "NTE|1||note on OBX 1\r"
                     "OBX|2|NM|Y^Y||2\r"
                     "ORC|RE\r"
                     "OBR|2||F2|B^B\r"
                     "OBX|1|NM|Z^Z||3\r"
                     "ZXT|sender's own\r");
  Grouping g = group_segments(m, *structure);
  const auto& seg = g.segment_group;
  // MSH at the message; PID in the patient group; each OBR in its own order group.
  CHECK(seg[0] == 0);
  size_t pid = seg[1], obr1 = seg[2], obx1 = seg[3], nte = seg[4], obx2 = seg[5], orc = seg[6], obr2 = seg[7], obx3 = seg[8];
  CHECK(obr1 != obr2);
  CHECK(orc == obr2);
  CHECK(g.within(obx1, obr1));
  CHECK(nte == obx1);
  CHECK(g.within(obx2, obr1));
  CHECK(obx2 != obx1);
  CHECK(g.within(obx3, obr2));
  CHECK_FALSE(g.within(obx3, obr1));
  CHECK_FALSE(g.within(obr1, pid));
  // The Z-segment has no place in the structure: it stays where it appeared.
  CHECK_FALSE(g.expected[9]);
  CHECK(seg[9] == obx3);
}

TEST_CASE("a message with no groups puts every segment at the top", "[mappings][hl7v2]") {
  auto structure = parse_structure("MSH EVN PID [PD1] MRG");
  REQUIRE(structure.ok());
  Message m = parsed("MSH|^~\\&|A|B|C|D|20260101||ADT^A47|1|P|2.5\rEVN|A47\rPID|1||7\rMRG|6\r");
  Grouping g = group_segments(m, *structure);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(g.segment_group[i] == 0);
    CHECK(g.expected[i]);
  }
}
