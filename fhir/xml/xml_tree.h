// A light, position-aware XML tree read with libxml2's SAX2 parser, safe by
// construction: no DTD (a DOCTYPE stops the parse), hence no entity expansion and
// no external entities, no network, and limits on size and depth.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/element.h"

namespace carebridge::fhir::xml {

inline constexpr std::string_view kFhirNamespace = "http://hl7.org/fhir";
inline constexpr std::string_view kXhtmlNamespace = "http://www.w3.org/1999/xhtml";

struct XmlAttribute {
  std::string_view local;
  std::string_view prefix;
  std::string_view uri;
  std::string_view value;
};

struct XmlNode {
  bool is_text = false;
  std::string_view local;   // element name without prefix
  std::string_view prefix;
  std::string_view uri;     // namespace
  std::string_view text;    // text nodes
  XmlAttribute* attributes = nullptr;
  uint32_t attribute_count = 0;
  model::Position position;
  XmlNode* first = nullptr;
  XmlNode* last = nullptr;
  XmlNode* next = nullptr;

  const XmlAttribute* attribute(std::string_view local_name) const;
};

struct XmlLimits {
  uint32_t max_depth = 200;
  size_t max_bytes = 256u << 20;
};

struct XmlParse {
  const XmlNode* root = nullptr;  // null on error
  std::string error;              // "line 3, column 7: ..."
  model::Position error_position;
  // Where processing instructions (<?target ...?>, not the XML declaration) are, outside
  // XHTML: the tree leaves them out, and FHIR XML allows none.
  std::vector<model::Position> processing_instructions;
};

// Parses a whole document. Whitespace-only text outside XHTML is dropped; comments
// are ignored and processing instructions left out of the tree (their places noted).
XmlParse parse_xml(std::string_view text, std::pmr::memory_resource& arena, const XmlLimits& limits = {});

}  // namespace carebridge::fhir::xml
