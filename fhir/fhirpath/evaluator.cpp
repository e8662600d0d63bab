// Evaluation of nodes: navigation, variables, operators and dispatch to functions.
#include "fhir/fhirpath/evaluator.h"

#include <algorithm>

#include "fhir/fhirpath/item_set.h"
#include "fhir/fhirpath/operators.h"
#include "fhir/fhirpath/types.h"

namespace carebridge::fhir::fhirpath {
namespace {

using model::Element;

constexpr int kMaxDepth = 400;
// The longest string a function or an operator may make: FHIR's strings are at most 1 MB
// (R4 datatypes.html#string). Checked as each one returns, so that .replace() nested in
// .replace() stops at a few MB instead of growing tenfold a level.
constexpr size_t kMaxStringBytes = 1024 * 1024;

const Element* container_resource(const Element* e) {
  for (; e; e = e->parent) {
    if (e->is_resource()) return e;
  }
  return nullptr;
}

// %rootResource: the resource that is not itself contained (or the document root).
const Element* root_of(const Element* resource) {
  const Element* r = resource;
  for (const Element* e = resource ? resource->parent : nullptr; e; e = e->parent) {
    if (e->is_resource()) {
      if (r->name == "contained") r = e; else break;
    }
  }
  return r;
}

// Whether `type` (a type name used as a path's first step) names `e`'s type or a base of it.
bool names_type(const Element& e, std::string_view type, const definitions::Definitions& definitions) {
  if (e.type == type) return true;
  const definitions::StructureDef* sd = e.structure && e.structure->type == e.type ? e.structure : definitions.type(e.type);
  for (int guard = 0; sd && guard < 32; ++guard, sd = sd->base) {
    if (sd->type == type) return true;
  }
  return false;
}

// Whether the structure of `e` declares a property named `name` (base name).
bool declares(const Element& e, std::string_view name) {
  if (!e.structure) return true;  // unknown shape: assume it might
  const auto& defs = e.structure->elements;
  if (e.shape >= defs.size()) return true;
  uint32_t shape = e.structure->shape_of(e.shape);
  for (uint32_t c : defs[shape].children) {
    if (defs[c].name == name) return true;
  }
  // Primitives: id, extension are declared by Element.
  return false;
}

// Whether `name` is a choice element of `e` named with one of its types ("valueQuantity").
bool declares_typed_choice(const Element& e, std::string_view name) {
  if (!e.structure || e.shape >= e.structure->elements.size()) return false;
  const auto& defs = e.structure->elements;
  for (const auto& child : defs[e.structure->shape_of(e.shape)].child_names) {
    if (child.name == name && child.element < defs.size() && defs[child.element].is_choice) return true;
  }
  return false;
}

// Enough collections for a deeply nested invariant; larger ones are let go so a
// thread does not keep a big result's storage.
constexpr size_t kMaxPooledCollections = 64;
constexpr size_t kMaxPooledCapacity = 256;

std::vector<Collection>& scratch_pool() {
  thread_local std::vector<Collection> pool;
  return pool;
}

}  // namespace

Scratch::Scratch() {
  auto& pool = scratch_pool();
  if (pool.empty()) return;
  items_ = std::move(pool.back());
  pool.pop_back();
}

Scratch::~Scratch() {
  auto& pool = scratch_pool();
  if (pool.size() >= kMaxPooledCollections || items_.capacity() > kMaxPooledCapacity) return;
  items_.clear();
  pool.push_back(std::move(items_));
}

namespace {

// An argument's variables are its own: what it defines is dropped after it.
bool eval_argument(Evaluator& ev, const Node& argument, const Env& inner, Collection& value) {
  size_t scope = ev.scope();
  bool ok = ev.eval(argument, inner, value);
  ev.restore(scope);
  return ok;
}

}  // namespace

bool Call::arg_on(size_t i, const Item& item, int64_t index, Collection& value, const Collection* total) const {
  Scratch self;
  self->push_back(item);
  return eval_argument(ev, *node.args[i], drawn_from(node, env, &*self, index, total), value);
}

bool Call::arg_on_projected(size_t i, const Item& item, int64_t index, Collection& value) const {
  Scratch self;
  self->push_back(item);
  Env inner = drawn_from(node, env, &*self, index);
  inner.source = &node;  // drawn from what this call yields
  inner.source_env = &env;
  return eval_argument(ev, *node.args[i], inner, value);
}

bool Call::single_arg(size_t i, std::optional<Item>& value) const {
  Scratch c;
  return arg(i, *c) && single_of(i, *c, value);
}

bool Call::single_of(size_t i, Collection& values, std::optional<Item>& value) const {
  value.reset();
  if (values.empty()) return true;
  if (values.size() > 1) return fail("argument " + std::to_string(i + 1) + " of " + node.name + "() is not a single value");
  if (is_valueless(values.front())) return true;
  value = system_value(values.front());
  if (!value) value = std::move(values.front());
  return true;
}

bool Call::single_focus(std::optional<Item>& value) const {
  value.reset();
  if (focus.empty()) return true;
  if (focus.size() > 1) return fail(node.name + "() needs a single input, got " + std::to_string(focus.size()) + " items");
  if (is_valueless(focus.front())) return true;
  value = system_value(focus.front());
  if (!value) value = focus.front();
  return true;
}

Evaluator::Evaluator(const definitions::Definitions& definitions, const terminology::Terminology& terminology,
                     const Context& context, const Element* focus)
    : definitions_(definitions), terminology_(terminology), context_(context), focus_(focus) {
  resource_ = context.resource ? context.resource : container_resource(focus);
  root_resource_ = context.root_resource ? context.root_resource : root_of(resource_);
}

bool Evaluator::fail(const Node& node, std::string_view message) {
  if (error_.empty()) error_ = "at " + std::to_string(node.position) + ": " + std::string(message);
  return false;
}

bool Evaluator::spend(size_t units) {
  if (units > budget_) return false;
  budget_ -= units;
  return true;
}

bool Evaluator::enter(const Node& node) {
  if (++depth_ > kMaxDepth) {
    --depth_;
    return fail(node, "expression nests too deeply");
  }
  if (!spend(1)) {
    --depth_;
    return fail(node, "evaluation takes too long");
  }
  return true;
}

bool Evaluator::eval(const Node& node, const Env& env, Collection& out) {
  if (!enter(node)) return false;
  bool ok = true;
  switch (node.kind) {
    case NodeKind::Literal: out.push_back(node.literal); break;
    case NodeKind::Empty: break;
    case NodeKind::This: out.insert(out.end(), env.this_items->begin(), env.this_items->end()); break;
    case NodeKind::Index:
      if (env.index < 0) {
        ok = fail(node, "$index is only defined inside a function that iterates");
      } else {
        out.push_back(make_integer(env.index));
      }
      break;
    case NodeKind::Total:
      if (!env.total) {
        ok = fail(node, "$total is only defined inside aggregate()");
      } else {
        out.insert(out.end(), env.total->begin(), env.total->end());
      }
      break;
    case NodeKind::Variable: ok = variable(node, out); break;
    case NodeKind::Member:
      if (node.focus) {
        Scratch input;
        ok = eval(*node.focus, env, *input) && member(node, env, *input, out);
      } else {
        ok = member(node, env, *env.this_items, out);
      }
      break;
    case NodeKind::Function: ok = call(node, env, out); break;
    case NodeKind::Indexer: {
      Scratch input, index;
      ok = check_ordered(node, node.args[0].get()) && eval(*node.args[0], env, *input) && eval(*node.args[1], env, *index);
      if (!ok) break;
      if (index->empty()) break;
      auto i = index->size() == 1 ? system_value(index->front()) : std::nullopt;
      auto n = i ? as_integer(*i) : std::nullopt;
      if (!n) {
        ok = fail(node, "an index must be a single integer");
      } else if (*n >= 0 && static_cast<size_t>(*n) < input->size()) {
        out.push_back(std::move((*input)[static_cast<size_t>(*n)]));
      }
      break;
    }
    case NodeKind::Unary: ok = unary(node, env, out); break;
    case NodeKind::Binary: ok = binary(node, env, out); break;
    case NodeKind::TypeTest: ok = type_test(node, env, out); break;
  }
  --depth_;
  if (ok && out.size() > kMaxCollection) return fail(node, "result is too large");
  if (ok && (node.kind == NodeKind::Function || node.kind == NodeKind::Binary))
    for (const Item& item : out)
      if (!item.element && item.text.size() > kMaxStringBytes) return fail(node, "the result is a string longer than FHIR allows (1 MB)");
  return ok;
}

bool Evaluator::define(const Node& node, const std::string& name, Collection value) {
  static constexpr std::string_view kReserved[] = {"resource", "rootResource", "context", "ucum", "sct", "loinc"};
  bool taken = name.starts_with("vs-") || name.starts_with("ext-");
  for (auto r : kReserved) taken = taken || r == name;
  for (const auto& [key, v] : context_.variables) taken = taken || key == name;
  for (const auto& [key, v] : defined_) taken = taken || key == name;
  if (taken) return fail(node, "variable %" + name + " is already defined");
  defined_.emplace_back(name, std::move(value));
  return true;
}

bool Evaluator::variable(const Node& node, Collection& out) {
  const std::string& name = node.name;
  for (auto it = defined_.rbegin(); it != defined_.rend(); ++it) {
    if (it->first == name) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return true;
    }
  }
  for (const auto& [key, value] : context_.variables) {
    if (key == name || (key.size() == name.size() + 1 && key[0] == '%' && key.ends_with(name))) {
      out.insert(out.end(), value.begin(), value.end());
      return true;
    }
  }
  if (name == "resource") {
    if (resource_) append_element(out, *resource_);
  } else if (name == "rootResource") {
    if (root_resource_) append_element(out, *root_resource_);
  } else if (name == "context") {
    if (focus_) append_element(out, *focus_);
  } else if (name == "ucum") {
    out.push_back(make_string("http://unitsofmeasure.org"));
  } else if (name == "sct") {
    out.push_back(make_string("http://snomed.info/sct"));
  } else if (name == "loinc") {
    out.push_back(make_string("http://loinc.org"));
  } else if (name == "us-zip") {  // the N1 specification's example, which the reference engine defines
    out.push_back(make_string("[0-9]{5}(-[0-9]{4}){0,1}"));
  } else if (name.starts_with("vs-")) {
    out.push_back(make_string("http://hl7.org/fhir/ValueSet/" + name.substr(3)));
  } else if (name.starts_with("ext-")) {
    out.push_back(make_string("http://hl7.org/fhir/StructureDefinition/" + name.substr(4)));
  } else {
    return fail(node, "unknown variable %" + name);
  }
  return true;
}

