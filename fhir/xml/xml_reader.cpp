// XML -> element model.
#include "fhir/xml/xml_reader.h"

#include <limits>
#include <memory_resource>

#include "fhir/json/json_writer.h"
#include "fhir/model/builder.h"
#include "fhir/xml/xhtml.h"

namespace carebridge::fhir::xml {
namespace {

using model::Element;
using model::Severity;

constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

bool valid_literal(definitions::JsonValueKind kind, std::string_view value) {
  switch (kind) {
    case definitions::JsonValueKind::Boolean: return value == "true" || value == "false";
    case definitions::JsonValueKind::Number: return json::is_json_number(value);
    case definitions::JsonValueKind::String: return true;
  }
  return true;
}

model::ValueToken token_for(definitions::JsonValueKind kind) {
  switch (kind) {
    case definitions::JsonValueKind::Boolean: return model::ValueToken::Boolean;
    case definitions::JsonValueKind::Number: return model::ValueToken::Number;
    case definitions::JsonValueKind::String: return model::ValueToken::String;
  }
  return model::ValueToken::String;
}

class ModelReader {
 public:
  ModelReader(model::Document& document, const definitions::Definitions& defs, std::vector<model::Issue>& issues)
      : build_(document, defs, issues) {}

  Element* resource(Element* parent, std::string_view name, const definitions::ElementDef* slot, const XmlNode& x) {
    std::string where = parent ? model::location(*parent) + "." + std::string(name) : std::string();
    if (x.uri != kFhirNamespace) {
      build_.issue(Severity::Error, "structure", "<" + std::string(x.local) + "> is not in the FHIR namespace (" +
                   std::string(kFhirNamespace) + ")", where, x.position);
      return nullptr;
    }
    const auto* sd = build_.resource_type(x.local, x.position, where);
    if (!sd) return nullptr;
    Element* node = build_.add_resource(parent, name, slot, *sd, x.position);
    for (uint32_t i = 0; i < x.attribute_count; ++i) {
      const XmlAttribute& a = x.attributes[i];
      if (a.uri == kXsiNamespace) continue;  // xsi:schemaLocation is harmless
      build_.issue(Severity::Error, "structure", "unknown attribute '" + std::string(a.local) + "' on a resource",
                   model::location(*node), x.position);
    }
    children(*node, x);
    return node;
  }

 private:
  void children(Element& node, const XmlNode& x) {
    const definitions::ElementDef* previous = nullptr;
    for (const XmlNode* c = x.first; c; c = c->next) {
      if (c->is_text) {
        build_.issue(Severity::Error, "structure", "text is not allowed here; FHIR XML carries values in 'value' attributes",
                     model::location(node), c->position);
        continue;
      }
      bool narrative = c->uri == kXhtmlNamespace && c->local == "div";
      auto prop = build_.property(node, c->local);
      if (!prop || (c->uri != kFhirNamespace && !narrative) || (narrative != prop->definition->xhtml)) {
        std::string what = c->uri == kFhirNamespace || c->uri.empty() ? "unknown element" : "element in a foreign namespace";
        build_.issue(Severity::Error, "structure", what + " <" + std::string(c->local) + ">",
                     model::location(node) + "." + std::string(c->local), c->position);
        unknown(node, *c);
        continue;
      }
      const auto* def = prop->definition;
      if (def->xml_attribute) {
        build_.issue(Severity::Error, "structure", "'" + std::string(c->local) + "' must be an attribute, not an element",
                     model::location(node) + "." + std::string(c->local), c->position);
      }
      if (previous == def && !def->repeats) {
        build_.issue(Severity::Error, "structure", "<" + std::string(c->local) + "> may appear only once here",
                     model::location(node) + "." + std::string(c->local), c->position);
      } else if (previous && def < previous) {
        build_.issue(Severity::Error, "structure", "<" + std::string(c->local) + "> is out of order (FHIR XML follows the order of the definitions)",
                     model::location(node) + "." + std::string(c->local), c->position);
      }
      previous = def;
      element(node, *c, *prop);
    }
  }

  void element(Element& parent, const XmlNode& x, const model::Property& prop) {
    if (prop.is_resource_slot) {
      const XmlNode* inner = nullptr;
      int count = 0;
      for (const XmlNode* c = x.first; c; c = c->next) {
        if (!c->is_text) {
          inner = inner ? inner : c;
          ++count;
        }
      }
      if (count != 1) {
        build_.issue(Severity::Error, "structure", "<" + std::string(x.local) + "> must hold exactly one resource",
                     model::location(parent) + "." + std::string(x.local), x.position);
      }
      if (inner) resource(&parent, x.local, prop.definition, *inner);
      return;
    }
    Element* node = build_.add(parent, x.local, prop, x.position);
    if (prop.definition->xhtml) {
      node->value = build_.document().copy(serialize_xhtml(x));
      node->has_value = true;
      node->token = model::ValueToken::String;
      return;
    }
    attributes(*node, x);
    children(*node, x);
  }

  void attributes(Element& node, const XmlNode& x) {
    for (uint32_t i = 0; i < x.attribute_count; ++i) {
      const XmlAttribute& a = x.attributes[i];
      if (a.uri == kXsiNamespace) continue;
      if (a.uri.empty() && a.local == "value" && node.is_primitive()) {
        node.value = a.value;
        node.has_value = true;
        node.token = token_for(node.structure->json_value);
        if (!valid_literal(node.structure->json_value, a.value)) {
          build_.issue(Severity::Error, "value", "'" + std::string(a.value) + "' is not a valid " + std::string(node.type),
                       model::location(node), x.position);
          node.token = model::ValueToken::String;
        }
        continue;
      }
      auto prop = a.uri.empty() ? build_.property(node, a.local) : std::nullopt;
      if (!prop || !prop->definition->xml_attribute) {
        build_.issue(Severity::Error, "structure", "unknown attribute '" + std::string(a.local) + "'",
                     model::location(node), x.position);
        continue;
      }
      Element* attribute = build_.add(node, a.local, *prop, x.position);
      attribute->value = a.value;
      attribute->has_value = true;
      attribute->token = model::ValueToken::String;
    }
  }

  // Keeps content the definitions do not know, so it can be reported and is not lost.
  void unknown(Element& parent, const XmlNode& x) {
    Element* node = build_.add_unknown(parent, x.local, x.position);
    if (const XmlAttribute* v = x.attribute("value")) {
      node->value = v->value;
      node->has_value = true;
      node->token = model::ValueToken::String;
    }
    for (const XmlNode* c = x.first; c; c = c->next) {
      if (!c->is_text) unknown(*node, *c);
    }
  }

  model::TreeBuilder build_;
};

}  // namespace

model::ParseResult read(std::string_view text, const definitions::Definitions& definitions, const XmlLimits& limits) {
  model::ParseResult result;
  auto document = std::make_unique<model::Document>();
  XmlParse parsed = parse_xml(text, document->arena(), limits);
  if (!parsed.root) {
    result.issues.push_back({Severity::Fatal, "structure", parsed.error, {}, parsed.error_position});
    return result;
  }
  ModelReader reader(*document, definitions, result.issues);
  if (!reader.resource(nullptr, {}, nullptr, *parsed.root)) return result;
  result.document = std::move(document);
  return result;
}

}  // namespace carebridge::fhir::xml
