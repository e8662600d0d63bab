#include "mappings/engine/node_json.h"

#include <memory_resource>

#include "fhir/json/json_reader.h"
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

JsonKind kind_of(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::Object: return JsonKind::Object;
    case Node::Kind::Array: return JsonKind::Array;
    case Node::Kind::String: return JsonKind::String;
    case Node::Kind::Number: return JsonKind::Number;
    case Node::Kind::Boolean: return JsonKind::Boolean;
  }
  return JsonKind::Null;
}

std::string_view copy(std::string_view text, std::pmr::memory_resource& strings) {
  if (text.empty()) return {};
  auto* at = static_cast<char*>(strings.allocate(text.size(), 1));
  std::copy(text.begin(), text.end(), at);
  return {at, text.size()};
}

// `node` as a JsonNode named `key`, or null when it is empty (nothing written).
JsonNode* to_json(const Node& node, std::string_view key, std::pmr::memory_resource& nodes,
                  std::pmr::memory_resource& strings) {
  if (node.is_value() && node.text.empty()) return nullptr;
  auto* json = new (nodes.allocate(sizeof(JsonNode), alignof(JsonNode))) JsonNode();
  json->kind = kind_of(node.kind);
  json->key = key;
  if (node.is_value()) {
    json->text = copy(node.text, strings);
    return json;
  }
  JsonNode** tail = &json->first;
  for (const Node& child : node.children) {
    JsonNode* made = to_json(child, node.is_array() ? std::string_view() : copy(child.name, strings), nodes, strings);
    if (!made) continue;
    *tail = made;
    tail = &made->next;
    ++json->count;
  }
  return json->count ? json : nullptr;
}

}  // namespace

fhir::model::ParseResult read_tree(const Node& tree, const fhir::definitions::Definitions& definitions) {
  fhir::model::ParseResult result;
  auto document = std::make_unique<fhir::model::Document>();
  // The JSON nodes are scratch; their texts are the document's.
  std::pmr::monotonic_buffer_resource scratch(64 * 1024);
  const JsonNode* json = to_json(tree, {}, scratch, document->arena());
  if (!json || !json->is_object()) {
    result.issues.push_back({fhir::model::Severity::Fatal, "structure", "the resource is empty", {}, {}});
    return result;
  }
  if (fhir::json::read_resource(*json, *document, definitions, result.issues)) result.document = std::move(document);
  return result;
}

std::optional<Node> read_json(std::string_view json) {
  std::pmr::monotonic_buffer_resource nodes, strings;
  auto parsed = fhir::json::parse_json(json, nodes, strings);
  if (!parsed.root || !parsed.root->is_object()) return std::nullopt;
  return to_node(*parsed.root);
}

}  // namespace carebridge::mappings::engine
