// ER7 as interface engines send it: delimiters from MSH, CR/LF/CRLF segment ends,
// repetitions, components, sub-components, escapes, character sets, Z-segments, and
// errors that say where.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "mappings/hl7v2/er7.h"

using namespace carebridge::mappings::hl7v2;

namespace {

const char* kAdt =
    "MSH|^~\\&|EPIC|MERCY^1.2.3^ISO|CAREBRIDGE|COUNTY|20261128083000-0500||ADT^A01^ADT_A01|MSG00042|P|2.5.1||||||UNICODE UTF-8\r"
    "EVN|A01|20261128083000\r"
    "PID|1||4711^^^MERCY&1.2.3&ISO^MR~555-44-3333^^^SSA^SS||Ni\\S\\ez^José^M||19800517|F|||12 Elm St\\.br\\Apt 3^^Springfield^IL^62701\r"
    "NK1|1|Ni\\S\\ez^Ana|MTH\r"
    "NK1|2|Ni\\S\\ez^Luis|FTH\r"
    "ZPI|1|shelter bed \\F\\ 14\r";

Message parsed(const std::string& text) {
  auto m = parse_er7(text);
  INFO((m.ok() ? std::string() : m.issues().front().message));
  REQUIRE(m.ok());
  return std::move(m).value();
}

}  // namespace

TEST_CASE("fields, repetitions, components and sub-components by position", "[mappings][hl7v2]") {
  auto m = parsed(kAdt);
  CHECK(m.message_code() == "ADT");
  CHECK(m.trigger_event() == "A01");
  CHECK(m.structure() == "ADT_A01");
  CHECK(m.control_id() == "MSG00042");
  CHECK(m.version() == "2.5.1");
  const Segment* pid = m.segment("PID");
  REQUIRE(pid);
  CHECK(m.value(*pid, 3) == "4711");
  CHECK(m.value(*pid, 3, 1, 4, 1) == "MERCY");
  CHECK(m.value(*pid, 3, 1, 4, 2) == "1.2.3");
  CHECK(m.repetitions(*pid, 3) == 2);
  CHECK(m.value(*pid, 3, 2, 5) == "SS");
  CHECK(m.value(*pid, 5) == "Ni^ez");  // an escaped component separator is text
  CHECK(m.value(*pid, 5, 1, 2) == "José");
  CHECK(m.value(*pid, 11) == "12 Elm St\nApt 3");
  CHECK(m.value(*pid, 11, 1, 5) == "62701");
  CHECK(m.value(*pid, 30).empty());  // beyond the last field: absent
  const Segment* second = m.segment("NK1", 2);
  REQUIRE(second);
  CHECK(m.value(*second, 2, 1, 2) == "Luis");
  CHECK(m.value(*m.segment("ZPI"), 2) == "shelter bed | 14");  // Z-segments are kept
  CHECK(Position{"PID", 1, 3, 2, 4, 1}.to_string() == "PID[1]-3[2].4.1");
  CHECK(Position{"OBX", 2, 5, 0, 0, 0}.to_string() == "OBX[2]-5");
}

TEST_CASE("delimiters come from MSH, whatever they are", "[mappings][hl7v2]") {
  auto m = parsed("MSH*:#!$*LAB*X*Y*Z*20260101**ORU:R01*1*P*2.3\nPID*1**99:::H$1**Doe:Jane\n");
  CHECK(m.delimiters().field == '*');
  CHECK(m.delimiters().component == ':');
  CHECK(m.delimiters().repetition == '#');
  CHECK(m.delimiters().escape == '!');
  CHECK(m.delimiters().subcomponent == '$');
  CHECK(m.message_code() == "ORU");
  CHECK(m.value(*m.segment("PID"), 3, 1, 4, 2) == "1");
  CHECK(m.value(*m.segment("PID"), 5, 1, 2) == "Jane");
}

TEST_CASE("CR, LF and CRLF end segments alike", "[mappings][hl7v2]") {
  for (const char* end : {"\r", "\n", "\r\n"}) {
    std::string text = std::string("MSH|^~\\&|A|B|C|D|20260101||ADT^A08|7|P|2.4") + end + "PID|1||42" + end + "PV1|1|I" + end;
    auto m = parsed(text);
    CHECK(m.segments().size() == 3);
    CHECK(m.value(*m.segment("PID"), 3) == "42");
  }
}

TEST_CASE("escapes: hexadecimal, the escape character, unknown ones kept", "[mappings][hl7v2]") {
  auto m = parsed("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|7|P|2.5\rNTE|1||a\\E\\b \\X41\\ \\T\\ \\R\\ \\H\\bold\\N\\ \\Cxxyy\\z\r");
  CHECK(m.value(*m.segment("NTE"), 3) == "a\\b A & ~ bold \\Cxxyy\\z");
  // A hexadecimal escape that is none is kept as written, not dropped unseen.
  auto odd = parsed("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|8|P|2.5\rNTE|1||odd \\XZZ\\ hex\r");
  CHECK(odd.value(*odd.segment("NTE"), 3) == "odd \\XZZ\\ hex");
}

TEST_CASE("8859/1 text becomes UTF-8", "[mappings][hl7v2]") {
  std::string text = "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|7|P|2.3||||||8859/1\rPID|1||1||Mu\xF1oz^Jos\xE9\r";
  auto m = parsed(text);
  CHECK(m.value(*m.segment("PID"), 5) == "Muñoz");
  CHECK(m.value(*m.segment("PID"), 5, 1, 2) == "José");
}

