// Narrative XHTML: the text form FHIR JSON carries in `div`, and the element form
// FHIR XML embeds. Both directions go through the safe XML parser.
#pragma once

#include <string>
#include <string_view>

#include "fhir/xml/xml_tree.h"

namespace carebridge::fhir::xml {

// Writes an element subtree as XML text, the XHTML namespace declared on its root and
// no prefixes on XHTML elements (how FHIR JSON carries the narrative).
// With `no_namespace_is_xhtml`, elements without a namespace count as XHTML (a JSON
// div written without its xmlns).
std::string serialize_xhtml(const XmlNode& root, bool no_namespace_is_xhtml = false);
void serialize_xhtml(const XmlNode& root, std::string& out, bool no_namespace_is_xhtml = false);

// Appends text escaped for XML content / for a double-quoted attribute value.
void append_escaped_text(std::string& out, std::string_view text);
// Characters XML cannot carry are dropped.
void append_escaped_attribute(std::string& out, std::string_view text);
// Like append_escaped_attribute; false with `bad_offset` set when the text holds a
// character XML cannot carry (control characters, U+FFFE, U+FFFF).
bool append_checked_attribute(std::string& out, std::string_view text, size_t* bad_offset);

}  // namespace carebridge::fhir::xml
