// Format detection and the one entry point to read or write a resource in either
// FHIR format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"

namespace carebridge::fhir::io {

enum class Format { Json, Xml, Unknown };

// Decides from the content: the first character after an optional BOM and whitespace.
Format detect(std::string_view text);
std::string_view to_string(Format format);
// "json" / "xml" (also MIME types such as application/fhir+json); Unknown otherwise.
Format parse_format(std::string_view name);

struct Limits {
  uint32_t max_depth = 200;
  size_t max_bytes = 256u << 20;
};

// Reads a resource in whichever format the text is.
model::ParseResult read(std::string_view text, const definitions::Definitions& definitions, const Limits& limits = {});

// Writes a resource; content the format cannot carry is reported in `issues`.
void write(const model::Element& resource, Format format, std::string& out, std::vector<model::Issue>& issues,
           bool pretty = true);

}  // namespace carebridge::fhir::io
