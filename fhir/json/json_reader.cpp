// JSON -> element model.
#include "fhir/json/json_reader.h"

#include <array>
#include <memory_resource>
#include <vector>

#include "fhir/model/builder.h"

namespace carebridge::fhir::json {
namespace {

using model::Element;
using model::Severity;

std::string_view kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::Null: return "null";
    case JsonKind::Boolean: return "a boolean";
    case JsonKind::Number: return "a number";
    case JsonKind::String: return "a string";
    case JsonKind::Object: return "an object";
    case JsonKind::Array: return "an array";
  }
  return "a value";
}

JsonKind expected_kind(definitions::JsonValueKind kind) {
  switch (kind) {
    case definitions::JsonValueKind::Boolean: return JsonKind::Boolean;
    case definitions::JsonValueKind::Number: return JsonKind::Number;
    case definitions::JsonValueKind::String: return JsonKind::String;
  }
  return JsonKind::String;
}

model::ValueToken token_of(JsonKind kind) {
  switch (kind) {
    case JsonKind::Boolean: return model::ValueToken::Boolean;
    case JsonKind::Number: return model::ValueToken::Number;
    default: return model::ValueToken::String;
  }
}

class ModelReader {
 public:
  ModelReader(model::Document& document, const definitions::Definitions& defs, std::vector<model::Issue>& issues)
      : build_(document, defs, issues) {}

  Element* resource(Element* parent, std::string_view name, const definitions::ElementDef* slot, const JsonNode& object) {
    // Computed only when reporting: location() walks siblings, and Bundles have many entries.
    auto where = [&] { return parent ? model::location(*parent) + "." + std::string(name) : std::string(); };
    if (!object.is_object()) {
      build_.issue(Severity::Error, "structure", "a resource must be a JSON object, not " + std::string(kind_name(object.kind)),
                   where(), object.position);
      return nullptr;
    }
    const JsonNode* type = object.member("resourceType");
    if (!type || type->kind != JsonKind::String) {
      build_.issue(Severity::Error, "structure", "the resource has no \"resourceType\" string", where(), object.position);
      return nullptr;
    }
    const auto* sd = build_.resource_type(type->text, type->position, where);
    if (!sd) return nullptr;
    Element* node = build_.add_resource(parent, name, slot, *sd, object.position);
    members(*node, object);
    return node;
  }

 private:
  void members(Element& node, const JsonNode& object) {
    // Most objects have no "_name" members: then no member needs looking for its extras.
    bool underscores = false;
    for (const JsonNode* m = object.first; m && !underscores; m = m->next) underscores = m->key.starts_with('_');
    // The choice elements given, each with the name it was given by: value[x] has one value.
    // (No allocation on this hot path; an object with more than eight choices is unheard of.)
    std::array<std::pair<const definitions::ElementDef*, std::string_view>, 8> choices;
    size_t chosen = 0;
    auto once = [&](const definitions::ElementDef* d, std::string_view key, const JsonNode& m) {
      if (!d || !d->is_choice) return;
      for (size_t i = 0; i < chosen; ++i) {
        const auto& [seen, first] = choices[i];
        if (seen != d) continue;
        build_.issue(Severity::Error, "structure",
                     "\"" + std::string(first) + "\" and \"" + std::string(key) + "\" are both given, but " + d->name +
                         "[x] has one value, of one type",
                     model::location(node) + "." + std::string(key), m.position);
        return;
      }
      if (chosen < choices.size()) choices[chosen++] = {d, key};
    };
    for (const JsonNode* m = object.first; m; m = m->next) {
      if (node.is_resource() && m->key == "resourceType") continue;
      if (m->key.size() > 1 && m->key[0] == '_') {
        // resourceType names the resource; it is no element, so it has no "_resourceType".
        if (node.is_resource() && m->key.substr(1) == "resourceType") {
          property(node, m->key, m, nullptr);
          continue;
        }
        // "_name" alone: a primitive with extensions but no value.
        if (!object.member(m->key.substr(1))) once(property(node, m->key.substr(1), nullptr, m), m->key.substr(1), *m);
        continue;
      }
      once(property(node, m->key, m, underscores ? extras_of(object, m->key) : nullptr), m->key, *m);
    }
    build_.sort_children(node);
  }