bool Evaluator::member(const Node& node, const Env& env, const Collection& input, Collection& out) {
  const std::string& name = node.name;
  bool type_step = !node.focus && !name.empty() && name[0] >= 'A' && name[0] <= 'Z';
  bool any_declares = false, all_known = !input.empty();
  for (const Item& item : input) {
    if (item.is_type_info) {
      all_known = false;
      if (name == "name") out.push_back(make_string(item.text));
      else if (name == "namespace") out.push_back(make_string(item.unit));
      continue;
    }
    if (!item.element) {
      all_known = false;
      continue;
    }
    const Element& e = *item.element;
    if (type_step) {
      if (names_type(e, name, definitions_)) out.push_back(item);
      continue;
    }
    size_t before = out.size();
    for (const Element* c : e.children()) {
      if (c->base_name() == name) {
        append_element(out, *c);
      } else if (c->name == name && c->definition && c->definition->is_choice) {
        // FHIRPath names a choice by its base name; without path checks the typed
        // name (valueQuantity) is accepted as many authors write it.
        if (!context_.check_paths || context_.typed_choice_names) {
          append_element(out, *c);
          continue;
        }
        return fail(node, "'" + name + "' is one type of the choice '" + std::string(c->base_name()) +
                              "[x]': write " + std::string(c->base_name()) + ".ofType(" +
                              std::string(c->type) + ")");
      }
    }
    if (!spend(out.size() - before + 1)) return fail(node, "evaluation takes too long");
    if (context_.check_paths) {
      if (!e.structure) all_known = false;
      else if (declares(e, name) || (context_.typed_choice_names && declares_typed_choice(e, name))) any_declares = true;
    }
  }
  if (!context_.check_paths) return true;
  if (input.empty() && node.focus) return check_static_member(node);
  // A type name as the first step must name the input (not inside where() and friends).
  if (type_step && out.empty() && input.size() == 1 && input.front().element == focus_ && focus_) {
    const auto* sd = definitions_.type(name);
    const auto& others = context_.other_input_types;
    if (sd && sd->is_resource() && std::find(others.begin(), others.end(), name) == others.end()) {
      return fail(node, "the expression is about " + name + " but the input is a " +
                            std::string(input.front().element->type));
    }
  }
  if (!type_step && all_known && !any_declares && !navigates_open_type(node, env, input)) {
    return fail(node, "'" + name + "' is not an element of " + std::string(input.front().element->type));
  }
  return true;
}

