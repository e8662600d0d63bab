#include "fhir/model/element.h"

#include <vector>

namespace carebridge::fhir::model {

std::string_view Element::base_name() const {
  if (definition && definition->is_choice) return definition->name;
  return name;
}

const Element* Element::child(std::string_view wanted) const {
  for (const Element* c = first_child; c; c = c->next) {
    if (c->base_name() == wanted) return c;
  }
  return nullptr;
}

void Element::append(Element* child) {
  child->parent = this;
  if (last_child) {
    last_child->next = child;
  } else {
    first_child = child;
  }
  last_child = child;
  ++child_count;
}

std::string location(const Element& element) {
  std::vector<const Element*> chain;
  for (const Element* e = &element; e; e = e->parent) chain.push_back(e);
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Element* e = *it;
    if (!e->parent) {
      path = std::string(e->type);
      continue;
    }
    path += '.';
    path += e->name;
    if (e->repeats()) {
      size_t index = 0;
      for (const Element* s = e->parent->first_child; s && s != e; s = s->next) {
        if (s->name == e->name) ++index;
      }
      path += '[' + std::to_string(index) + ']';
    }
  }
  return path;
}

}  // namespace carebridge::fhir::model
