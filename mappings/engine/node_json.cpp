#include "mappings/engine/node_json.h"

#include <memory_resource>
#include <type_traits>

#include "fhir/json/json_reader.h"
#include "fhir/json/json_tree.h"
#include "fhir/json/utf8.h"

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

// A tree made into JSON nodes: nodes from `nodes`, texts copied into `strings`. Text that
// is not UTF-8 (a v2 message's \X..\ escape, bytes no character set was declared for)
// stops it: the JSON parser refused such text when the tree was written and read back.
class JsonMaker {
 public:
  JsonMaker(std::pmr::memory_resource& nodes, std::pmr::memory_resource& strings) : nodes_(nodes), strings_(strings) {}

  // `node` as a JsonNode named `key`, or null when it is empty (nothing written) or bad. A
  // node that is not const is released part by part as it is made (its texts are copied).
  template <typename TreeNode>
  JsonNode* make(TreeNode& node, std::string_view key) {
    if (node.is_value() && node.text.empty()) return nullptr;
    auto* json = new (nodes_.allocate(sizeof(JsonNode), alignof(JsonNode))) JsonNode();
    json->kind = kind_of(node.kind);
    json->key = key;
    if (node.is_value()) {
      if (fhir::json::find_invalid_utf8(node.text) != std::string_view::npos) bad_ = true;
      json->text = copy(node.text);
      return bad_ ? nullptr : json;
    }
    JsonNode** tail = &json->first;
    for (size_t i = 0; i < node.children.size() && !bad_; ++i) {
      TreeNode& child = node.children[i];
      JsonNode* made = make(child, node.is_array() ? std::string_view() : copy(child.name));
      if (bad_) bad_path_.insert(0, node.is_array() ? "[" + std::to_string(i) + "]" : "." + child.name);
      if constexpr (!std::is_const_v<TreeNode>) child = Node();
      if (!made) continue;
      *tail = made;
      tail = &made->next;
      ++json->count;
    }
    return json->count && !bad_ ? json : nullptr;
  }
  bool bad() const { return bad_; }
  // Where the bad text is, below the root: ".entry[3].resource.valueString".
  const std::string& bad_path() const { return bad_path_; }

 private:
  std::string_view copy(std::string_view text) {
    if (text.empty()) return {};
    auto* at = static_cast<char*>(strings_.allocate(text.size(), 1));
    std::copy(text.begin(), text.end(), at);
    return {at, text.size()};
  }

  std::pmr::memory_resource& nodes_;
  std::pmr::memory_resource& strings_;
  bool bad_ = false;
  std::string bad_path_;
};

// The tree in the element model, through JSON nodes made from it.
template <typename TreeNode>
fhir::model::ParseResult read_made(TreeNode& tree, const fhir::definitions::Definitions& definitions) {
  fhir::model::ParseResult result;
  auto document = std::make_unique<fhir::model::Document>();
  // The JSON nodes are scratch; their texts are the document's.
  std::pmr::monotonic_buffer_resource scratch(64 * 1024);
  JsonMaker maker(scratch, document->arena());
  std::string type(tree.text_of("resourceType"));  // before a tree taken apart is gone
  const JsonNode* json = maker.make(tree, {});
  if (maker.bad()) {
    result.issues.push_back({fhir::model::Severity::Fatal, "structure", "the text is not UTF-8 (characters in no known encoding)",
                             std::string(type.empty() ? "Resource" : type) + maker.bad_path(), {}});
    return result;
  }
  if (!json || !json->is_object()) {
    result.issues.push_back({fhir::model::Severity::Fatal, "structure", "the resource is empty", {}, {}});
    return result;
  }
  if (fhir::json::read_resource(*json, *document, definitions, result.issues)) result.document = std::move(document);
  return result;
}

}  // namespace

fhir::model::ParseResult read_tree(const Node& tree, const fhir::definitions::Definitions& definitions) {
  return read_made(tree, definitions);
}

fhir::model::ParseResult read_tree(Node&& tree, const fhir::definitions::Definitions& definitions) {
  Node taken = std::move(tree);
  tree = Node::object();
  return read_made(taken, definitions);
}

std::optional<Node> read_json(std::string_view json) {
  std::pmr::monotonic_buffer_resource nodes, strings;
  auto parsed = fhir::json::parse_json(json, nodes, strings);
  if (!parsed.root || !parsed.root->is_object()) return std::nullopt;
  return to_node(*parsed.root);
}

}  // namespace carebridge::mappings::engine
