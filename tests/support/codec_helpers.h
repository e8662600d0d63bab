// Small helpers for the codec tests: convert text between the formats with the core definitions.
#pragma once

#include <string>

#include "fhir/io/format.h"
#include "support/test_support.h"

namespace carebridge::testing {

struct Converted {
  bool ok = false;
  std::string text;
  std::string error;  // first parse or write error
};

inline Converted convert(const std::string& input, fhir::io::Format to) {
  Converted c;
  auto parsed = parse(input);
  if (parsed.has_errors()) {
    c.error = parsed.first_error();
    return c;
  }
  std::vector<fhir::model::Issue> issues;
  fhir::io::write(*parsed.document->root(), to, c.text, issues);
  if (!issues.empty()) {
    c.error = issues.front().expression + ": " + issues.front().message;
    return c;
  }
  c.ok = true;
  return c;
}

inline Converted to_xml(const std::string& json) { return convert(json, fhir::io::Format::Xml); }
inline Converted to_json(const std::string& xml) { return convert(xml, fhir::io::Format::Json); }

// JSON -> XML -> JSON; the result text, or the error.
inline Converted json_roundtrip(const std::string& json) {
  auto xml = to_xml(json);
  if (!xml.ok) return xml;
  return to_json(xml.text);
}

}  // namespace carebridge::testing
