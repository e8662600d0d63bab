// The tree-walking evaluator: one per evaluation, holding the context, the error
// and the limits that keep untrusted expressions from running away.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fhir/fhirpath/ast.h"
#include "fhir/fhirpath/value.h"

namespace carebridge::fhir::terminology {
class Terminology;
}

namespace carebridge::fhir::fhirpath {

// A collection for one step's intermediate result (an operand, a function's focus,
// an argument's value). Invariants are evaluated on every element and make many
// small collections; borrowing them from a per-thread free list reuses their storage
// instead of allocating a vector per step. Returned, emptied, when it goes out of scope.
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  Collection& operator*() { return items_; }
  Collection* operator->() { return &items_; }

 private:
  Collection items_;
};

// What $this, $index and $total are while a node is evaluated.
struct Env {
  const Collection* this_items = nullptr;
  int64_t index = -1;
  const Collection* total = nullptr;
  // For path checks, where $this was drawn from: the items of `source` evaluated in
  // `source_env`. Null for the evaluation's input, whose type is known.
  const Node* source = nullptr;
  const Env* source_env = nullptr;
};

// The Env for an argument of `call` evaluated on `items` drawn from its focus (the
// items of call.focus in `env`, or $this of `env` when it has none).
Env drawn_from(const Node& call, const Env& env, const Collection* items, int64_t index,
               const Collection* total = nullptr);

// An element of a structure that an expression's path fixes (path checks).
struct StaticElement {
  const definitions::StructureDef* structure;
  uint32_t element;
};
// The element `node` selects when the expression alone fixes it: a resource type named as
// the first step, members, [i] and functions that keep the type, casts (as, ofType).
std::optional<StaticElement> static_element(const Node& node, const definitions::Definitions& defs);

class Evaluator {
 public:
  // `focus` is null when the expression is evaluated without an input.
  Evaluator(const definitions::Definitions& definitions, const terminology::Terminology& terminology,
            const Context& context, const model::Element* focus);

  bool eval(const Node& node, const Env& env, Collection& out);
  // The singleton truth of a node's result (a logical operand, a condition):
  // empty -> nullopt, one non-boolean -> true, more than one -> an error.
  bool truth(const Node& node, const Env& env, std::optional<bool>& value);
  // Records an error at the node's position; always returns false.
  bool fail(const Node& node, std::string_view message);
  const std::string& error() const { return error_; }

  const definitions::Definitions& definitions() const { return definitions_; }
  const terminology::Terminology& terminology() const { return terminology_; }
  const Context& context() const { return context_; }
  const model::Element* resource() const { return resource_; }
  const model::Element* root_resource() const { return root_resource_; }
  // With path checks on, a type name in is/as/ofType that names no type is an error
  // (N1); without them (validation against definitions that name types of another
  // FHIR version) it simply matches nothing. False after recording the error.
  bool check_type_name(const Node& node);
  // With path checks on, `as` on more than one item is an error (N1); without them it
  // filters, as R4 invariants (dom-3) and search parameters apply it to collections.
  bool check_single_cast(const Node& node, size_t count);
  // `is` (the operator and the function) on an input of at most one item: nothing for an
  // empty one (false when invariants are read, Context::empty_fails); with
  // Context::primitives_are_system_types, a FHIR boolean `is Boolean`.
  void push_is(const Collection& input, const TypeSpecifier& type, Collection& out) const;
  // With path checks on, a condition written as a literal that is not a Boolean
  // (`iif('x', 1, 2)`) is an error: it can only have been meant otherwise, and the
  // official suite's strict mode reports it. False after recording the error.
  bool check_condition(const Node& condition);
  // Counts work; false once the budget for one evaluation is spent.
  bool spend(size_t units);
  // The resource a reference points to inside a Bundle enclosing `from` (by fullUrl
  // or type/id), or null. Each Bundle is indexed once per evaluation.
  const model::Element* resolve_in_bundles(const model::Element& from, std::string_view reference);

  // The clock as read on first use: now(), today() and timeOfDay() agree within one evaluation.
  std::chrono::system_clock::time_point now() {
    if (!now_) now_ = std::chrono::system_clock::now();
    return *now_;
  }

  // Variables from defineVariable(): visible to the rest of the invocation chain and
  // the arguments evaluated there; argument and operand evaluation drop what they define.
  size_t scope() const { return defined_.size(); }
  void restore(size_t scope) { defined_.resize(scope); }
  bool define(const Node& node, const std::string& name, Collection value);

