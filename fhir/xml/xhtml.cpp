#include "fhir/xml/xhtml.h"

#include <cctype>
#include <memory_resource>

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

namespace {

// Per byte: null copies as is, kInvalid cannot appear in XML, kCheck needs a look at
// the following bytes (U+FFFE/U+FFFF), anything else is the entity to write.
constexpr const char* kInvalid = "\x01";
constexpr const char* kCheck = "\x02";

struct EscapeTable {
  const char* entity[256] = {};
  constexpr explicit EscapeTable(bool attribute) {
    for (int c = 0; c < 0x20; ++c) entity[c] = kInvalid;
    entity[0xEF] = kCheck;
    entity[static_cast<unsigned char>('&')] = "&amp;";
    entity[static_cast<unsigned char>('<')] = "&lt;";
    entity[static_cast<unsigned char>('>')] = "&gt;";
    entity[static_cast<unsigned char>('\r')] = "&#xD;";
    entity[static_cast<unsigned char>('\n')] = attribute ? "&#xA;" : nullptr;
    entity[static_cast<unsigned char>('\t')] = attribute ? "&#x9;" : nullptr;
    if (attribute) entity[static_cast<unsigned char>('"')] = "&quot;";
  }
};
constexpr EscapeTable kTextEscapes(false);
constexpr EscapeTable kAttributeEscapes(true);

// Escapes in one pass; false (with the offset) when a character XML cannot carry is met.
bool append_escaped(std::string& out, std::string_view text, const EscapeTable& table, size_t* bad_offset) {
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = begin + text.size();
  const auto* run = begin;
  bool ok = true;
  for (const auto* p = begin; p < end; ++p) {
    const char* entity = table.entity[*p];
    if (!entity) continue;
    if (entity == kCheck) {
      if (end - p < 3 || p[1] != 0xBF || (p[2] & 0xFE) != 0xBE) continue;
      entity = kInvalid;
    }
    if (entity == kInvalid) {
      if (ok && bad_offset) *bad_offset = static_cast<size_t>(p - begin);
      ok = false;
      entity = "";
    }
    out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    out += entity;
    run = p + 1;
  }
  out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(end - run));
  return ok;
}

}  // namespace

void append_escaped_text(std::string& out, std::string_view text) { append_escaped(out, text, kTextEscapes, nullptr); }

void append_escaped_attribute(std::string& out, std::string_view text) {
  append_escaped(out, text, kAttributeEscapes, nullptr);
}

bool append_checked_attribute(std::string& out, std::string_view text, size_t* bad_offset) {
  return append_escaped(out, text, kAttributeEscapes, bad_offset);
}

namespace {

constexpr std::string_view kElements[] = {
    "p",     "br",    "div",     "h1",    "h2",    "h3",    "h4",   "h5",      "h6",     "a",     "span", "b",
    "em",    "i",     "strong",  "small", "big",   "tt",    "dfn",  "q",       "var",    "abbr",  "acronym",
    "cite",  "blockquote", "hr", "address", "bdo", "kbd",   "sub",  "sup",     "ul",     "ol",    "li",   "dl",
    "dt",    "dd",    "pre",     "table", "caption", "colgroup", "col", "thead", "tr",   "tfoot", "tbody", "th",
    "td",    "code",  "samp",    "img",   "map",   "area"};

constexpr std::string_view kBlocks[] = {"div", "blockquote", "table", "ol", "ul", "p"};

// Attributes any element may carry, and those only some may (as the reference validator lists them).
constexpr std::string_view kAttributes[] = {
    "title", "style", "class", "id", "lang", "xml:lang", "dir", "accesskey", "tabindex", "span", "width", "align",
    "valign", "char", "charoff", "abbr", "axis", "headers", "scope", "rowspan", "colspan"};
constexpr std::string_view kElementAttributes[] = {
    "a.href", "a.name", "img.src", "img.border", "div.xmlns", "blockquote.cite", "q.cite", "a.charset", "a.type",
    "a.hreflang", "a.rel", "a.rev", "a.shape", "a.coords", "img.alt", "img.longdesc", "img.height", "img.width",
    "img.usemap", "img.ismap", "map.name", "area.shape", "area.coords", "area.href", "area.nohref", "area.alt",
    "table.summary", "table.width", "table.border", "table.frame", "table.rules", "table.cellspacing",
    "table.cellpadding", "pre.space", "td.nowrap"};

// Elements and attributes the reference validator refuses, but common in narratives systems
// send (presentational HTML): errors when strict, tolerated when ingesting.
constexpr std::string_view kPresentational[] = {"u", "s", "font"};
constexpr std::string_view kPresentationalAttributes[] = {
    "bgcolor", "border", "cellhalign", "cellpadding", "cellspacing", "cellvalign", "charset", "cite", "compact",
    "coords", "frame", "height", "href", "hreflang", "hspace", "longdesc", "name", "nowrap", "rel", "rev", "rules",
    "shape", "src", "summary", "type", "value", "vspace", "start", "colour", "color", "face", "size"};

template <size_t N>
bool listed(const std::string_view (&list)[N], std::string_view name) {
  for (auto n : list) {
    if (n == name) return true;
  }
  return false;
}


bool names_allowed(const XmlNode& node) {
  if (narrative_element(node.local) == NarrativeName::Refused) return false;
  for (uint32_t i = 0; i < node.attribute_count; ++i) {
    const auto& a = node.attributes[i];
    if (a.prefix == "xmlns" || a.prefix == "xml") continue;
    std::string lower;
    for (char c : a.local) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (narrative_attribute(node.local, lower) == NarrativeName::Refused) return false;
  }
  for (const XmlNode* c = node.first; c; c = c->next)
    if (!c->is_text && !names_allowed(*c)) return false;
  return true;
}

}  // namespace

NarrativeName narrative_element(std::string_view name) {
  return listed(kElements, name) ? NarrativeName::Allowed
         : listed(kPresentational, name) ? NarrativeName::Presentational
                                         : NarrativeName::Refused;
}

NarrativeName narrative_attribute(std::string_view element, std::string_view attribute) {
  if (listed(kAttributes, attribute) || listed(kElementAttributes, std::string(element) + "." + std::string(attribute)))
    return NarrativeName::Allowed;
  return listed(kPresentationalAttributes, attribute) ? NarrativeName::Presentational : NarrativeName::Refused;
}

bool is_block_element(std::string_view name) { return listed(kBlocks, name); }

bool narrative_names_allowed(std::string_view xhtml) {
  std::pmr::monotonic_buffer_resource arena(4096);
  XmlParse parsed = parse_xml(xhtml, arena);
  return parsed.root && parsed.root->local == "div" && parsed.root->uri == kXhtmlNamespace && names_allowed(*parsed.root);
}

}  // namespace carebridge::fhir::xml
