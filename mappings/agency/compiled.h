// A spec as the mapper uses it for every row: each template's placeholders bound to their
// columns, each path read once, and a resource's constants made once (its prototype).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mappings/agency/spec.h"
#include "mappings/agency/template.h"
#include "mappings/engine/resource_tree.h"

namespace carebridge::mappings::agency {

// A column a spec names but the table does not have.
inline constexpr size_t kAbsent = static_cast<size_t>(-1);

struct CompiledValue {
  struct Member;
  ValueSpec::Kind kind = ValueSpec::Kind::Literal;
  std::string text;
  std::vector<TemplatePart> parts;  // templates, and a reference's value
  ReferenceSpec reference;
  std::vector<Member> members;  // objects and joins
  bool pending = false;  // it holds a reference by identity, resolved when the Bundle is written
  bool gather = false;   // a join that adds each row's text to what the element holds
};

// A value and the path it is set at ("valueCodeableConcept.coding[0]"), read once.
struct CompiledValue::Member {
  std::string path;
  engine::Path steps;
  CompiledValue value;
};

struct CompiledResource {
  const ResourceSpec* spec = nullptr;
  std::string system;  // the spec's name for the identity's system ("" when the identity is an id)
  CompiledValue identity;
  // What every row sets alike (status, codes, categories), set whole for each row: the
  // `constants` made once; `set`: the rest, in the spec's order.
  engine::Node prototype;
  std::vector<CompiledValue::Member> constants, set;
  bool pending = false;  // one of its values is a reference by identity
};

struct CompiledTable {
  const TableSpec* spec = nullptr;
  std::vector<CompiledResource> resources;
  std::vector<std::vector<TemplatePart>> expects;  // per column: what its stored value must be (empty: anything)
};

// The table's spec compiled: its resources' identities and assignments, and what each
// stored column must hold.
CompiledTable compile_table(const TableSpec& table);

// The index of the column with this key among the table's columns, or kAbsent.
size_t column_index(const TableSpec& table, std::string_view key);

// Whether a value takes anything from the row (a constant coding inside an object does not).
bool from_row_values(const CompiledValue& v);

// A value that takes nothing from the row.
engine::Node constant_value(const CompiledValue& value);

// Sets `value` at the member's path; a split column's values (joined by kValueSeparator)
// become one list item each under a path ending in [], and "a, b" elsewhere.
void set_values(engine::Node& root, const CompiledValue::Member& member, engine::Node&& value);

}  // namespace carebridge::mappings::agency
