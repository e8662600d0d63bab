// Subsetting, combining, distinctness, sorting and tree navigation:
// single first last tail skip take intersect exclude union combine distinct
// isDistinct sort children descendants.
#include <algorithm>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/item_set.h"

namespace carebridge::fhir::fhirpath {
namespace {

bool integer_arg(Call& c, size_t i, std::optional<int64_t>& value) {
  std::optional<Item> v;
  if (!c.single_arg(i, v)) return false;
  value.reset();
  if (!v) return true;
  value = as_integer(*v);
  if (!value) return c.fail(c.node.name + "() needs an integer argument");
  return true;
}

bool fn_single(Call& c) {
  if (c.focus.size() > 1) return c.fail("single() found " + std::to_string(c.focus.size()) + " items");
  c.out.insert(c.out.end(), c.focus.begin(), c.focus.end());
  return true;
}

bool fn_first(Call& c) {
  if (!c.focus.empty()) c.out.push_back(c.focus.front());
  return true;
}

bool fn_last(Call& c) {
  if (!c.focus.empty()) c.out.push_back(c.focus.back());
  return true;
}

bool fn_tail(Call& c) {
  if (c.focus.size() > 1) c.out.insert(c.out.end(), c.focus.begin() + 1, c.focus.end());
  return true;
}

bool fn_skip(Call& c) {
  std::optional<int64_t> n;
  if (!integer_arg(c, 0, n)) return false;
  if (!n) return true;
  size_t from = *n <= 0 ? 0 : std::min(static_cast<size_t>(*n), c.focus.size());
  c.out.insert(c.out.end(), c.focus.begin() + static_cast<std::ptrdiff_t>(from), c.focus.end());
  return true;
}

bool fn_take(Call& c) {
  std::optional<int64_t> n;
  if (!integer_arg(c, 0, n)) return false;
  if (!n || *n <= 0) return true;
  size_t count = std::min(static_cast<size_t>(*n), c.focus.size());
  c.out.insert(c.out.end(), c.focus.begin(), c.focus.begin() + static_cast<std::ptrdiff_t>(count));
  return true;
}

bool fn_intersect(Call& c) {
  Collection other;
  if (!c.arg(0, other)) return false;
  ItemSet in_other(other);
  Collection kept;
  for (const Item& item : c.focus) {
    if (in_other.contains(item)) kept.push_back(item);
  }
  Collection distinct;
  append_distinct(distinct, kept);
  c.out.insert(c.out.end(), distinct.begin(), distinct.end());
  return true;
}

bool fn_exclude(Call& c) {
  Collection other;
  if (!c.arg(0, other)) return false;
  ItemSet in_other(other);
  for (const Item& item : c.focus) {
    if (!in_other.contains(item)) c.out.push_back(item);
  }
  return true;
}

// The set operations dedupe their own result only: `out` may already hold what an
// enclosing select() gathered for earlier items.
bool fn_union(Call& c) {
  Collection other;
  if (!c.arg(0, other)) return false;
  Collection merged;
  append_distinct(merged, c.focus);
  append_distinct(merged, other);
  c.out.insert(c.out.end(), merged.begin(), merged.end());
  return true;
}

bool fn_combine(Call& c) {
  Collection other;
  if (!c.arg(0, other)) return false;
  c.out.insert(c.out.end(), c.focus.begin(), c.focus.end());
  c.out.insert(c.out.end(), other.begin(), other.end());
  return true;
}

bool fn_distinct(Call& c) {
  Collection distinct;
  append_distinct(distinct, c.focus);
  c.out.insert(c.out.end(), distinct.begin(), distinct.end());
  return true;
}

bool fn_is_distinct(Call& c) {
  Collection distinct;
  append_distinct(distinct, c.focus);
  c.out.push_back(make_boolean(distinct.size() == c.focus.size()));
  return true;
}

bool fn_children(Call& c) {
  for (const Item& item : c.focus) {
    if (!item.element) continue;
    for (const model::Element* child : item.element->children()) append_element(c.out, *child);
  }
  return c.ev.spend(c.out.size()) || c.fail("children() takes too long");
}

bool fn_descendants(Call& c) {
  Collection frontier = c.focus;
  while (!frontier.empty()) {
    Collection next;
    for (const Item& item : frontier) {
      if (!item.element) continue;
      for (const model::Element* child : item.element->children()) append_element(next, *child);
    }
    if (!c.ev.spend(next.size() + 1)) return c.fail("descendants() takes too long");
    c.out.insert(c.out.end(), next.begin(), next.end());
    frontier = std::move(next);
  }
  return true;
}

// sort(key, ...): keys written as `-expr` sort descending; an empty key sorts as the greatest.
bool fn_sort(Call& c) {
  struct Keyed {
    size_t index;
    std::vector<std::optional<Item>> keys;
  };
  std::vector<Keyed> rows;
  std::vector<bool> descending;
  std::vector<const Node*> keys;
  for (const auto& arg : c.node.args) {
    bool desc = arg->kind == NodeKind::Unary && arg->op == Op::Minus;
    descending.push_back(desc);
    keys.push_back(desc ? arg->args[0].get() : arg.get());
  }
  for (size_t i = 0; i < c.focus.size(); ++i) {
    Keyed row{i, {}};
    if (keys.empty()) {
      row.keys.push_back(system_value(c.focus[i]));
    }
    for (const Node* key : keys) {
      Collection self{c.focus[i]}, value;
      Env inner = drawn_from(c.node, c.env, &self, static_cast<int64_t>(i));
      if (!c.ev.eval(*key, inner, value)) return false;
      if (value.size() > 1) return c.fail("a sort key must be a single value");
      row.keys.push_back(value.empty() ? std::nullopt : system_value(value.front()));
    }
    rows.push_back(std::move(row));
  }
  std::string error;
  std::stable_sort(rows.begin(), rows.end(), [&](const Keyed& a, const Keyed& b) {
    for (size_t k = 0; k < a.keys.size(); ++k) {
      const auto& x = a.keys[k];
      const auto& y = b.keys[k];
      int r = 0;
      if (!x && !y) r = 0;
      else if (!x) r = 1;
      else if (!y) r = -1;
      else r = compare_items(*x, *y, error).value_or(0);
      if (k < descending.size() && descending[k]) r = -r;
      if (r != 0) return r < 0;
    }
    return false;
  });
  if (!error.empty()) return c.fail("sort(): " + error);
  for (const Keyed& row : rows) c.out.push_back(c.focus[row.index]);
  return true;
}

constexpr FunctionSpec kFunctions[] = {
    {"single", 0, 0, fn_single},         {"first", 0, 0, fn_first},           {"last", 0, 0, fn_last},
    {"tail", 0, 0, fn_tail},             {"skip", 1, 1, fn_skip},             {"take", 1, 1, fn_take},
    {"intersect", 1, 1, fn_intersect},   {"exclude", 1, 1, fn_exclude},       {"union", 1, 1, fn_union},
    {"combine", 1, 1, fn_combine},       {"distinct", 0, 0, fn_distinct},     {"isDistinct", 0, 0, fn_is_distinct},
    {"children", 0, 0, fn_children},     {"descendants", 0, 0, fn_descendants}, {"sort", 0, 8, fn_sort},
};

}  // namespace

std::span<const FunctionSpec> collection_functions() { return kFunctions; }

}  // namespace carebridge::fhir::fhirpath