TEST_CASE("MSH-18: every name table 0211 has for UTF-8 is UTF-8", "[mappings][hl7v2]") {
  for (std::string charset : {"UNICODE UTF-8", "UNICODE", "UTF-8", "ISO IR192", "unicode utf-8"}) {
    INFO(charset);
    auto m = parsed("MSH|^~\\&|A|B|C|D|20260101||ADT^A08|7|P|2.5.1||||||" + charset + "\rPID|1||1||M\xC3\xBCller^J\r");
    CHECK(m.value(*m.segment("PID"), 5) == "M\xC3\xBCller");
    CHECK(m.notes().empty());
  }
}

TEST_CASE("MSH-18 8859/15 (Latin-9): the euro sign, Š, Œ and Ÿ where Latin-1 has ¤, ¦, ¼ and ¾", "[mappings][hl7v2]") {
  auto m = parsed("MSH|^~\\&|A|B|C|D|20260101||ADT^A08|7|P|2.5.1||||||8859/15\rPID|1||1||\xA6imon^\xBCuvre \xA4 \xBE\r");
  CHECK(m.value(*m.segment("PID"), 5) == "Šimon");
  CHECK(m.value(*m.segment("PID"), 5, 1, 2) == "Œuvre € Ÿ");
}

TEST_CASE("no MSH-18 and bytes that are not UTF-8: read as Windows-1252, with a note at MSH-18", "[mappings][hl7v2]") {
  auto m = parsed("MSH|^~\\&|A|B|C|D|20260101||ADT^A08|7|P|2.5.1\rPID|1||1||O\x92\x42RIEN^Jos\xE9\r");
  CHECK(m.value(*m.segment("PID"), 5) == "O\u2019BRIEN");
  CHECK(m.value(*m.segment("PID"), 5, 1, 2) == "José");
  REQUIRE(m.notes().size() == 1);
  CHECK(m.notes()[0].message.starts_with("MSH[1]-18: "));
  CHECK(m.notes()[0].message.find("Windows-1252") != std::string::npos);
  CHECK(parsed("MSH|^~\\&|A|B|C|D|20260101||ADT^A08|7|P|2.5.1\rPID|1||1||Jos\xC3\xA9\r").notes().empty());
}

TEST_CASE("formatted text: \\.sp\\ ends the line and skips lines, as \\.br\\ ends one", "[mappings][hl7v2]") {
  auto m = parsed("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|7|P|2.5\rOBX|1|FT|X||one\\.sp\\two\\.sp 2\\three\\.br\\four\r");
  CHECK(m.value(*m.segment("OBX"), 5) == "one\ntwo\n\nthree\nfour");
}

TEST_CASE("formatted text: indents are no text, \\.sk\\ skips spaces", "[mappings][hl7v2]") {
  auto m = parsed("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|7|P|2.5\r"
                  "OBX|1|FT|X||\\.in+4\\Benign\\.br\\\\.ti-2\\Note:\\.sk 3\\end\\.in 0\\\r");
  CHECK(m.value(*m.segment("OBX"), 5) == "Benign\nNote:   end");
}

TEST_CASE("what is not ER7 is refused, saying where", "[mappings][hl7v2]") {
  auto message_of = [](const std::string& text) {
    auto m = parse_er7(text);
    return m.ok() ? std::string() : m.issues().front().message;
  };
  CHECK(message_of("PID|1||42\r").find("MSH") != std::string::npos);
  CHECK(message_of("MSH|^~|A|B\r").find("MSH-2") == 0);
  CHECK(message_of("MSH|^^\\&|A|B\r").find("distinct") != std::string::npos);
  CHECK(message_of("MSH|^~\\&|A|B|C|D|1||ADT^A01|7|P|2.5\rpid|1\r").find("segment 2") == 0);
  CHECK(message_of("MSH|^~\\&|A|B|C|D|1||ADT^A01|7|P|2.5||||||EBCDIC\r").find("MSH-18") == 0);
  CHECK(message_of("MSH|^~\\&|A|B|C|D|1||ADT^A01|7|P|2.5\rMSH|^~\\&|A\r").find("second MSH") != std::string::npos);
  ParseLimits small;
  small.max_segments = 2;
  auto many = parse_er7("MSH|^~\\&|A|B|C|D|1||ADT^A01|7|P|2.5\rPID|1\rPV1|1\r", small);
  REQUIRE(!many.ok());
  CHECK(many.issues().front().message.find("more than 2 segments") != std::string::npos);
}

TEST_CASE("every sample message of the corpus parses", "[mappings][hl7v2][corpus]") {
  namespace fs = std::filesystem;
  fs::path folder = fs::path(CAREBRIDGE_CORPUS) / "hl7v2";
  if (!fs::exists(folder)) {
    WARN("corpus not present; skipping");
    return;
  }
  size_t messages = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.path().extension() != ".hl7") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto m = parse_er7(text);
    INFO(entry.path().string() << ": " << (m.ok() ? "" : m.issues().front().message));
    CHECK(m.ok());
    if (m.ok()) CHECK(!m->message_code().empty());
    ++messages;
  }
  CHECK(messages > 0);
}

TEST_CASE("er7: a message short enough for a string's inline buffer still reads after being moved", "[hl7v2]") {
  auto parsed = parse_er7("MSH|^~\\&|A|B");  // 12 bytes
  REQUIRE(parsed.ok());
  Message moved = std::move(parsed).value();
  Message again = std::move(moved);
  REQUIRE(!again.segments().empty());
  CHECK(again.value(again.segments().front(), 3) == "A");
  CHECK(again.value(again.segments().front(), 4) == "B");
}
