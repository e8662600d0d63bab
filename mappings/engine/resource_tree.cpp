#include "mappings/engine/resource_tree.h"

#include <algorithm>
#include <charconv>

#include "fhir/json/json_writer.h"

namespace carebridge::mappings::engine {

Node Node::string(std::string text, std::string source) {
  Node n;
  n.kind = Kind::String;
  n.text = std::move(text);
  n.source = std::move(source);
  return n;
}

Node Node::number(std::string text, std::string source) {
  Node n = string(std::move(text), std::move(source));
  n.kind = Kind::Number;
  return n;
}

Node Node::boolean(bool value, std::string source) {
  Node n = string(value ? "true" : "false", std::move(source));
  n.kind = Kind::Boolean;
  return n;
}

bool Node::empty() const {
  if (is_value()) return text.empty();
  return std::all_of(children.begin(), children.end(), [](const Node& c) { return c.empty(); });
}

Node* Node::member(std::string_view member_name) {
  for (Node& c : children)
    if (c.name == member_name) return &c;
  return nullptr;
}

const Node* Node::member(std::string_view member_name) const {
  for (const Node& c : children)
    if (c.name == member_name) return &c;
  return nullptr;
}

namespace {

// A resource's objects hold a handful of members each: room for several at once, not one
// more at each step (growing one by one moved every member again each time).
Node& add_child(std::vector<Node>& children) {
  if (children.capacity() == 0) children.reserve(4);
  return children.emplace_back();
}

}  // namespace

Node& Node::operator[](std::string_view member_name) {
  if (Node* found = member(member_name)) return *found;
  Node& added = add_child(children);
  added.name = std::string(member_name);
  return added;
}

void Node::set(std::string_view member_name, Node value) {
  if (value.empty()) return;
  value.name = std::string(member_name);
  if (Node* found = member(member_name)) *found = std::move(value);
  else add_child(children) = std::move(value);
}

void Node::append(std::string_view member_name, Node value) {
  if (value.empty()) return;
  Node& array = (*this)[member_name];
  array.kind = Kind::Array;
  value.name.clear();
  array.children.push_back(std::move(value));
}

void Node::remove(std::string_view member_name) {
  std::erase_if(children, [&](const Node& c) { return c.name == member_name; });
}

std::string_view Node::text_of(std::string_view member_name) const {
  const Node* found = member(member_name);
  return found && found->is_value() ? std::string_view(found->text) : std::string_view();
}

namespace {

using Step = Path::Step;

// One step of a path's text: a member name and an optional selector ("[]", "[0]", "[url=U]").
bool next_step(std::string_view& text, Step& step) {
  if (text.empty()) return false;
  size_t end = 0;
  while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
  step = {};
  step.name = std::string(text.substr(0, end));
  if (end < text.size() && text[end] == '[') {
    size_t close = text.find(']', end);
    if (close == std::string_view::npos) return false;
    std::string_view selector = text.substr(end + 1, close - end - 1);
    size_t eq = selector.find('=');
    if (selector.empty()) {
      step.pick = Step::Pick::Append;
    } else if (selector == "last") {
      step.pick = Step::Pick::Last;
    } else if (eq != std::string_view::npos) {
      step.pick = Step::Pick::Match;
      step.key = std::string(selector.substr(0, eq));
      step.want = std::string(selector.substr(eq + 1));
    } else {
      step.pick = Step::Pick::Index;
      std::from_chars(selector.data(), selector.data() + selector.size(), step.index);
    }
    end = close + 1;
  }
  if (end < text.size() && text[end] != '.') return false;
  text.remove_prefix(std::min(text.size(), end + 1));
  return !step.name.empty();
}

constexpr size_t kDeduplicated = 16;

bool same(const Node& a, const Node& b) {
  if (a.kind != b.kind || a.text != b.text || a.name != b.name || a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i)
    if (!same(a.children[i], b.children[i])) return false;
  return true;
}

// The array item a step picks, created when `create`; null when absent. Append, when not
// creating, is the last item.
Node* select(Node& array, const Step& step, bool create) {
  array.kind = Node::Kind::Array;
  switch (step.pick) {
    case Step::Pick::Member: return &array;
    case Step::Pick::Append:
      if (!create) return array.children.empty() ? nullptr : &array.children.back();
      return &add_child(array.children);
    case Step::Pick::Match: {
      for (Node& item : array.children)
        if (item.text_of(step.key) == step.want) return &item;
      if (!create) return nullptr;
      Node& item = add_child(array.children);
      item.set(step.key, Node::string(step.want));
      return &item;
    }
    case Step::Pick::Last:
      if (!array.children.empty()) return &array.children.back();
      return create ? &add_child(array.children) : nullptr;
    case Step::Pick::Index: break;
  }
  if (step.index < array.children.size()) return &array.children[step.index];
  if (!create) return nullptr;
  array.children.resize(step.index + 1);
  return &array.children[step.index];
}

}  // namespace

Path::Path(std::string_view text) {
  Step step;
  while (!text.empty()) {
    if (!next_step(text, step)) {
      steps_.clear();
      return;
    }
    steps_.push_back(std::move(step));
  }
  valid_ = !steps_.empty();
}

bool set_path(Node& root, const Path& path, Node&& value) {
  if (value.empty()) return true;
  if (!path.valid()) return false;
  Node* at = &root;
  const auto& steps = path.steps();
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    bool last = i + 1 == steps.size();
    Node& child = (*at)[step.name];
    if (last && step.pick == Step::Pick::Append && child.children.size() <= kDeduplicated) {
      // Appending what a short array already holds adds nothing (ORC-2 and OBR-2 both name
      // the order); long arrays (a report's results) are not compared, so appending stays linear.
      value.name.clear();
      for (const Node& item : child.children)
        if (same(item, value)) return true;
    }
    Node* target = step.pick == Step::Pick::Member ? &child : select(child, step, true);
    if (last) {
      std::string keep = std::move(target->name);
      *target = std::move(value);
      target->name = std::move(keep);
      return true;
    }
    at = target;
  }
  return true;
}

