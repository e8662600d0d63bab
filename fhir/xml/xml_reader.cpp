// XML -> element model.
#include "fhir/xml/xml_reader.h"

#include <cctype>
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

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// The encoding the XML declaration names ("" when there is no declaration or no encoding).
std::string_view declared_encoding(std::string_view text) {
  if (!text.starts_with("<?xml") || text.size() < 6 || !std::isspace(static_cast<unsigned char>(text[5]))) return {};
  std::string_view declaration = text.substr(0, text.find("?>"));
  size_t at = declaration.find("encoding");
  if (at == std::string_view::npos) return {};
  at = declaration.find_first_not_of(" \t\r\n", at + 8);
  if (at == std::string_view::npos || declaration[at] != '=') return {};
  at = declaration.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string_view::npos || (declaration[at] != '"' && declaration[at] != '\'')) return {};
  size_t end = declaration.find(declaration[at], at + 1);
  if (end == std::string_view::npos) return {};
  return declaration.substr(at + 1, end - at - 1);
}

// The header rules of FHIR XML that a parser can read past: the text starts with a byte
// order mark or '<', and is declared UTF-8 if an encoding is declared.
void check_header(std::string_view text, bool bom, std::vector<model::Issue>& issues) {
  if (!bom && !text.starts_with('<')) {
    issues.push_back({Severity::Error, "invalid",
                      "FHIR XML must start with '<' or a byte order mark; here something (even whitespace) comes before it",
                      {}, {1, 1}});
  }
  std::string_view encoding = declared_encoding(text);
  if (!encoding.empty() && !equals_ignoring_case(encoding, "UTF-8")) {
    issues.push_back({Severity::Error, "invalid",
                      "FHIR XML must be UTF-8, but the XML declaration says encoding '" + std::string(encoding) + "'", {},
                      {1, 1}});
  }
}

class ModelReader {
 public:
  // `validation_issues`: what the reader can read past but FHIR validation refuses.
  ModelReader(model::Document& document, const definitions::Definitions& defs, std::vector<model::Issue>& issues,
              std::vector<model::Issue>& validation_issues)
      : build_(document, defs, issues), validation_issues_(validation_issues) {}

  Element* resource(Element* parent, std::string_view name, const definitions::ElementDef* slot, const XmlNode& x) {
    // Computed only when reporting: location() walks siblings, and Bundles have many entries.
    auto where = [&] { return parent ? model::location(*parent) + "." + std::string(name) : std::string(); };
    if (x.uri != kFhirNamespace) {
      build_.issue(Severity::Error, "structure", "<" + std::string(x.local) + "> is not in the FHIR namespace (" +
                   std::string(kFhirNamespace) + ")", where(), x.position);
      return nullptr;
    }
    const auto* sd = build_.resource_type(x.local, x.position, where);
    if (!sd) return nullptr;
    Element* node = build_.add_resource(parent, name, slot, *sd, x.position);
    for (uint32_t i = 0; i < x.attribute_count; ++i) {
      const XmlAttribute& a = x.attributes[i];
      if (a.uri == kXsiNamespace) {
        undefined_xsi_attribute(a, x, model::location(*node));
        continue;
      }
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
      if (a.uri == kXsiNamespace) {
        undefined_xsi_attribute(a, x, model::location(node));
        continue;
      }
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

  // xsi:schemaLocation, xsi:type and the like: readable (the reader skips them), but no
  // FHIR element defines them (no core element has an xsi:type representation).
  void undefined_xsi_attribute(const XmlAttribute& a, const XmlNode& x, std::string where) {
    std::string name = a.prefix.empty() ? std::string(a.local) : std::string(a.prefix) + ":" + std::string(a.local);
    std::string element = x.prefix.empty() ? std::string(x.local) : std::string(x.prefix) + ":" + std::string(x.local);
    validation_issues_.push_back({Severity::Error, "structure",
                                  "Undefined attribute '@" + name + "' on <" + element + ">", std::move(where), x.position});
  }

  model::TreeBuilder build_;
  std::vector<model::Issue>& validation_issues_;
};

}  // namespace

model::ParseResult read(std::string_view text, const definitions::Definitions& definitions, const XmlLimits& limits) {
  model::ParseResult result;
  bool bom = text.starts_with("\xEF\xBB\xBF");
  if (bom) text.remove_prefix(3);
  auto document = std::make_unique<model::Document>();
  XmlParse parsed = parse_xml(text, document->arena(), limits);
  if (!parsed.root) {
    result.issues.push_back({Severity::Fatal, "structure", model::without_position(parsed.error, parsed.error_position), {},
                             parsed.error_position});
    return result;
  }
  check_header(text, bom, result.validation_issues);
  for (const model::Position& at : parsed.processing_instructions) {
    result.validation_issues.push_back(
        {Severity::Error, "structure", "No processing instructions allowed in resources (such as <?xml-stylesheet?>)", {}, at});
  }
  ModelReader reader(*document, definitions, result.issues, result.validation_issues);
  if (!reader.resource(nullptr, {}, nullptr, *parsed.root)) return result;
  result.document = std::move(document);
  return result;
}

}  // namespace carebridge::fhir::xml
