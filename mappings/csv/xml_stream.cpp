// XmlStream over libxml2's xmlTextReader (see xml_stream.h).
#include "mappings/csv/xml_stream.h"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <climits>
#include <mutex>

namespace carebridge::mappings::csv {
namespace {

std::string_view view(const xmlChar* text) {
  return text ? std::string_view(reinterpret_cast<const char*>(text)) : std::string_view();
}

// Keeps libxml2's first error (it would otherwise print to stderr). Its messages name
// tags and positions, never the text of a cell.
void on_error(void* context, xmlErrorPtr error) {
  auto* message = static_cast<std::string*>(context);
  if (!error || error->level < XML_ERR_ERROR || !message->empty()) return;
  std::string text = error->message ? error->message : "malformed XML";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  *message = "line " + std::to_string(error->line) + ": " + text.substr(0, 160);
}

}  // namespace

XmlStream::XmlStream(std::string_view xml) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  if (xml.size() > INT_MAX) {
    error_ = "the part is too large to read";
    return;
  }
  // No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no network.
  reader_ = xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET);
  if (!reader_) {
    error_ = "cannot create an XML reader";
    return;
  }
  xmlTextReaderSetStructuredErrorHandler(reader_, on_error, &error_);
}

XmlStream::~XmlStream() {
  if (reader_) xmlFreeTextReader(reader_);
}

XmlStream::Event XmlStream::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return Event::Failed;
}

XmlStream::Event XmlStream::next() {
  if (!reader_) return fail("cannot read the part");
  if (end_pending_) {
    end_pending_ = false;
    return Event::End;
  }
  for (;;) {
    int status = xmlTextReaderRead(reader_);
    if (status == 0) return error_.empty() ? Event::Done : Event::Failed;
    if (status < 0) return fail("malformed XML");
    switch (xmlTextReaderNodeType(reader_)) {
      case XML_READER_TYPE_ELEMENT:
        name_ = view(xmlTextReaderConstLocalName(reader_));
        end_pending_ = xmlTextReaderIsEmptyElement(reader_) == 1;
        return Event::Start;
      case XML_READER_TYPE_END_ELEMENT:
        name_ = view(xmlTextReaderConstLocalName(reader_));
        return Event::End;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_WHITESPACE:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        text_ = view(xmlTextReaderConstValue(reader_));
        return Event::Text;
      case XML_READER_TYPE_DOCUMENT_TYPE:
        return fail("line " + std::to_string(xmlTextReaderGetParserLineNumber(reader_)) +
                    ": a DTD (<!DOCTYPE>), which workbooks never have");
      case XML_READER_TYPE_ENTITY_REFERENCE:
      case XML_READER_TYPE_ENTITY:
        return fail("line " + std::to_string(xmlTextReaderGetParserLineNumber(reader_)) + ": an entity reference");
      default:  // comments, processing instructions
        continue;
    }
  }
}

std::string XmlStream::attribute(std::string_view local, bool namespaced) {
  std::string value;
  if (!reader_ || xmlTextReaderMoveToFirstAttribute(reader_) != 1) return value;
  do {
    std::string_view uri = view(xmlTextReaderConstNamespaceUri(reader_));
    bool declaration = uri == "http://www.w3.org/2000/xmlns/";
    if (!declaration && view(xmlTextReaderConstLocalName(reader_)) == local && uri.empty() != namespaced) {
      value = view(xmlTextReaderConstValue(reader_));
      break;
    }
  } while (xmlTextReaderMoveToNextAttribute(reader_) == 1);
  xmlTextReaderMoveToElement(reader_);
  return value;
}

}  // namespace carebridge::mappings::csv
