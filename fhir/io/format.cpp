#include "fhir/io/format.h"

#include "fhir/json/json_reader.h"
#include "fhir/json/json_writer.h"
#include "fhir/xml/xml_reader.h"
#include "fhir/xml/xml_writer.h"

namespace carebridge::fhir::io {

Format detect(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Format::Unknown;
  if (text[start] == '{') return Format::Json;
  if (text[start] == '<') return Format::Xml;
  return Format::Unknown;
}

std::string_view to_string(Format format) {
  switch (format) {
    case Format::Json: return "json";
    case Format::Xml: return "xml";
    case Format::Unknown: return "unknown";
  }
  return "unknown";
}

Format parse_format(std::string_view name) {
  if (name == "json" || name == "application/fhir+json" || name == "application/json") return Format::Json;
  if (name == "xml" || name == "application/fhir+xml" || name == "application/xml" || name == "text/xml") return Format::Xml;
  return Format::Unknown;
}

model::ParseResult read(std::string_view text, const definitions::Definitions& definitions, const Limits& limits) {
  std::string_view body = text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
  switch (detect(body)) {
    case Format::Json: return json::read(body, definitions, {limits.max_depth, limits.max_bytes});
    case Format::Xml: return xml::read(text, definitions, {limits.max_depth, limits.max_bytes});  // it checks the header
    case Format::Unknown: break;
  }
  model::ParseResult result;
  result.issues.push_back({model::Severity::Fatal, "structure",
                           "neither FHIR JSON nor FHIR XML (expected '{' or '<' at the start)", {}, {1, 1}});
  return result;
}

void write(const model::Element& resource, Format format, std::string& out, std::vector<model::Issue>& issues,
           bool pretty) {
  if (format == Format::Xml) {
    xml::write(resource, out, issues, {pretty, true});
  } else {
    json::write(resource, out, {pretty});
  }
}

}  // namespace carebridge::fhir::io