bool Evaluator::call(const Node& node, const Env& env, Collection& out) {
  if (!check_ordered(node, node.focus.get())) return false;
  Scratch focus;
  const Collection* input = env.this_items;
  if (node.focus) {
    if (!eval(*node.focus, env, *focus)) return false;
    input = &*focus;
  }
  Call c{*this, node, env, *input, out};
  return node.function->impl(c);
}

bool Evaluator::unary(const Node& node, const Env& env, Collection& out) {
  Scratch operand;
  if (!eval(*node.args[0], env, *operand)) return false;
  if (operand->empty()) return true;
  if (operand->size() > 1) return fail(node, "unary " + std::string(node.op == Op::Minus ? "-" : "+") + " needs a single value");
  auto v = system_value(operand->front());
  if (!v || (v->type != SystemType::Integer && v->type != SystemType::Decimal && v->type != SystemType::Quantity)) {
    return fail(node, "unary " + std::string(node.op == Op::Minus ? "-" : "+") + " needs a number or a quantity");
  }
  if (node.op == Op::Minus) {
    // Zero has no sign to turn: -(0.0) is 0.0, and -(-0.0) from a boundary is 0.0 too.
    auto d = Decimal::parse(v->text);
    bool zero = d && d->is_zero();
    if (v->text.starts_with('-')) v->text.erase(0, 1); else if (!zero) v->text.insert(0, 1, '-');
  }
  out.push_back(std::move(*v));
  return true;
}