 private:
  bool member(const Node& node, const Env& env, const Collection& input, Collection& out);
  // Whether the items `node` navigates from may be of types other than the ones they
  // have (children(), a choice, a contained resource): a name none of them declares is
  // then nothing for them, not an error.
  bool navigates_open_type(const Node& node, const Env& env, const Collection& input) const;
  bool check_static_member(const Node& node);
  bool check_ordered(const Node& node, const Node* source);
  bool call(const Node& node, const Env& env, Collection& out);
  bool unary(const Node& node, const Env& env, Collection& out);
  bool binary(const Node& node, const Env& env, Collection& out);
  // Counts one node against the depth and work limits; false (error set) past them.
  bool enter(const Node& node);
  // exists(), empty(), not() without arguments (is_truth_function()).
  bool function_truth(const Node& node, const Env& env, std::optional<bool>& value);
  // and/or/xor/implies: nullopt when the result is empty.
  bool logic_truth(const Node& node, const Env& env, std::optional<bool>& result);
  bool type_test(const Node& node, const Env& env, Collection& out);
  bool variable(const Node& node, Collection& out);

  const definitions::Definitions& definitions_;
  const terminology::Terminology& terminology_;
  const Context& context_;
  const model::Element* focus_;
  const model::Element* resource_ = nullptr;
  const model::Element* root_resource_ = nullptr;
  std::string error_;
  std::vector<std::pair<std::string, Collection>> defined_;
  std::optional<std::chrono::system_clock::time_point> now_;
  std::unordered_map<const model::Element*, std::unordered_map<std::string, const model::Element*>> bundles_;
  int depth_ = 0;
  size_t budget_ = 20'000'000;
};

// One function call being evaluated: its focus, arguments and result.
// The most items a collection may hold (a resource's descendants are far fewer): checked as each
// node returns, and as select() gathers, so that nested select()s stop early.
constexpr size_t kMaxCollection = 1'000'000;

struct Call {
  Evaluator& ev;
  const Node& node;
  const Env& env;
  const Collection& focus;
  Collection& out;

  size_t arg_count() const { return node.args.size(); }
  // Evaluates argument `i` where the call is ($this unchanged).
  bool arg(size_t i, Collection& value) const {
    size_t scope = ev.scope();
    bool ok = ev.eval(*node.args[i], env, value);
    ev.restore(scope);
    return ok;
  }
  // Evaluates argument `i` with $this = item and $index = index (and $total).
  bool arg_on(size_t i, const Item& item, int64_t index, Collection& value, const Collection* total = nullptr) const;
  // As arg_on(), for an item the argument itself gave in an earlier round (repeat()):
  // its type is not the focus' type.
  bool arg_on_projected(size_t i, const Item& item, int64_t index, Collection& value) const;
  // Argument `i` as a single System value; nullopt with `ok` true when empty.
  bool single_arg(size_t i, std::optional<Item>& value) const;
  // Argument `i`'s evaluated `values` as a single System value, as single_arg() gives it.
  bool single_of(size_t i, Collection& values, std::optional<Item>& value) const;
  bool fail(std::string_view message) const { return ev.fail(node, message); }
  // The focus as a single System value (converted); nullopt when empty.
  bool single_focus(std::optional<Item>& value) const;
};

using FunctionImpl = bool (*)(Call&);

struct FunctionSpec {
  std::string_view name;
  uint8_t min_args;
  uint8_t max_args;
  FunctionImpl impl;
  bool type_argument = false;  // is(), as(), ofType(): the argument is a type specifier
};

const FunctionSpec* find_function(std::string_view name);
// The families, one per file.
std::span<const FunctionSpec> existence_functions();
std::span<const FunctionSpec> collection_functions();
std::span<const FunctionSpec> string_functions();
std::span<const FunctionSpec> math_functions();
std::span<const FunctionSpec> conversion_functions();
std::span<const FunctionSpec> type_functions();
std::span<const FunctionSpec> fhir_functions();
std::span<const FunctionSpec> terminology_functions();
std::span<const FunctionSpec> temporal_functions();

// Union without duplicates (by `=`), as `|` and union() do.
void append_distinct(Collection& into, const Collection& items);
// not() on `input`: nothing when empty, the negation of its one item's truth (a
// non-Boolean counts as true); false with `error` set when it holds more than one.
bool negate(const Collection& input, std::optional<bool>& result, std::string& error);
// Whether the collection holds an item equal to `item`.
bool contains_item(const Collection& items, const Item& item);

}  // namespace carebridge::fhir::fhirpath
