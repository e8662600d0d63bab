#include "fhir/model/builder.h"

#include <algorithm>
#include <limits>

namespace carebridge::fhir::model {
namespace defs = carebridge::fhir::definitions;

namespace {

uint32_t order_of(const Element& parent, const Element& child) {
  if (!child.definition || !parent.structure) return std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(child.definition - parent.structure->elements.data());
}

}  // namespace

const defs::StructureDef* TreeBuilder::resource_type(std::string_view type, const Position& at,
                                                    const std::function<std::string()>& where) {
  const auto* sd = definitions_.type(type);
  // R4's resource types only: the definitions also describe R4B's SubscriptionStatus.
  const auto& known = definitions_.resource_types();
  if (!sd || !sd->is_resource() || sd->is_abstract || !std::binary_search(known.begin(), known.end(), type)) {
    issue(Severity::Error, "structure", "'" + std::string(type) + "' is not a known FHIR R4 resource type", where(), at);
    return nullptr;
  }
  return sd;
}

Element* TreeBuilder::add_resource(Element* parent, std::string_view name, const defs::ElementDef* slot,
                                   const defs::StructureDef& type, const Position& at) {
  Element* node = document_.new_element();
  node->name = name;
  node->type = type.type;
  node->kind = NodeKind::Resource;
  node->definition = slot;
  node->structure = &type;
  node->shape = 0;
  node->position = at;
  if (parent) {
    parent->append(node);
  } else {
    document_.set_root(node);
  }
  return node;
}

std::optional<Property> TreeBuilder::property(const Element& parent, std::string_view name) const {
  if (!parent.structure || parent.structure->elements.empty()) return std::nullopt;
  const defs::ChildName* found = parent.structure->child(parent.shape, name);
  if (!found) return std::nullopt;
  Property p;
  p.definition = &parent.structure->elements[found->element];
  if (!p.definition->types.empty()) p.type = p.definition->types[found->type].code;
  if (!p.definition->children.empty() || p.definition->content_target != defs::kNoElement) {
    p.inline_children = true;
    if (p.type.empty()) p.type = "BackboneElement";
    return p;
  }
  p.type_structure = p.definition->types.empty() ? nullptr : p.definition->types[found->type].structure;
  if (!p.type_structure) p.type_structure = definitions_.type(p.type);
  if (!p.type_structure) p.type_structure = definitions_.type("string");
  p.is_resource_slot = p.type_structure && p.type_structure->is_resource();
  return p;
}

Element* TreeBuilder::add(Element& parent, std::string_view name, const Property& property, const Position& at) {
  Element* node = document_.new_element();
  node->name = name;
  node->type = property.type;
  node->definition = property.definition;
  node->position = at;
  if (property.inline_children) {
    node->kind = NodeKind::Complex;
    node->structure = parent.structure;
    node->shape = parent.structure->shape_of(static_cast<uint32_t>(property.definition - parent.structure->elements.data()));
  } else {
    node->kind = property.is_primitive() ? NodeKind::Primitive : NodeKind::Complex;
    node->structure = property.type_structure;
    node->shape = 0;
  }
  parent.append(node);
  return node;
}

Element* TreeBuilder::add_unknown(Element& parent, std::string_view name, const Position& at) {
  Element* node = document_.new_element();
  node->name = name;
  node->kind = NodeKind::Unknown;
  node->position = at;
  parent.append(node);
  return node;
}

void TreeBuilder::sort_children(Element& parent) {
  if (parent.child_count < 2) return;
  bool sorted = true;
  uint32_t previous = 0;
  for (const Element* c = parent.first_child; c && sorted; c = c->next) {
    uint32_t order = order_of(parent, *c);
    sorted = order >= previous;
    previous = order;
  }
  if (sorted) return;
  scratch_.clear();
  for (Element* c = parent.first_child; c; c = c->next) scratch_.push_back(c);
  std::stable_sort(scratch_.begin(), scratch_.end(),
                   [&](const Element* a, const Element* b) { return order_of(parent, *a) < order_of(parent, *b); });
  parent.first_child = scratch_.front();
  for (size_t i = 0; i + 1 < scratch_.size(); ++i) scratch_[i]->next = scratch_[i + 1];
  scratch_.back()->next = nullptr;
  parent.last_child = scratch_.back();
}

void TreeBuilder::issue(Severity severity, std::string code, std::string message, std::string expression,
                        const Position& at) {
  issues_.push_back({severity, std::move(code), std::move(message), std::move(expression), at});
}

}  // namespace carebridge::fhir::model
