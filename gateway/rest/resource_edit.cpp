// Element-tree edits (see resource_edit.h).
#include "gateway/rest/resource_edit.h"

#include "fhir/model/builder.h"

namespace carebridge::gateway::rest {
namespace {

constexpr std::string_view kObservationValue = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

model::Element* find_child(model::Element& parent, std::string_view name) {
  for (model::Element* c = parent.first_child; c; c = c->next) {
    if (c->base_name() == name) return c;
  }
  return nullptr;
}

std::string_view value_of(const model::Element& parent, std::string_view name) {
  const model::Element* child = parent.child(name);
  return child && child->has_value ? child->value : std::string_view();
}

void walk(model::Element& element, const std::function<void(model::Element&)>& visit) {
  for (model::Element* c = element.first_child; c; c = c->next) {
    if (c->is_primitive() && c->has_value) {
      bool reference = c->base_name() == "reference" && element.type == "Reference";
      bool uri = c->type == "uri" || c->type == "url" || c->type == "canonical";
      if (reference || uri) visit(*c);
    }
    walk(*c, visit);
  }
}

}  // namespace

std::string_view resource_id(const model::Element& resource) {
  const model::Element* id = resource.child("id");
  return id && id->has_value ? id->value : std::string_view();
}

void set_primitive(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& parent,
                   std::string_view name, std::string_view value) {
  model::Element* child = ensure_child(document, definitions, parent, name);
  if (!child) return;
  child->value = document.copy(value);
  child->has_value = true;
  child->token = model::ValueToken::String;
}

void remove_children(model::Element& parent, std::string_view name) {
  model::Element* previous = nullptr;
  uint32_t count = 0;
  for (model::Element* c = parent.first_child; c; c = c->next) {
    if (c->base_name() == name) {
      if (previous) {
        previous->next = c->next;
      } else {
        parent.first_child = c->next;
      }
      continue;
    }
    previous = c;
    ++count;
  }
  parent.last_child = previous;
  parent.child_count = count;
}

model::Element* ensure_child(model::Document& document, const fhir::definitions::Definitions& definitions,
                             model::Element& parent, std::string_view name) {
  if (model::Element* existing = find_child(parent, name)) return existing;
  return append_child(document, definitions, parent, name);
}

model::Element* append_child(model::Document& document, const fhir::definitions::Definitions& definitions,
                             model::Element& parent, std::string_view name) {
  std::vector<model::Issue> issues;
  model::TreeBuilder builder(document, definitions, issues);
  auto property = builder.property(parent, name);
  if (!property) return nullptr;
  model::Element* child = builder.add(parent, document.copy(name), *property, {});
  builder.sort_children(parent);
  return child;
}

void mark_subsetted(model::Document& document, const fhir::definitions::Definitions& definitions,
                    model::Element& resource) {
  model::Element* meta = ensure_child(document, definitions, resource, "meta");
  if (!meta) return;
  for (const model::Element* tag = meta->first_child; tag; tag = tag->next) {
    if (tag->name == "tag" && value_of(*tag, "system") == kObservationValue && value_of(*tag, "code") == "SUBSETTED") {
      return;
    }
  }
  model::Element* tag = append_child(document, definitions, *meta, "tag");
  if (!tag) return;
  set_primitive(document, definitions, *tag, "system", kObservationValue);
  set_primitive(document, definitions, *tag, "code", "SUBSETTED");
}

void set_tag(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& resource,
             std::string_view system, std::string_view code) {
  model::Element* meta = ensure_child(document, definitions, resource, "meta");
  if (!meta) return;
  for (model::Element* tag = meta->first_child; tag; tag = tag->next) {
    if (tag->name != "tag" || value_of(*tag, "system") != system) continue;
    set_primitive(document, definitions, *tag, "code", code);
    return;
  }
  model::Element* tag = append_child(document, definitions, *meta, "tag");
  if (!tag) return;
  set_primitive(document, definitions, *tag, "system", system);
  set_primitive(document, definitions, *tag, "code", code);
}

void set_identity(model::Document& document, const fhir::definitions::Definitions& definitions, model::Element& root,
                  std::string_view id, std::string_view version, std::string_view last_updated) {
  set_primitive(document, definitions, root, "id", id);
  model::Element* meta = ensure_child(document, definitions, root, "meta");
  if (!meta) return;
  set_primitive(document, definitions, *meta, "versionId", version);
  set_primitive(document, definitions, *meta, "lastUpdated", last_updated);
}

void for_each_reference(model::Element& resource, const std::function<void(model::Element&)>& visit) {
  walk(resource, visit);
}

std::pair<std::string_view, std::string_view> conditional_reference(std::string_view reference) {
  auto q = reference.find('?');
  if (q == 0 || q == std::string_view::npos || reference.substr(0, q).find_first_of("/:") != std::string_view::npos) return {};
  return {reference.substr(0, q), reference.substr(q + 1)};
}

void keep_elements(model::Document& document, const fhir::definitions::Definitions& definitions,
                   const std::set<std::string, std::less<>>& names) {
  model::Element& root = *document.root();
  // A name may be qualified by its resource type ("Observation.code"): it is kept in
  // resources of that type only.
  const std::string qualifier = std::string(root.type) + ".";
  auto listed = [&](const std::string& name) { return names.count(name) > 0 || names.count(qualifier + name) > 0; };
  std::vector<std::string> drop;
  for (model::Element* c = root.first_child; c; c = c->next) {
    std::string name(c->base_name());
    bool mandatory = c->definition && c->definition->min > 0;
    // A choice is named as written ("valueQuantity") or by its base ("value").
    bool named = listed(name) || listed(std::string(c->name));
    if (name != "id" && name != "meta" && !mandatory && !named) drop.push_back(name);
  }
  for (const auto& name : drop) remove_children(root, name);
  mark_subsetted(document, definitions, root);
}

void apply_summary(model::Document& document, const fhir::definitions::Definitions& definitions, Summary summary) {
  if (summary == Summary::False || summary == Summary::Count) return;
  model::Element& root = *document.root();
  std::vector<std::string> drop;
  for (model::Element* c = root.first_child; c; c = c->next) {
    std::string name(c->base_name());
    bool keep = true;
    bool mandatory = c->definition && c->definition->min > 0;
    if (summary == Summary::True) keep = name == "id" || name == "meta" || (c->definition && c->definition->is_summary);
    if (summary == Summary::Text) keep = name == "id" || name == "meta" || name == "text" || mandatory;
    if (summary == Summary::Data) keep = name != "text";
    if (!keep) drop.push_back(name);
  }
  for (const auto& name : drop) remove_children(root, name);
  mark_subsetted(document, definitions, root);
}

}  // namespace carebridge::gateway::rest
