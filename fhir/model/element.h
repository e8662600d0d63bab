// The element model: one tree representation of a FHIR resource shared by the
// JSON and XML codecs, FHIRPath and the validator. Each node knows the definition
// it was read against, its concrete type, and (for primitives) its value text
// exactly as written. Nodes live in the arena of their Document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/definitions/structure.h"

namespace carebridge::fhir::model {

enum class NodeKind : uint8_t {
  Primitive,  // a FHIR primitive: value text, optional id and extensions
  Complex,    // a datatype or backbone element
  Resource,   // a resource (root, contained, Bundle.entry.resource, ...)
  Unknown,    // an element the definitions do not know: kept so it can be reported
};

// How a primitive value was written in JSON (XML has only text).
enum class ValueToken : uint8_t { None, String, Number, Boolean };

struct Position {
  uint32_t line = 0;    // 1-based; 0 when unknown (JSON input)
  uint32_t column = 0;
};

struct Element {
  std::string_view name;  // property name as written: "valueQuantity", "given", "contained"
  std::string_view type;  // concrete FHIR type: "Quantity", "string", "Patient", "BackboneElement"
  NodeKind kind = NodeKind::Complex;
  ValueToken token = ValueToken::None;
  bool has_value = false;
  Position position;
  std::string_view value;  // primitive value text (XHTML text for narrative divs)

  // The element definition this node matches in its parent's structure (null for
  // roots and unknown elements) and the structure whose elements describe this
  // node's children: `structure->elements[shape]`.
  const definitions::ElementDef* definition = nullptr;
  const definitions::StructureDef* structure = nullptr;
  uint32_t shape = 0;

  Element* parent = nullptr;
  Element* first_child = nullptr;
  Element* last_child = nullptr;
  Element* next = nullptr;
  uint32_t child_count = 0;

  bool is_primitive() const { return kind == NodeKind::Primitive; }
  bool is_resource() const { return kind == NodeKind::Resource; }
  // The property name without its choice suffix ("value" for "valueQuantity").
  std::string_view base_name() const;
  // Whether this property may repeat (a JSON array), per its definition.
  bool repeats() const { return definition && definition->repeats; }
  // The first child with the given base name, or null.
  const Element* child(std::string_view base_name) const;
  void append(Element* child);

  // Iterates children: `for (const Element* c : e.children())`.
  struct Children {
    const Element* first;
    struct iterator {
      const Element* at;
      const Element* operator*() const { return at; }
      iterator& operator++() { at = at->next; return *this; }
      bool operator!=(const iterator& o) const { return at != o.at; }
    };
    iterator begin() const { return {first}; }
    iterator end() const { return {nullptr}; }
  };
  Children children() const { return {first_child}; }
};

// The location of an element as a FHIRPath: "Patient.name[0].given[1]".
std::string location(const Element& element);

}  // namespace carebridge::fhir::model
