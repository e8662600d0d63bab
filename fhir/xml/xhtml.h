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

// What FHIR narrative allows by name (txt-1): the elements and attributes of its XHTML
// subset; the presentational ones systems commonly send (<font>, bgcolor) a strict check
// refuses and ingest tolerates; the rest (scripts, forms, event handlers) never.
enum class NarrativeName { Allowed, Presentational, Refused };
NarrativeName narrative_element(std::string_view name);
// `attribute` in lower case.
NarrativeName narrative_attribute(std::string_view element, std::string_view attribute);
// Block elements, which cannot sit inside a paragraph.
bool is_block_element(std::string_view name);
// FHIRPath's htmlChecks(): the text is a <div> in the XHTML namespace whose elements and
// attributes narrative allows (no script, form, iframe or event handler).
bool narrative_names_allowed(std::string_view xhtml);

}  // namespace carebridge::fhir::xml