bool set_path(Node& root, std::string_view path, Node value) { return set_path(root, Path(path), std::move(value)); }

const Node* get_path(const Node& root, const Path& path) {
  const Node* at = &root;
  for (const Step& step : path.steps()) {
    const Node* child = at->member(step.name);
    if (!child) return nullptr;
    if (step.pick != Step::Pick::Member) child = select(const_cast<Node&>(*child), step, false);
    if (!child) return nullptr;
    at = child;
  }
  return path.valid() ? at : nullptr;
}

const Node* get_path(const Node& root, std::string_view path) {
  if (path.empty()) return &root;
  return get_path(root, Path(path));
}

namespace {

// `path` is the FHIRPath of `node`, grown and cut back in place as the tree is walked.
// Writes `node` unless it is empty and says whether it wrote anything: what an empty
// member or item began to write is taken back, so the tree is walked once (asking
// empty() at every level walked each subtree once per level above it).
bool write_node(const Node& node, std::string& out, SourceMap* sources, std::string& path);

void append_index(std::string& path, size_t i) {
  char index[24];
  auto [end, ec] = std::to_chars(index, index + sizeof index, i);
  path += '[';
  path.append(index, end);
  path += ']';
}

bool write_array(const Node& node, std::string& out, SourceMap* sources, std::string& path) {
  size_t start = out.size(), length = path.size(), i = 0;
  out += '[';
  for (const Node& item : node.children) {
    size_t before = out.size();
    if (i) out += ',';
    if (sources) append_index(path, i);
    bool wrote = write_node(item, out, sources, path);
    path.resize(length);
    if (wrote) ++i;
    else out.resize(before);
  }
  if (!i) {
    out.resize(start);
    return false;
  }
  out += ']';
  return true;
}

bool write_object(const Node& node, std::string& out, SourceMap* sources, std::string& path) {
  size_t start = out.size(), length = path.size();
  bool first = true;
  out += '{';
  for (const Node& member : node.children) {
    size_t before = out.size();
    if (!first) out += ',';
    fhir::json::append_json_string(out, member.name);
    out += ':';
    if (sources) {
      if (!path.empty()) path += '.';
      path += member.name;
    }
    bool wrote = write_node(member, out, sources, path);
    path.resize(length);
    if (wrote) first = false;
    else out.resize(before);
  }
  if (first) {
    out.resize(start);
    return false;
  }
  out += '}';
  return true;
}

bool write_node(const Node& node, std::string& out, SourceMap* sources, std::string& path) {
  bool wrote = false;
  switch (node.kind) {
    case Node::Kind::String:
      if (!node.text.empty()) fhir::json::append_json_string(out, node.text);
      wrote = !node.text.empty();
      break;
    case Node::Kind::Number:
    case Node::Kind::Boolean:
      out += node.text;
      wrote = !node.text.empty();
      break;
    case Node::Kind::Array: wrote = write_array(node, out, sources, path); break;
    case Node::Kind::Object: wrote = write_object(node, out, sources, path); break;
  }
  if (wrote && sources && !node.source.empty() && !path.empty()) sources->emplace(path, node.source);
  return wrote;
}

}  // namespace