namespace {

bool is_logic(const Node& node) {
  return node.kind == NodeKind::Binary &&
         (node.op == Op::And || node.op == Op::Or || node.op == Op::Xor || node.op == Op::Implies);
}

// exists(), empty() or not() without arguments: a truth taken from their input alone.
bool is_truth_function(const Node& node) {
  if (node.kind != NodeKind::Function || !node.args.empty()) return false;
  std::string_view name = node.name;  // compared by length first, unlike std::string == const char*
  return name == "exists" || name == "empty" || name == "not";
}

}  // namespace

// Invariants are mostly and/or/implies over exists(), empty() and not(); their operands are
// answered here without making the one-boolean collection eval() would make and
// then reading it back. Depth and budget are counted as eval() counts them.
bool Evaluator::truth(const Node& node, const Env& env, std::optional<bool>& value) {
  value.reset();
  if (is_logic(node) || is_truth_function(node)) {
    if (!enter(node)) return false;
    bool ok = is_logic(node) ? logic_truth(node, env, value) : function_truth(node, env, value);
    --depth_;
    return ok;
  }
  Scratch c;
  if (!eval(node, env, *c)) return false;
  if (c->empty()) return true;
  if (c->size() > 1) return fail(node, "a logical operand must be a single value");
  // Singleton evaluation: any single non-boolean value counts as true.
  value = boolean_value(c->front()).value_or(true);
  return true;
}

bool Evaluator::function_truth(const Node& node, const Env& env, std::optional<bool>& value) {
  Scratch focus;
  const Collection* input = env.this_items;
  if (node.focus) {
    if (!eval(*node.focus, env, *focus)) return false;
    input = &*focus;
  }
  std::string_view name = node.name;
  if (name == "not") {
    std::string error;
    return negate(*input, value, error) || fail(node, error);
  }
  value = name == "exists" ? !input->empty() : input->empty();
  return true;
}

