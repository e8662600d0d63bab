// Builds element trees against the definitions: resolves a property name to its
// element definition and concrete type, creates nodes in the document's arena and
// records an Issue for anything the definitions do not allow. Shared by the readers.
#pragma once

#include <functional>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/model/document.h"

namespace carebridge::fhir::model {

// What a property of a parent element is, according to the definitions.
struct Property {
  const definitions::ElementDef* definition = nullptr;
  std::string_view type;  // the concrete type code ("Quantity", "string", "Resource")
  const definitions::StructureDef* type_structure = nullptr;  // null for inline backbones
  bool inline_children = false;  // BackboneElement/Element defined inside the parent
  bool is_resource_slot = false; // type is Resource/DomainResource: holds a whole resource

  bool is_primitive() const { return type_structure && type_structure->is_primitive(); }
};

class TreeBuilder {
 public:
  TreeBuilder(Document& document, const definitions::Definitions& definitions, std::vector<Issue>& issues)
      : document_(document), definitions_(definitions), issues_(issues) {}

  // The definitions of a resource type, or null (with an issue) when it is not one.
  // `where` is asked only for a type that is refused: location() walks siblings, and a Bundle
  // has many entries.
  const definitions::StructureDef* resource_type(std::string_view type, const Position& at,
                                                 const std::function<std::string()>& where);
  // Creates a resource node; `parent` null makes it the document root.
  Element* add_resource(Element* parent, std::string_view name, const definitions::ElementDef* slot,
                        const definitions::StructureDef& type, const Position& at);
  // Looks up a property of `parent`; nullopt when the definitions do not know it.
  std::optional<Property> property(const Element& parent, std::string_view name) const;
  // Creates the child for a known property.
  Element* add(Element& parent, std::string_view name, const Property& property, const Position& at);
  // Creates a child the definitions do not know (kept to report and to round-trip).
  Element* add_unknown(Element& parent, std::string_view name, const Position& at);
  // Orders the children of `parent` as the definitions do (JSON objects are unordered).
  void sort_children(Element& parent);

  void issue(Severity severity, std::string code, std::string message, std::string expression, const Position& at);
  Document& document() { return document_; }
  const definitions::Definitions& definitions() const { return definitions_; }

 private:
  Document& document_;
  const definitions::Definitions& definitions_;
  std::vector<Issue>& issues_;
  std::vector<Element*> scratch_;
};

}  // namespace carebridge::fhir::model
