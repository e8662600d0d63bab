// What the XML reader reads past but validation refuses, as the reference validator's
// XML parser does: xsi attributes no FHIR element defines, processing instructions, and
// a header that is not plain UTF-8. Conversion still reads such files.
#include <catch2/catch.hpp>

#include "validation_helpers.h"

using namespace carebridge::testing;
using carebridge::fhir::model::Severity;

namespace {

const std::string kPatientBody =
    R"(<id value="p"/><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">x</div></text>)";

std::string patient_xml(const std::string& attributes = "", const std::string& extra = "") {
  return R"(<Patient xmlns="http://hl7.org/fhir")" + attributes + ">" + kPatientBody + extra + "</Patient>";
}

const std::string kXsi = R"( xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance")";

}  // namespace

TEST_CASE("XML: a plain resource has no error", "[validation][xml]") {
  auto issues = validate_text(R"(<?xml version="1.0" encoding="UTF-8"?>)" "\n" + patient_xml(kXsi));
  INFO(describe(issues));
  CHECK(count_errors(issues) == 0);
  auto lower = validate_text(R"(<?xml version='1.0' encoding='utf-8'?>)" + patient_xml());
  INFO(describe(lower));
  CHECK(count_errors(lower) == 0);
  auto bom = validate_text("\xEF\xBB\xBF" + patient_xml());
  INFO(describe(bom));
  CHECK(count_errors(bom) == 0);
}

TEST_CASE("XML: xsi:schemaLocation and xsi:type are undefined attributes", "[validation][xml]") {
  std::string located = patient_xml(kXsi + R"( xsi:schemaLocation="http://hl7.org/fhir ../patient.xsd")");
  auto issues = validate_text(located);
  INFO(describe(issues));
  CHECK(has_issue(issues, Severity::Error, "structure", "Patient", "Undefined attribute '@xsi:schemaLocation' on <Patient>"));
  // Conversion reads it as before.
  CHECK_FALSE(parse(located).has_errors());

  auto typed = validate_text(patient_xml(kXsi, R"(<active xsi:type="boolean" value="true"/>)"));
  INFO(describe(typed));
  CHECK(has_issue(typed, Severity::Error, "structure", "Patient.active", "Undefined attribute '@xsi:type' on <active>"));

  auto nested = validate_text(
      R"(<Bundle xmlns="http://hl7.org/fhir")" + kXsi +
      R"(><type value="collection"/><entry><fullUrl value="http://x.org/fhir/Patient/p"/><resource><Patient xsi:schemaLocation="http://hl7.org/fhir patient.xsd">)" +
      kPatientBody + "</Patient></resource></entry></Bundle>");
  INFO(describe(nested));
  CHECK(has_issue(nested, Severity::Error, "structure", "Bundle.entry[0].resource", "@xsi:schemaLocation"));
}

TEST_CASE("XML: processing instructions are errors wherever they are", "[validation][xml]") {
  const std::string words = "No processing instructions allowed in resources";
  std::string styled = R"(<?xml version="1.0"?>)" "\n" R"(<?xml-stylesheet type="text/xsl" href="x.xsl"?>)" "\n" + patient_xml();
  auto before = validate_text(styled);
  INFO(describe(before));
  CHECK(has_issue(before, Severity::Error, "structure", "", words));
  CHECK_FALSE(parse(styled).has_errors());  // conversion still reads it

  auto after = validate_text(patient_xml() + "\n<?foo bar?>");
  INFO(describe(after));
  CHECK(has_issue(after, Severity::Error, "structure", "", words));

  auto inside = validate_text(patient_xml("", R"(<name><?foo bar?><family value="x"/></name>)"));
  INFO(describe(inside));
  CHECK(has_issue(inside, Severity::Error, "structure", "", words));
  CHECK(count_errors(inside) == 1);
}

TEST_CASE("XML: the header is UTF-8 and nothing comes before the first '<'", "[validation][xml]") {
  auto latin1 = validate_text(R"(<?xml version="1.0" encoding="ISO-8859-1"?>)" "\n" + patient_xml());
  INFO(describe(latin1));
  CHECK(has_issue(latin1, Severity::Error, "invalid", "", "encoding 'ISO-8859-1'"));

  auto newline = validate_text("\n" + patient_xml());
  INFO(describe(newline));
  CHECK(has_issue(newline, Severity::Error, "invalid", "", "must start with '<'"));
  CHECK_FALSE(parse("\n" + patient_xml()).has_errors());
}