bool Evaluator::logic_truth(const Node& node, const Env& env, std::optional<bool>& r) {
  std::optional<bool> a, b;
  size_t scope = defined_.size();
  bool left_ok = truth(*node.args[0], env, a);
  restore(scope);
  if (!left_ok) return false;
  // Short-circuit where the left side decides.
  if ((node.op == Op::And && a == false) || (node.op == Op::Or && a == true) || (node.op == Op::Implies && a == false)) {
    r = node.op != Op::And;
    return true;
  }
  bool right_ok = truth(*node.args[1], env, b);
  restore(scope);
  if (!right_ok) return false;
  switch (node.op) {
    case Op::And:
      if (b == false) r = false; else if (a && b) r = true;
      break;
    case Op::Or:
      if (b == true) r = true; else if (a && b) r = false;
      break;
    case Op::Xor:
      if (a && b) r = *a != *b;
      break;
    case Op::Implies:
      if (b == true) r = true; else if (a == true && b) r = false;
      break;
    default: break;
  }
  return true;
}

bool Evaluator::binary(const Node& node, const Env& env, Collection& out) {
  if (is_logic(node)) {
    std::optional<bool> r;
    if (!logic_truth(node, env, r)) return false;
    if (r) out.push_back(make_boolean(*r));
    return true;
  }
  Scratch a, b;
  size_t scope = defined_.size();
  bool ok = eval(*node.args[0], env, *a);
  restore(scope);
  ok = ok && eval(*node.args[1], env, *b);
  restore(scope);
  if (!ok) return false;
  std::string error;
  if (context_.empty_fails && ((node.op == Op::In && a->empty()) || (node.op == Op::Contains && b->empty()))) {
    out.push_back(make_boolean(true));
    return true;
  }
  if (!apply_operator(node.op, *a, *b, out, error)) return fail(node, error);
  return true;
}

bool Evaluator::type_test(const Node& node, const Env& env, Collection& out) {
  Scratch input;
  if (!eval(*node.args[0], env, *input) || !check_type_name(node)) return false;
  if (node.op == Op::As) {
    if (!check_single_cast(node, input->size())) return false;
    for (Item& item : *input) {
      if (casts_to_type(item, node.type, definitions_)) out.push_back(std::move(item));
    }
    return true;
  }
  if (input->size() > 1) return fail(node, "'is' needs a single value, got " + std::to_string(input->size()) + " items");
  push_is(*input, node.type, out);
  return true;
}

void Evaluator::push_is(const Collection& input, const TypeSpecifier& type, Collection& out) const {
  if (input.empty()) {  // nothing is of no type
    if (context_.empty_fails) out.push_back(make_boolean(false));
    return;
  }
  bool is = context_.primitives_are_system_types ? is_of_type_lenient(input.front(), type, definitions_)
                                                 : is_of_type(input.front(), type, definitions_);
  out.push_back(make_boolean(is));
}

void append_distinct(Collection& into, const Collection& items) {
  if (into.size() + items.size() < 16) {
    for (const Item& item : items) {
      if (!contains_item(into, item)) into.push_back(item);
    }
    return;
  }
  // Hashed: the set points into `into`, so reserve first to keep the items in place.
  into.reserve(into.size() + items.size());
  ItemSet seen(into);
  for (const Item& item : items) {
    if (seen.contains(item)) continue;
    into.push_back(item);
    seen.insert(into.back());
  }
}

bool negate(const Collection& input, std::optional<bool>& result, std::string& error) {
  result.reset();
  if (input.empty()) return true;
  if (input.size() > 1) {
    error = "not() needs a single value, got " + std::to_string(input.size()) + " items";
    return false;
  }
  result = !boolean_value(input.front()).value_or(true);
  return true;
}

bool contains_item(const Collection& items, const Item& item) {
  for (const Item& existing : items) {
    if (existing.element && existing.element == item.element) return true;
    if (items_equal(existing, item) == true) return true;
  }
  return false;
}

}  // namespace carebridge::fhir::fhirpath
