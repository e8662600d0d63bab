// libxml2 SAX2 -> XmlNode trees, refusing DTDs and entities.
#include "fhir/xml/xml_tree.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace carebridge::fhir::xml {
namespace {

std::string_view view(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

// Without entity substitution, libxml2 hands '&' in attribute values on as "&#38;".
bool needs_amp_decoding(std::string_view v) { return v.find("&#38;") != std::string_view::npos; }

class TreeBuilder {
 public:
  TreeBuilder(std::pmr::memory_resource& arena, const XmlLimits& limits) : arena_(arena), limits_(limits) {}

  void attach(xmlParserCtxtPtr ctxt) { ctxt_ = ctxt; }
  const XmlNode* root() const { return root_; }
  const std::string& error() const { return error_; }
  const model::Position& error_position() const { return error_position_; }

  void fail(std::string message, model::Position at) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_position_ = at;
    }
    xmlStopParser(ctxt_);
  }
  void fail(std::string message) { fail(std::move(message), position()); }

  model::Position position() const {
    if (!ctxt_ || !ctxt_->input) return {};
    return {static_cast<uint32_t>(ctxt_->input->line), static_cast<uint32_t>(ctxt_->input->col)};
  }

  void start(const xmlChar* local, const xmlChar* prefix, const xmlChar* uri, int attribute_count,
             const xmlChar** attributes) {
    if (stack_.size() >= limits_.max_depth) {
      fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
      return;
    }
    XmlNode* node = make();
    node->local = name(local);
    node->prefix = name(prefix);
    node->uri = name(uri);
    node->position = position();
    if (attribute_count > 0) {
      node->attributes = static_cast<XmlAttribute*>(arena_.allocate(sizeof(XmlAttribute) * attribute_count, alignof(XmlAttribute)));
      for (int i = 0; i < attribute_count; ++i) {
        const xmlChar** a = attributes + i * 5;
        std::string_view value(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
        new (&node->attributes[i]) XmlAttribute{name(a[0]), name(a[1]), name(a[2]), decode(value)};
      }
      node->attribute_count = static_cast<uint32_t>(attribute_count);
    }
    append(node);
    stack_.push_back(node);
  }

  void processing_instruction() {
    if (!stack_.empty() && stack_.back()->uri == kXhtmlNamespace) return;  // narrative: the XHTML rules apply
    processing_instructions_.push_back(position());
  }
  std::vector<model::Position>& processing_instructions() { return processing_instructions_; }

  void end() {
    if (!stack_.empty()) stack_.pop_back();
  }

  void characters(const xmlChar* chars, int length) {
    if (stack_.empty()) return;
    std::string_view text(reinterpret_cast<const char*>(chars), static_cast<size_t>(length));
    XmlNode* parent = stack_.back();
    bool in_xhtml = parent->uri == kXhtmlNamespace;
    if (!in_xhtml && text.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
    if (parent->last && parent->last->is_text) {  // libxml2 delivers text in pieces
      std::string joined = std::string(parent->last->text) + std::string(text);
      parent->last->text = copy(joined);
      return;
    }
    XmlNode* node = make();
    node->is_text = true;
    node->text = copy(text);
    node->position = position();
    append(node);
  }

 private:
  XmlNode* make() { return new (arena_.allocate(sizeof(XmlNode), alignof(XmlNode))) XmlNode(); }

  void append(XmlNode* node) {
    if (stack_.empty()) {
      root_ = node;
      return;
    }
    XmlNode* parent = stack_.back();
    (parent->last ? parent->last->next : parent->first) = node;
    parent->last = node;
  }

  // Names and namespaces come from libxml2's dictionary, so one pointer is one string:
  // each is copied once per document, not once per element.
  std::string_view name(const xmlChar* s) {
    if (!s) return {};
    auto [it, added] = names_.try_emplace(s);
    if (added) it->second = copy(view(s));
    return it->second;
  }

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* memory = static_cast<char*>(arena_.allocate(s.size(), 1));
    std::memcpy(memory, s.data(), s.size());
    return {memory, s.size()};
  }

  std::string_view decode(std::string_view value) {
    if (!needs_amp_decoding(value)) return copy(value);
    std::string out;
    for (size_t i = 0; i < value.size();) {
      if (value.compare(i, 5, "&#38;") == 0) {
        out += '&';
        i += 5;
      } else {
        out += value[i++];
      }
    }
    return copy(out);
  }

  std::pmr::memory_resource& arena_;
  XmlLimits limits_;
  xmlParserCtxtPtr ctxt_ = nullptr;
  std::vector<XmlNode*> stack_;
  std::unordered_map<const xmlChar*, std::string_view> names_;
  XmlNode* root_ = nullptr;
  std::string error_;
  model::Position error_position_;
  std::vector<model::Position> processing_instructions_;
};

TreeBuilder& builder(void* ctx) { return *static_cast<TreeBuilder*>(ctx); }

void on_start(void* ctx, const xmlChar* local, const xmlChar* prefix, const xmlChar* uri, int, const xmlChar**,
              int attribute_count, int, const xmlChar** attributes) {
  builder(ctx).start(local, prefix, uri, attribute_count, attributes);
}
void on_end(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) { builder(ctx).end(); }
void on_characters(void* ctx, const xmlChar* chars, int length) { builder(ctx).characters(chars, length); }
void on_processing_instruction(void* ctx, const xmlChar*, const xmlChar*) { builder(ctx).processing_instruction(); }
void on_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  builder(ctx).fail("DOCTYPE declarations are not allowed in FHIR XML");
}
void on_entity_declaration(void* ctx, const xmlChar* name, int, const xmlChar*, const xmlChar*, xmlChar*) {
  builder(ctx).fail("entity declarations are not allowed in FHIR XML ('" + std::string(view(name)) + "')");
}
xmlEntityPtr on_get_entity(void* ctx, const xmlChar* name) {
  builder(ctx).fail("entity references are not allowed in FHIR XML ('&" + std::string(view(name)) + ";')");
  return nullptr;
}
void on_error(void* ctx, xmlErrorPtr error) {
  if (!error || error->level < XML_ERR_ERROR) return;
  std::string message = error->message ? error->message : "malformed XML";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  builder(ctx).fail(message, {static_cast<uint32_t>(error->line), static_cast<uint32_t>(error->int2)});
}

