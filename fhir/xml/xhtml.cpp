#include "fhir/xml/xhtml.h"

namespace carebridge::fhir::xml {
namespace {

void write_element(const XmlNode& node, std::string_view default_ns, bool no_ns_is_xhtml, std::string& out) {
  std::string_view uri = node.uri.empty() && no_ns_is_xhtml ? kXhtmlNamespace : node.uri;
  out += '<';
  out += node.local;
  if (uri != default_ns) {
    out += " xmlns=\"";
    append_escaped_attribute(out, uri);
    out += '"';
  }
  for (uint32_t i = 0; i < node.attribute_count; ++i) {
    const XmlAttribute& a = node.attributes[i];
    out += ' ';
    if (!a.prefix.empty() && a.prefix != "xml") {
      out += "xmlns:";
      out += a.prefix;
      out += "=\"";
      append_escaped_attribute(out, a.uri);
      out += "\" ";
    }
    if (!a.prefix.empty()) {
      out += a.prefix;
      out += ':';
    }
    out += a.local;
    out += "=\"";
    append_escaped_attribute(out, a.value);
    out += '"';
  }
  if (!node.first) {
    out += "/>";
    return;
  }
  out += '>';
  for (const XmlNode* c = node.first; c; c = c->next) {
    if (c->is_text) {
      append_escaped_text(out, c->text);
    } else {
      write_element(*c, uri, no_ns_is_xhtml, out);
    }
  }
  out += "</";
  out += node.local;
  out += '>';
}

}  // namespace

void serialize_xhtml(const XmlNode& root, std::string& out, bool no_namespace_is_xhtml) {
  write_element(root, {}, no_namespace_is_xhtml, out);
}

std::string serialize_xhtml(const XmlNode& root, bool no_namespace_is_xhtml) {
  std::string out;
  serialize_xhtml(root, out, no_namespace_is_xhtml);
  return out;
}

void append_escaped_text(std::string& out, std::string_view text) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '\r': entity = "&#xD;"; break;
      default: continue;
    }
    out.append(text.data() + run, i - run);
    out += entity;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

void append_escaped_attribute(std::string& out, std::string_view text) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\n': entity = "&#xA;"; break;
      case '\r': entity = "&#xD;"; break;
      case '\t': entity = "&#x9;"; break;
      default: continue;
    }
    out.append(text.data() + run, i - run);
    out += entity;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

bool is_xml_text(std::string_view text, size_t* bad_offset) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool bad = (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
    // U+FFFE and U+FFFF (EF BF BE / EF BF BF) are not XML characters.
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) {
      bad = true;
    }
    if (bad) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
  }
  return true;
}

}  // namespace carebridge::fhir::xml