  // The member "_name" of `object`, or null.
  static const JsonNode* extras_of(const JsonNode& object, std::string_view name) {
    for (const JsonNode* m = object.first; m; m = m->next) {
      if (m->key.size() == name.size() + 1 && m->key[0] == '_' && m->key.substr(1) == name) return m;
    }
    return nullptr;
  }

  // Reads one property; returns its definition (null when unknown).
  const definitions::ElementDef* property(Element& parent, std::string_view name, const JsonNode* value,
                                          const JsonNode* extras) {
    auto prop = build_.property(parent, name);
    const JsonNode* any = value ? value : extras;
    if (!prop) {
      build_.issue(Severity::Error, "structure", "unknown property \"" + std::string(any->key) + "\"",
                   model::location(parent) + "." + std::string(any->key), any->position);
      unknown(parent, any->key, *any);
      return nullptr;
    }
    read_property(parent, name, *prop, value, extras, any);
    return prop->definition;
  }

  void read_property(Element& parent, std::string_view name, const model::Property& prop, const JsonNode* value,
                     const JsonNode* extras, const JsonNode* any) {
    if (extras && !prop.is_primitive()) {
      build_.issue(Severity::Error, "structure", "\"" + std::string(extras->key) + "\" is only allowed for primitive values",
                   model::location(parent) + "." + std::string(name), extras->position);
      extras = nullptr;
      if (!value) return;
    }
    bool array = any->is_array();
    if (array && any->count == 0 && !(value && extras && value->count + extras->count > 0)) {
      build_.issue(Severity::Error, "structure",
                   "\"" + std::string(any->key) + "\" is an empty array: FHIR's JSON has no empty arrays (leave the property out)",
                   model::location(parent) + "." + std::string(any->key), any->position);
      return;
    }
    if (array != prop.definition->repeats) {
      build_.issue(Severity::Error, "structure",
                   "\"" + std::string(any->key) + "\" " + (array ? "cannot repeat: it must not be an array" : "repeats: it must be an array"),
                   model::location(parent) + "." + std::string(name), any->position);
    }
    if (value && extras && value->is_array() != extras->is_array()) {
      build_.issue(Severity::Error, "structure",
                   "\"" + std::string(extras->key) + "\" must have the shape of \"" + std::string(name) +
                       "\": " + (value->is_array() ? "an array, as it repeats" : "an object, not an array"),
                   model::location(parent) + "." + std::string(name), extras->position);
    }
    if (!array) {
      if (extras && extras->is_array()) extras = nullptr;
      one(parent, name, prop, value, extras, any->position);
      return;
    }
    if (value && extras && extras->is_array() && extras->count != value->count) {
      build_.issue(Severity::Error, "structure", "\"" + std::string(extras->key) + "\" must have as many items as \"" +
                   std::string(name) + "\"", model::location(parent) + "." + std::string(name), extras->position);
    }
    const JsonNode* v = value ? value->first : nullptr;
    const JsonNode* x = extras && extras->is_array() ? extras->first : nullptr;
    while (v || x) {
      const JsonNode* item = v && v->kind != JsonKind::Null ? v : nullptr;
      const JsonNode* extra = x && x->kind != JsonKind::Null ? x : nullptr;
      if (item || extra) {
        one(parent, name, prop, item, extra, (v ? v : x)->position);
      } else {
        build_.issue(Severity::Error, "structure", "null in \"" + std::string(name) + "\" without a matching \"_" +
                     std::string(name) + "\" entry", model::location(parent) + "." + std::string(name), (v ? v : x)->position);
      }
      if (v) v = v->next;
      if (x) x = x->next;
    }
  }