xmlSAXHandler make_handler() {
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof(sax));
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = on_start;
  sax.endElementNs = on_end;
  sax.characters = on_characters;
  sax.cdataBlock = on_characters;
  sax.processingInstruction = on_processing_instruction;
  sax.internalSubset = on_doctype;
  sax.externalSubset = on_doctype;
  sax.entityDecl = on_entity_declaration;
  sax.getEntity = on_get_entity;
  sax.getParameterEntity = on_get_entity;
  sax.serror = on_error;
  return sax;
}

std::string located(const model::Position& p, const std::string& message) {
  return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ": " + message;
}

}  // namespace

const XmlAttribute* XmlNode::attribute(std::string_view local_name) const {
  for (uint32_t i = 0; i < attribute_count; ++i) {
    if (attributes[i].local == local_name && attributes[i].uri.empty()) return &attributes[i];
  }
  return nullptr;
}

XmlParse parse_xml(std::string_view text, std::pmr::memory_resource& arena, const XmlLimits& limits) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  XmlParse result;
  if (text.size() > limits.max_bytes) {
    result.error = "input of " + std::to_string(text.size()) + " bytes is over the limit of " +
                   std::to_string(limits.max_bytes) + " bytes";
    return result;
  }
  static const xmlSAXHandler kHandler = make_handler();
  TreeBuilder tree(arena, limits);
  xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(const_cast<xmlSAXHandler*>(&kHandler), &tree, nullptr, 0, nullptr);
  if (!ctxt) {
    result.error = "cannot create an XML parser";
    return result;
  }
  tree.attach(ctxt);
  // XML_PARSE_HUGE: without it libxml2 refuses ("Huge input lookup") every document
  // whose parse passes 10 MB, and any text or attribute over 10 MB (a base64 attachment),
  // so a Synthea lifetime sent as XML was refused. The limits it lifts are ours to keep:
  // the input is bounded by limits.max_bytes, nesting by limits.max_depth (TreeBuilder),
  // and DTDs and entities are refused outright (the handlers above).
  xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_HUGE);
  ctxt->replaceEntities = 0;
  ctxt->loadsubset = 0;
  ctxt->validate = 0;
  int rc = xmlParseChunk(ctxt, text.data(), static_cast<int>(text.size()), 1);
  bool well_formed = ctxt->wellFormed != 0 && rc == 0;
  xmlFreeParserCtxt(ctxt);
  if (!tree.error().empty() || !well_formed || !tree.root()) {
    model::Position at = tree.error_position();
    result.error = located(at, tree.error().empty() ? "malformed XML" : tree.error());
    result.error_position = at;
    return result;
  }
  result.root = tree.root();
  result.processing_instructions = std::move(tree.processing_instructions());
  return result;
}

}  // namespace carebridge::fhir::xml
