#include "mappings/engine/node_json.h"

#include <memory_resource>

#include "fhir/json/json_tree.h"

namespace carebridge::mappings::engine {

namespace {

using fhir::json::JsonKind;
using fhir::json::JsonNode;

Node to_node(const JsonNode& json) {
  Node node;
  switch (json.kind) {
    case JsonKind::String: node = Node::string(std::string(json.text)); break;
    case JsonKind::Number: node = Node::number(std::string(json.text)); break;
    case JsonKind::Boolean: node = Node::boolean(json.text == "true"); break;
    case JsonKind::Null: node = Node::string(std::string()); break;  // empty: written as nothing
    case JsonKind::Array:
    case JsonKind::Object:
      node.kind = json.is_array() ? Node::Kind::Array : Node::Kind::Object;
      node.children.reserve(json.count);
      for (const JsonNode* c = json.first; c; c = c->next) {
        Node child = to_node(*c);
        child.name = json.is_array() ? std::string() : std::string(c->key);
        node.children.push_back(std::move(child));
      }
      break;
  }
  return node;
}

}  // namespace

std::optional<Node> read_json(std::string_view json) {
  std::pmr::monotonic_buffer_resource nodes, strings;
  auto parsed = fhir::json::parse_json(json, nodes, strings);
  if (!parsed.root || !parsed.root->is_object()) return std::nullopt;
  return to_node(*parsed.root);
}

}  // namespace carebridge::mappings::engine