  void one(Element& parent, std::string_view name, const model::Property& prop, const JsonNode* value,
           const JsonNode* extras, const model::Position& at) {
    if (prop.is_resource_slot) {
      if (value) resource(&parent, name, prop.definition, *value);
      return;
    }
    Element* node = build_.add(parent, name, prop, at);
    if (!prop.is_primitive()) {
      if (!value->is_object()) {
        build_.issue(Severity::Error, "structure", "\"" + std::string(name) + "\" must be a JSON object, not " +
                     std::string(kind_name(value->kind)), model::location(*node), value->position);
        return;
      }
      members(*node, *value);
      return;
    }
    if (value) primitive_value(*node, *value);
    if (extras) {
      if (!extras->is_object()) {
        build_.issue(Severity::Error, "structure", "\"_" + std::string(name) + "\" must be a JSON object",
                     model::location(*node), extras->position);
      } else if (extras->count == 0) {
        build_.issue(Severity::Error, "structure",
                     "\"_" + std::string(name) + "\" is an empty object: FHIR's JSON has no empty objects (leave it out)",
                     model::location(*node), extras->position);
      } else {
        members(*node, *extras);
      }
    }
  }

  void primitive_value(Element& node, const JsonNode& value) {
    if (value.is_object() || value.is_array()) {
      build_.issue(Severity::Error, "structure", "\"" + std::string(node.name) + "\" is a primitive (" +
                   std::string(node.type) + ") and cannot be " + std::string(kind_name(value.kind)),
                   model::location(node), value.position);
      return;
    }
    JsonKind expected = expected_kind(node.structure->json_value);
    if (value.kind != expected) {
      build_.issue(Severity::Error, "value", "\"" + std::string(node.name) + "\" (" + std::string(node.type) +
                   ") must be " + std::string(kind_name(expected)) + " in JSON, not " + std::string(kind_name(value.kind)),
                   model::location(node), value.position);
    }
    node.value = value.text;
    node.has_value = true;
    node.token = token_of(value.kind);
  }

  // Keeps content the definitions do not know, so it can be reported and is not lost.
  void unknown(Element& parent, std::string_view name, const JsonNode& value) {
    auto add = [&](const JsonNode& v) {
      Element* node = build_.add_unknown(parent, name, v.position);
      if (v.is_object()) {
        for (const JsonNode* m = v.first; m; m = m->next) unknown(*node, m->key, *m);
      } else if (!v.is_array() && v.kind != JsonKind::Null) {
        node->value = v.text;
        node->has_value = true;
        node->token = token_of(v.kind);
      }
    };
    if (value.is_array()) {
      for (const JsonNode* item = value.first; item; item = item->next) add(*item);
    } else {
      add(value);
    }
  }

  model::TreeBuilder build_;
};

}  // namespace

model::Element* read_resource(const JsonNode& object, model::Document& document,
                              const definitions::Definitions& definitions, std::vector<model::Issue>& issues) {
  ModelReader reader(document, definitions, issues);
  return reader.resource(nullptr, {}, nullptr, object);
}

model::ParseResult read(std::string_view text, const definitions::Definitions& definitions, const JsonLimits& limits) {
  model::ParseResult result;
  auto document = std::make_unique<model::Document>();
  // Parse-tree nodes are scratch; strings must outlive it, so they go to the document's arena.
  std::pmr::monotonic_buffer_resource scratch(64 * 1024);
  JsonParse parsed = parse_json(text, scratch, document->arena(), limits);
  if (!parsed.root) {
    result.issues.push_back({Severity::Fatal, "structure", model::without_position(parsed.error, parsed.error_position), {},
                             parsed.error_position});
    return result;
  }
  if (!read_resource(*parsed.root, *document, definitions, result.issues)) return result;
  result.document = std::move(document);
  return result;
}

}  // namespace carebridge::fhir::json
