// mappings/engine: the FHIR resources a mapping builds, as a small JSON tree whose values
// remember where in the input they came from ("OBX[2]-5", "row 7, column DOB"). Mappings
// set values by simple paths ("valueQuantity.value", "identifier[]", "name[0].given[]",
// "extension[url=http://...].valueString") and the tree is written as FHIR JSON, with the
// FHIRPath of every sourced value kept so a validator's issue can be traced to its source.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace carebridge::mappings::engine {

struct Node {
  enum class Kind : uint8_t { Object, Array, String, Number, Boolean };
  Kind kind = Kind::Object;
  std::string name;            // member name when the parent is an object
  std::string text;            // String, Number, Boolean
  std::string source;          // where the value came from; empty when not from the input
  std::vector<Node> children;  // Object members or Array items

  static Node string(std::string text, std::string source = {});
  static Node number(std::string text, std::string source = {});
  static Node boolean(bool value, std::string source = {});
  static Node object() { return {}; }

  bool is_object() const { return kind == Kind::Object; }
  bool is_array() const { return kind == Kind::Array; }
  bool is_value() const { return kind != Kind::Object && kind != Kind::Array; }
  // Objects and arrays with nothing in them, and empty strings, are empty.
  bool empty() const;
  Node* member(std::string_view name);
  const Node* member(std::string_view name) const;
  // The member `name`, created (as an object) when absent.
  Node& operator[](std::string_view name);
  // Sets member `name` to `value` (replacing it), unless `value` is empty.
  void set(std::string_view name, Node value);
  // Appends to the array member `name` (created when absent), unless `value` is empty.
  void append(std::string_view name, Node value);
  void remove(std::string_view name);
  // A member's string value, "" when absent.
  std::string_view text_of(std::string_view name) const;
};

// A path to set or get (below), read once: a mapping sets the same paths for every row
// or message, and reading "a[url=U].b" again each time cost more than setting the value.
class Path {
 public:
  struct Step {
    enum class Pick : uint8_t { Member, Append, Index, Match, Last } pick = Pick::Member;
    std::string name;
    size_t index = 0;        // Index
    std::string key, want;   // Match: the item whose `key` is `want`
  };
  // Null steps (and false from set_path) when `text` is malformed.
  explicit Path(std::string_view text);
  bool valid() const { return valid_; }
  const std::vector<Step>& steps() const { return steps_; }

 private:
  std::vector<Step> steps_;
  bool valid_ = false;
};

// Sets `value` at `path` under `root`: "a.b" creates objects, "a[]" appends a new array
// item, "a[0]" is the array's first item (created when absent), "a[last]" its last item
// (created when there is none: what a rule before it appended), "a[url=U]" is the item
// whose `url` is U (created with it when absent). An empty value sets nothing. Returns
// false when the path is malformed.
bool set_path(Node& root, const Path& path, Node&& value);
bool set_path(Node& root, std::string_view path, Node value);
// The node at `path` (same syntax; "[]" means the last item), or null.
const Node* get_path(const Node& root, const Path& path);
const Node* get_path(const Node& root, std::string_view path);

// Where each sourced value was written: FHIRPath ("Bundle.entry[2].resource.gender") to
// its source.
using SourceMap = std::map<std::string, std::string, std::less<>>;

// Writes `node` as compact JSON; with `sources`, records the FHIRPath (rooted at `path`)
// of every value and object that has a source.
void write_json(const Node& node, std::string& out, SourceMap* sources = nullptr, const std::string& path = {});

// The source of the longest recorded path that `expression` starts with ("" when none).
std::string source_of(const SourceMap& sources, std::string_view expression);

// The same for a tree as write_json writes it, without writing it: the source of the
// deepest node with one along `expression` ("Bundle.entry[2].resource.gender"; its first
// step names `root`; indexes count the items written, not the empty ones).
std::string source_at(const Node& root, std::string_view expression);

// Removes empty members and items everywhere below `node`.
void prune(Node& node);

}  // namespace carebridge::mappings::engine
