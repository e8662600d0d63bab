// Path checks (Context::check_paths): what an author is told about an expression that
// cannot select anything from its input's type, and what is left alone because the
// items' types are not fixed by the expression (N1 §3: navigation on an item whose type
// has no such element is empty for that item).
#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/types.h"

namespace carebridge::fhir::fhirpath {
namespace {

using model::Element;

// Whether `node` yields a collection whose order the specification leaves undefined:
// children() and descendants(), and what navigation and filtering make of them.
bool unordered_source(const Node& node) {
  if (node.kind == NodeKind::Member) return node.focus && unordered_source(*node.focus);
  if (node.kind != NodeKind::Function) return false;
  if (node.name == "children" || node.name == "descendants") return true;
  static constexpr std::string_view kKeepOrder[] = {"where", "select", "ofType", "trace", "distinct", "exclude"};
  for (auto name : kKeepOrder) {
    if (node.name == name) return node.focus && unordered_source(*node.focus);
  }
  return false;
}

bool order_dependent(const Node& node) {
  static constexpr std::string_view kNames[] = {"first", "last", "tail", "skip", "take"};
  for (auto name : kNames) {
    if (node.name == name) return true;
  }
  return false;
}

// Functions whose items may be of any type whatever their input's: tree navigation,
// references, and functions that gather the results of several expressions.
bool yields_open_type(std::string_view function) {
  static constexpr std::string_view kNames[] = {"children", "descendants", "resolve", "repeat", "repeatAll",
                                                "aggregate", "iif",         "union",   "combine", "coalesce"};
  for (auto name : kNames) {
    if (function == name) return true;
  }
  return false;
}

// `x as T`, `x.as(T)`, `x.ofType(T)`: what they yield has the type they name.
bool is_cast(const Node& node) {
  return (node.kind == NodeKind::TypeTest && node.op == Op::As) ||
         (node.kind == NodeKind::Function && node.function && node.function->type_argument && node.name != "is");
}

bool type_is_open(const Node& node, const Env& env);

// Whether the items $this ranges over have a type the expression does not fix.
bool this_type_is_open(const Env& env) { return env.source && type_is_open(*env.source, *env.source_env); }

// Whether the static type of what `node` yields in `env` is open: one concrete type is not
// known (children(), a union), so a name only some of its types declare may be navigated.
// Choice and Resource-typed elements are open too, but that is seen on the items
// (in_open_position()), as the expression alone does not tell.
bool type_is_open(const Node& node, const Env& env) {
  switch (node.kind) {
    case NodeKind::This: return this_type_is_open(env);
    case NodeKind::Member: return node.focus ? type_is_open(*node.focus, env) : this_type_is_open(env);
    case NodeKind::Indexer: return type_is_open(*node.args[0], env);
    case NodeKind::Binary: return node.op == Op::Union;
    case NodeKind::Variable:  // a variable of the caller's or defineVariable()'s may hold anything
      return node.name != "resource" && node.name != "rootResource" && node.name != "context";
    case NodeKind::Function: break;
    default: return false;  // System values, and `as`, which names the type
  }
  if (node.function && node.function->type_argument) return false;  // ofType(), as(): named; is(): a Boolean
  if (yields_open_type(node.name)) return true;
  bool input_open = node.focus ? type_is_open(*node.focus, env) : this_type_is_open(env);
  if (node.name != "select" || input_open) return input_open;
  return type_is_open(*node.args[0], drawn_from(node, env, nullptr, -1));
}

// Whether `e`, or an element between it and the evaluation's input, is where a type is
// chosen at run time: a choice element or a resource inside another one (contained,
// Bundle.entry.resource, Parameters.parameter.resource).
bool in_open_position(const Element& e, const Element* input) {
  for (const Element* p = &e; p && p != input; p = p->parent) {
    if (p->definition && p->definition->is_choice) return true;
    if (p->is_resource() && p->parent) return true;
  }
  return false;
}

// Functions that keep their input's type: what they yield is some of their input's items.
bool keeps_type(std::string_view function) {
  static constexpr std::string_view kNames[] = {"where", "first", "last",  "single",  "tail",
                                                "skip",  "take",  "trace", "distinct", "exclude"};
  for (auto name : kNames) {
    if (function == name) return true;
  }
  return false;
}

// The FHIR type a cast or a type step names; none for a System type or an abstract one
// (Resource: its items may be any resource).
std::optional<StaticElement> named_type(const TypeSpecifier& type, const definitions::Definitions& defs) {
  if (type.ns == "System") return std::nullopt;
  const definitions::StructureDef* sd = defs.type(type.name);
  if (!sd || sd->is_abstract || sd->elements.empty()) return std::nullopt;
  return StaticElement{sd, 0};
}

// The element one of `from`'s children named `name` is, when it has a single type with
// elements: a backbone element of the same structure, or the root of its type's.
std::optional<StaticElement> static_child(const StaticElement& from, const std::string& name,
                                          const definitions::Definitions& defs) {
  const definitions::StructureDef& sd = *from.structure;
  for (uint32_t c : sd.elements[sd.shape_of(from.element)].children) {
    const definitions::ElementDef& e = sd.elements[c];
    if (e.name != name) continue;
    if (e.is_choice) return std::nullopt;  // its type is chosen in each instance
    if (!sd.elements[sd.shape_of(c)].children.empty()) return StaticElement{&sd, c};
    if (e.types.size() != 1 || !e.types[0].structure) return std::nullopt;
    return named_type({"FHIR", e.types[0].structure->type}, defs);
  }
  return std::nullopt;
}

}  // namespace

std::optional<StaticElement> static_element(const Node& node, const definitions::Definitions& defs) {
  switch (node.kind) {
    case NodeKind::Member:
      if (!node.focus) {
        bool type_step = !node.name.empty() && node.name[0] >= 'A' && node.name[0] <= 'Z';
        auto root = type_step ? named_type({"FHIR", node.name}, defs) : std::nullopt;
        return root && root->structure->is_resource() ? root : std::nullopt;
      }
      if (auto from = static_element(*node.focus, defs)) return static_child(*from, node.name, defs);
      return std::nullopt;
    case NodeKind::Indexer: return static_element(*node.args[0], defs);
    case NodeKind::TypeTest: return node.op == Op::As ? named_type(node.type, defs) : std::nullopt;
    case NodeKind::Function:
      if (node.function && node.function->type_argument) {
        return node.name != "is" ? named_type(node.type, defs) : std::nullopt;
      }
      if (node.focus && keeps_type(node.name)) return static_element(*node.focus, defs);
      return std::nullopt;
    default: return std::nullopt;
  }
}

Env drawn_from(const Node& call, const Env& env, const Collection* items, int64_t index, const Collection* total) {
  Env inner{items, index, total ? total : env.total};
  inner.source = call.focus ? call.focus.get() : env.source;
  inner.source_env = call.focus ? &env : env.source_env;
  return inner;
}

bool Evaluator::navigates_open_type(const Node& node, const Env& env, const Collection& input) const {
  const Node* from = node.focus ? node.focus.get() : env.source;
  const Env* from_env = node.focus ? &env : env.source_env;
  if (from && is_cast(*from)) return false;  // contained.ofType(Practitioner): the type is named
  if (from && type_is_open(*from, *from_env)) return true;
  for (const Item& item : input) {
    if (item.element && in_open_position(*item.element, focus_)) return true;
  }
  return false;
}

// `Patient.name.famly`, `(x as Period).unit`: even when nothing is there to navigate,
// the type the expression names is known, so a property it does not have is an error.
bool Evaluator::check_static_member(const Node& node) {
  std::optional<StaticElement> from = static_element(*node.focus, definitions_);
  if (!from) return true;
  const definitions::StructureDef& sd = *from->structure;
  uint32_t shape = sd.shape_of(from->element);
  for (uint32_t c : sd.elements[shape].children) {
    if (sd.elements[c].name == node.name) return true;
  }
  const definitions::ChildName* typed = sd.child(from->element, node.name);
  if (typed && context_.typed_choice_names && sd.elements[typed->element].is_choice) return true;
  const std::string& path = sd.elements[shape].path;
  return fail(node, "'" + node.name + "' is not an element of " + (shape == 0 ? sd.type : path));
}

// With path checks on, first(), skip(), [i] and the like on children() or descendants()
// are errors: their order is undefined, so the answer would be arbitrary.
bool Evaluator::check_ordered(const Node& node, const Node* source) {
  if (!context_.check_paths || !source) return true;
  if (node.kind == NodeKind::Function && !order_dependent(node)) return true;
  if (!unordered_source(*source)) return true;
  return fail(node, "the order of children() and descendants() is undefined, so " +
                        (node.kind == NodeKind::Indexer ? std::string("indexing") : node.name + "()") +
                        " on them has no meaning");
}

bool Evaluator::check_condition(const Node& condition) {
  if (!context_.check_paths || condition.kind != NodeKind::Literal) return true;
  if (condition.literal.type == SystemType::Boolean) return true;
  return fail(condition, "a condition must be a Boolean, not a literal " + type_name(condition.literal));
}

bool Evaluator::check_type_name(const Node& node) {
  if (!context_.check_paths || type_exists(node.type, definitions_)) return true;
  return fail(node, "unknown type '" + (node.type.ns.empty() ? "" : node.type.ns + ".") + node.type.name + "'");
}

bool Evaluator::check_single_cast(const Node& node, size_t count) {
  if (!context_.check_paths || count <= 1) return true;
  return fail(node, "'as' needs a single value, got " + std::to_string(count) + " items");
}

}  // namespace carebridge::fhir::fhirpath
