// Element model -> XML text.
#include "fhir/xml/xml_writer.h"

#include <memory_resource>

#include "fhir/xml/xhtml.h"
#include "fhir/xml/xml_tree.h"

namespace carebridge::fhir::xml {
namespace {

using model::Element;

bool is_attribute(const Element& e) { return e.definition && e.definition->xml_attribute; }

class ModelWriter {
 public:
  ModelWriter(std::string& out, std::vector<model::Issue>& issues, bool pretty)
      : out_(out), issues_(issues), pretty_(pretty) {}

  void resource(const Element& r, bool root) {
    indent();
    out_ += '<';
    out_ += r.type;
    if (root) {
      out_ += " xmlns=\"";
      out_ += kFhirNamespace;
      out_ += '"';
    }
    body(r, r.type);
  }

 private:
  void element(const Element& e) {
    if (e.definition && e.definition->xhtml) {
      narrative(e);
      return;
    }
    if (e.is_resource()) {
      indent();
      out_ += '<';
      out_ += e.name;
      out_ += '>';
      ++depth_;
      resource(e, false);
      --depth_;
      indent();
      out_ += "</";
      out_ += e.name;
      out_ += '>';
      return;
    }
    indent();
    out_ += '<';
    out_ += e.name;
    body(e, e.name);
  }

  // Attributes (id, url, then value), then child elements or "/>".
  void body(const Element& e, std::string_view tag) {
    bool has_elements = false;
    for (const Element* c : e.children()) {
      if (is_attribute(*c) && c->has_value) {
        attribute(c->name, *c);
      } else {
        has_elements = true;
      }
    }
    if (e.has_value && !e.is_resource()) attribute("value", e);
    if (!has_elements) {
      out_ += "/>";
      return;
    }
    out_ += '>';
    ++depth_;
    for (const Element* c : e.children()) {
      if (!(is_attribute(*c) && c->has_value)) element(*c);
    }
    --depth_;
    indent();
    out_ += "</";
    out_ += tag;
    out_ += '>';
  }

  void attribute(std::string_view name, const Element& e) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    size_t bad = 0;
    if (!append_checked_attribute(out_, e.value, &bad)) {
      issue(e, "the value holds a character XML cannot carry (byte " + std::to_string(bad) + ")");
    }
    out_ += '"';
  }

  void narrative(const Element& e) {
    indent();
    std::pmr::monotonic_buffer_resource arena(4096);
    XmlParse parsed = parse_xml(e.value, arena);
    if (!parsed.root) {
      issue(e, "the narrative is not well-formed XHTML: " + parsed.error);
      return;
    }
    if (parsed.root->local != "div") {
      issue(e, "the narrative must be a <div>, not <" + std::string(parsed.root->local) + ">");
    }
    serialize_xhtml(*parsed.root, out_, /*no_namespace_is_xhtml=*/true);  // tolerate a div without xmlns
  }

  void issue(const Element& e, std::string message) {
    issues_.push_back({model::Severity::Error, "invalid", std::move(message), model::location(e), e.position});
  }

  void indent() {
    if (!pretty_) return;
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
    out_.append(static_cast<size_t>(depth_) * 2, ' ');
  }

  std::string& out_;
  std::vector<model::Issue>& issues_;
  bool pretty_;
  int depth_ = 0;
};

}  // namespace

void write(const model::Element& resource, std::string& out, std::vector<model::Issue>& issues,
           const WriteOptions& options) {
  if (options.declaration) out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  ModelWriter(out, issues, options.pretty).resource(resource, true);
  if (options.pretty) out += '\n';
}

}  // namespace carebridge::fhir::xml
