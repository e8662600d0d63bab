#include "mappings/agency/compiled.h"

#include <algorithm>
#include <set>

namespace carebridge::mappings::agency {

using engine::Node;

size_t column_index(const TableSpec& table, std::string_view key) {
  for (size_t i = 0; i < table.columns.size(); ++i)
    if (table.columns[i].key == key) return i;
  return kAbsent;
}

bool from_row_values(const CompiledValue& v) {
  if (v.kind == ValueSpec::Kind::Template || v.kind == ValueSpec::Kind::Reference || v.kind == ValueSpec::Kind::Join)
    return true;
  return std::any_of(v.members.begin(), v.members.end(), [](const auto& m) { return from_row_values(m.value); });
}

Node constant_value(const CompiledValue& value) {
  switch (value.kind) {
    case ValueSpec::Kind::Boolean: return Node::boolean(value.text == "true");
    case ValueSpec::Kind::Number: return Node::number(value.text);
    case ValueSpec::Kind::Object: {
      Node object = Node::object();
      for (const CompiledValue::Member& member : value.members) set_values(object, member, constant_value(member.value));
      return object;
    }
    default: return Node::string(value.text);
  }
}

void set_values(Node& root, const CompiledValue::Member& member, Node&& value) {
  const engine::Path& path = member.steps;
  if (!value.is_value() || value.text.find(kValueSeparator) == std::string::npos) {
    engine::set_path(root, path, std::move(value));
    return;
  }
  std::string_view text = value.text;
  if (!member.path.ends_with("[]")) {
    std::string joined;
    for (char c : text) joined += c == kValueSeparator ? std::string(", ") : std::string(1, c);
    value.text = std::move(joined);
    engine::set_path(root, path, std::move(value));
    return;
  }
  for (size_t at = 0; at <= text.size();) {
    size_t end = std::min(text.find(kValueSeparator, at), text.size());
    Node item = value;
    item.text = std::string(text.substr(at, end - at));
    engine::set_path(root, path, std::move(item));
    at = end + 1;
  }
}

namespace {

// A template read for `table`: each placeholder knows its column.
std::vector<TemplatePart> compile_template(std::string_view text, const TableSpec& table) {
  std::vector<TemplatePart> parts;
  std::string error;  // the spec was checked when it was read
  if (!parse_template(text, parts, error)) parts.clear();
  for (TemplatePart& p : parts)
    if (p.kind != TemplatePart::Kind::Text) p.column = column_index(table, p.text);
  return parts;
}

CompiledValue compile(const ValueSpec& v, const TableSpec& table) {
  CompiledValue c;
  c.kind = v.kind;
  c.text = v.text;
  c.gather = v.gather;
  if (v.kind == ValueSpec::Kind::Template) c.parts = compile_template(v.text, table);
  if (v.kind == ValueSpec::Kind::Reference && parse_reference(v.text, c.reference) && c.reference.local.empty())
    c.parts = compile_template(c.reference.value, table);
  for (const auto& [path, member] : v.members) c.members.push_back({path, engine::Path(path), compile(member, table)});
  c.pending = (v.kind == ValueSpec::Kind::Reference && c.reference.local.empty()) ||
              std::any_of(c.members.begin(), c.members.end(), [](const auto& m) { return m.value.pending; });
  return c;
}

// The element a path starts with: "category" for "category[0].coding[0]".
std::string_view first_step(std::string_view path) { return path.substr(0, path.find_first_of(".[")); }

// Splits a resource's assignments into the prototype and the rest. The prototype holds
// the constants of elements that none of the resource's row values, nor its identity or
// labels, set: setting them whole when a row builds the resource gives what setting each
// for every row gave (Builder::build falls back to setting them one by one when another
// spec builds the same resource). A resource merged into a stored record keeps them all in
// order: there a constant changes one item of what is stored, not the whole element.
void compile_assignments(const ResourceSpec& spec, const TableSpec& table, CompiledResource& out) {
  std::vector<CompiledValue::Member> all;
  std::set<std::string, std::less<>> shared = {"resourceType", "id", "identifier", "meta"};
  for (const Assignment& a : spec.set) {
    all.push_back({a.path, engine::Path(a.path), compile(a.value, table)});
    if (spec.merge || from_row_values(all.back().value)) shared.insert(std::string(first_step(a.path)));
  }
  for (CompiledValue::Member& m : all) {
    if (shared.count(first_step(m.path))) {
      out.set.push_back(std::move(m));
    } else {
      set_values(out.prototype, m, constant_value(m.value));
      out.constants.push_back(std::move(m));
    }
  }
}


}  // namespace

CompiledTable compile_table(const TableSpec& t) {
  CompiledTable ct;
  ct.spec = &t;
  for (const Column& c : t.columns) ct.expects.push_back(compile_template(c.stored ? c.stored->expect : std::string(), t));
  for (const ResourceSpec& r : t.resources) {
    CompiledResource& cr = ct.resources.emplace_back();
    cr.spec = &r;
    cr.system = r.identity_system;
    cr.identity = compile(r.identity_value, t);
    compile_assignments(r, t, cr);
    cr.pending = std::any_of(cr.set.begin(), cr.set.end(), [](const auto& a) { return a.value.pending; });
  }
  return ct;
}

}  // namespace carebridge::mappings::agency
