// Existence, filtering and projection functions: empty exists all allTrue anyTrue
// allFalse anyFalse subsetOf supersetOf count not where select repeat iif
// aggregate trace.
#include <unordered_set>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/item_set.h"

namespace carebridge::fhir::fhirpath {
namespace {

// Singleton evaluation of a criterion result: nullopt for empty, error for many.
bool criterion(Call& c, const Collection& result, std::optional<bool>& value) {
  value.reset();
  if (result.empty()) return true;
  if (result.size() > 1) return c.fail(c.node.name + "() criteria must give a single boolean");
  value = boolean_value(result.front()).value_or(true);
  return true;
}

bool boolean_of(const Item& item, bool& value) {
  auto v = boolean_value(item);
  if (!v) return false;
  value = *v;
  return true;
}

bool fn_empty(Call& c) {
  c.out.push_back(make_boolean(c.focus.empty()));
  return true;
}

bool fn_exists(Call& c) {
  if (c.arg_count() == 0) {
    c.out.push_back(make_boolean(!c.focus.empty()));
    return true;
  }
  for (size_t i = 0; i < c.focus.size(); ++i) {
    Scratch r;
    std::optional<bool> keep;
    if (!c.arg_on(0, c.focus[i], static_cast<int64_t>(i), *r) || !criterion(c, *r, keep)) return false;
    if (keep == true) {
      c.out.push_back(make_boolean(true));
      return true;
    }
  }
  c.out.push_back(make_boolean(false));
  return true;
}

bool fn_all(Call& c) {
  for (size_t i = 0; i < c.focus.size(); ++i) {
    Scratch r;
    std::optional<bool> ok;
    if (!c.arg_on(0, c.focus[i], static_cast<int64_t>(i), *r) || !criterion(c, *r, ok)) return false;
    if (ok != true) {
      c.out.push_back(make_boolean(false));
      return true;
    }
  }
  c.out.push_back(make_boolean(true));
  return true;
}

// allTrue anyTrue allFalse anyFalse: `want` is the value looked for, `all` the quantifier.
bool quantified(Call& c, bool want, bool all) {
  for (const Item& item : c.focus) {
    bool v = false;
    if (!boolean_of(item, v)) return c.fail(c.node.name + "() needs a collection of booleans");
    if (all && v != want) {
      c.out.push_back(make_boolean(false));
      return true;
    }
    if (!all && v == want) {
      c.out.push_back(make_boolean(true));
      return true;
    }
  }
  c.out.push_back(make_boolean(all));
  return true;
}
bool fn_all_true(Call& c) { return quantified(c, true, true); }
bool fn_any_true(Call& c) { return quantified(c, true, false); }
bool fn_all_false(Call& c) { return quantified(c, false, true); }
bool fn_any_false(Call& c) { return quantified(c, false, false); }

bool subset(Call& c, bool superset) {
  Collection other;
  if (!c.arg(0, other)) return false;
  const Collection& small = superset ? other : c.focus;
  const Collection& big = superset ? c.focus : other;
  bool result = true;
  ItemSet in_big(big);
  for (const Item& item : small) {
    if (!in_big.contains(item)) {
      result = false;
      break;
    }
  }
  c.out.push_back(make_boolean(result));
  return true;
}
bool fn_subset_of(Call& c) { return subset(c, false); }
bool fn_superset_of(Call& c) { return subset(c, true); }

bool fn_count(Call& c) {
  c.out.push_back(make_integer(static_cast<int64_t>(c.focus.size())));
  return true;
}

// not(): singleton evaluation, so a single non-boolean item counts as true.
bool fn_not(Call& c) {
  std::optional<bool> result;
  std::string error;
  if (!negate(c.focus, result, error)) return c.fail(error);
  if (result) c.out.push_back(make_boolean(*result));
  return true;
}

bool fn_where(Call& c) {
  for (size_t i = 0; i < c.focus.size(); ++i) {
    Scratch r;
    std::optional<bool> keep;
    if (!c.arg_on(0, c.focus[i], static_cast<int64_t>(i), *r) || !criterion(c, *r, keep)) return false;
    if (keep == true) c.out.push_back(c.focus[i]);
  }
  return true;
}

bool fn_select(Call& c) {
  for (size_t i = 0; i < c.focus.size(); ++i) {
    if (!c.arg_on(0, c.focus[i], static_cast<int64_t>(i), c.out)) return false;
    if (c.out.size() > kMaxCollection) return c.fail("result is too large");
  }
  return true;
}

// repeat(): projects until nothing new appears; elements are new by identity,
// System values by equality, so cycles end.
bool fn_repeat(Call& c) {
  std::unordered_set<const model::Element*> seen;
  Collection frontier = c.focus, found;  // found apart from c.out, which an enclosing select() fills
  while (!frontier.empty()) {
    Collection next;
    for (size_t i = 0; i < frontier.size(); ++i) {
      Collection r;
      if (!c.arg_on_projected(0, frontier[i], static_cast<int64_t>(i), r)) return false;
      for (Item& item : r) {
        if (item.element) {
          if (!seen.insert(item.element).second) continue;
        } else if (contains_item(found, item)) {
          continue;
        }
        found.push_back(item);
        next.push_back(std::move(item));
      }
    }
    if (!c.ev.spend(next.size() + 1)) return c.fail("repeat() takes too long");
    frontier = std::move(next);
  }
  c.out.insert(c.out.end(), found.begin(), found.end());
  return true;
}

// iif(): the criterion is read by singleton evaluation (N1 §4.5), as where()'s is: one
// item that is not a Boolean counts as true.
bool fn_iif(Call& c) {
  if (c.focus.size() > 1) return c.fail("iif() needs at most one input item");
  if (!c.ev.check_condition(*c.node.args[0])) return false;
  Env inner = drawn_from(c.node, c.env, &c.focus, c.env.index);
  Collection r;
  if (!c.ev.eval(*c.node.args[0], inner, r)) return false;
  std::optional<bool> condition;
  if (!criterion(c, r, condition)) return false;
  if (condition == true) return c.ev.eval(*c.node.args[1], inner, c.out);
  if (c.arg_count() > 2) return c.ev.eval(*c.node.args[2], inner, c.out);
  return true;
}

bool fn_aggregate(Call& c) {
  Collection total;
  if (c.arg_count() > 1 && !c.arg(1, total)) return false;
  for (size_t i = 0; i < c.focus.size(); ++i) {
    Collection next;
    if (!c.arg_on(0, c.focus[i], static_cast<int64_t>(i), next, &total)) return false;
    total = std::move(next);
  }
  c.out.insert(c.out.end(), total.begin(), total.end());
  return true;
}

bool fn_trace(Call& c) {
  Collection name;
  if (!c.arg(0, name)) return false;
  if (c.arg_count() > 1) {
    for (size_t i = 0; i < c.focus.size(); ++i) {
      Collection projected;
      if (!c.arg_on(1, c.focus[i], static_cast<int64_t>(i), projected)) return false;
    }
  }
  c.out.insert(c.out.end(), c.focus.begin(), c.focus.end());
  return true;
}

// coalesce(a, b, ...): the first argument that is not empty.
bool fn_coalesce(Call& c) {
  for (size_t i = 0; i < c.arg_count(); ++i) {
    Collection value;
    if (!c.arg(i, value)) return false;
    if (!value.empty()) {
      c.out.insert(c.out.end(), value.begin(), value.end());
      return true;
    }
  }
  return true;
}

// repeatAll(): like repeat() but keeps duplicates of System values; elements are
// still visited once, so cycles in the tree cannot loop.
bool fn_repeat_all(Call& c) {
  std::unordered_set<const model::Element*> seen;
  Collection frontier = c.focus;
  for (int round = 0; !frontier.empty(); ++round) {
    if (round > 1000) return c.fail("repeatAll() does not end");
    Collection next;
    for (size_t i = 0; i < frontier.size(); ++i) {
      Collection r;
      if (!c.arg_on_projected(0, frontier[i], static_cast<int64_t>(i), r)) return false;
      for (Item& item : r) {
        if (item.element && !seen.insert(item.element).second) continue;
        c.out.push_back(item);
        if (item.element) next.push_back(std::move(item));
      }
    }
    if (!c.ev.spend(next.size() + 1)) return c.fail("repeatAll() takes too long");
    frontier = std::move(next);
  }
  return true;
}

// defineVariable(name [, value]): passes its input through and names a value
// (the input when no expression is given) for the rest of the chain.
bool fn_define_variable(Call& c) {
  std::optional<Item> name;
  if (!c.single_arg(0, name)) return false;
  if (!name || name->element || name->type != SystemType::String) return c.fail("defineVariable() needs a name");
  Collection value;
  if (c.arg_count() > 1) {
    Env inner = drawn_from(c.node, c.env, &c.focus, c.env.index);
    size_t scope = c.ev.scope();
    bool ok = c.ev.eval(*c.node.args[1], inner, value);
    c.ev.restore(scope);
    if (!ok) return false;
  } else {
    value = c.focus;
  }
  if (!c.ev.define(c.node, name->text, std::move(value))) return false;
  c.out.insert(c.out.end(), c.focus.begin(), c.focus.end());
  return true;
}

constexpr FunctionSpec kFunctions[] = {
    {"defineVariable", 1, 2, fn_define_variable}, {"coalesce", 1, 16, fn_coalesce},
    {"repeatAll", 1, 1, fn_repeat_all},
    {"empty", 0, 0, fn_empty},         {"exists", 0, 1, fn_exists},       {"all", 1, 1, fn_all},
    {"allTrue", 0, 0, fn_all_true},    {"anyTrue", 0, 0, fn_any_true},    {"allFalse", 0, 0, fn_all_false},
    {"anyFalse", 0, 0, fn_any_false},  {"subsetOf", 1, 1, fn_subset_of},  {"supersetOf", 1, 1, fn_superset_of},
    {"count", 0, 0, fn_count},         {"not", 0, 0, fn_not},             {"where", 1, 1, fn_where},
    {"select", 1, 1, fn_select},       {"repeat", 1, 1, fn_repeat},       {"iif", 2, 3, fn_iif},
    {"aggregate", 1, 2, fn_aggregate}, {"trace", 1, 2, fn_trace},
};

}  // namespace

std::span<const FunctionSpec> existence_functions() { return kFunctions; }

}  // namespace carebridge::fhir::fhirpath