void write_json(const Node& node, std::string& out, SourceMap* sources, const std::string& path) {
  std::string buffer = path;
  if (write_node(node, out, sources, buffer)) return;
  // An empty root is still written: "{}", "[]", "".
  if (node.kind == Node::Kind::String) out += "\"\"";
  if (node.is_object()) out += "{}";
  if (node.is_array()) out += "[]";
  if (sources && !node.source.empty() && !buffer.empty()) sources->emplace(buffer, node.source);
}

std::string source_of(const SourceMap& sources, std::string_view expression) {
  while (!expression.empty()) {
    auto hit = sources.find(expression);
    if (hit != sources.end()) return hit->second;
    size_t cut = expression.find_last_of(".[");
    if (cut == std::string_view::npos) break;
    expression = expression.substr(0, cut);
  }
  return {};
}

namespace {

// The `index`th item of an array that write_json writes (empty items are not), or null.
const Node* written_item(const Node& array, size_t index) {
  for (const Node& item : array.children)
    if (!item.empty() && index-- == 0) return &item;
  return nullptr;
}

}  // namespace

std::string source_at(const Node& root, std::string_view expression) {
  size_t end = expression.find_first_of(".[");
  expression.remove_prefix(end == std::string_view::npos ? expression.size() : end);  // the root's name
  const Node* at = &root;
  std::string_view found = root.source;
  while (!expression.empty() && at) {
    if (expression.front() == '[') {
      size_t close = expression.find(']');
      size_t index = 0;
      auto [stop, error] = std::from_chars(expression.data() + 1, expression.data() + expression.size(), index);
      if (close == std::string_view::npos || error != std::errc() || stop != expression.data() + close) break;
      at = at->is_array() ? written_item(*at, index) : nullptr;
      expression.remove_prefix(close + 1);
    } else {
      expression.remove_prefix(1);  // the dot
      size_t next = expression.find_first_of(".[");
      at = at->is_object() ? at->member(expression.substr(0, next)) : nullptr;
      expression.remove_prefix(next == std::string_view::npos ? expression.size() : next);
    }
    if (at && !at->source.empty()) found = at->source;
  }
  return std::string(found);
}

void prune(Node& node) {
  if (node.is_value()) return;
  for (Node& c : node.children) prune(c);
  std::erase_if(node.children, [](const Node& c) { return c.empty(); });
}

}  // namespace carebridge::mappings::engine
