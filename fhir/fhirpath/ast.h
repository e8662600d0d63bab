// The compiled form of an expression: a tree of nodes built once by the parser and
// walked by the evaluator. Function calls are resolved to their implementation at
// compile time; type specifiers are resolved to (namespace, name).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fhir/fhirpath/fhirpath.h"

namespace carebridge::fhir::fhirpath {

enum class NodeKind : uint8_t {
  Literal,     // a System value (`literal`)
  Empty,       // {}
  Member,      // `focus.name`, or `name` on $this when focus is null
  Function,    // `focus.name(args)`, or `name(args)` on $this
  Indexer,     // args[0][args[1]]
  Unary,       // op args[0]
  Binary,      // args[0] op args[1]
  TypeTest,    // args[0] is/as type
  This,        // $this
  Index,       // $index
  Total,       // $total
  Variable,    // %name
};

enum class Op : uint8_t {
  None, Plus, Minus, Times, Divide, Div, Mod, Concat, Union, Less, LessEq, Greater, GreaterEq,
  Equal, NotEqual, Equivalent, NotEquivalent, In, Contains, And, Or, Xor, Implies, Is, As,
};

struct FunctionSpec;

// A type named in `is`, `as`, `ofType`: namespace empty when not qualified.
struct TypeSpecifier {
  std::string ns;
  std::string name;
};

struct Node {
  NodeKind kind = NodeKind::Literal;
  Op op = Op::None;
  uint32_t position = 0;  // 1-based character offset in the expression text
  std::string name;       // member, function or variable name
  Item literal;
  TypeSpecifier type;     // TypeTest and type-taking functions
  const FunctionSpec* function = nullptr;
  std::unique_ptr<Node> focus;  // Member/Function: the expression before '.'; null on $this
  std::vector<std::unique_ptr<Node>> args;
};

class Expression {
 public:
  Expression(std::string text, std::unique_ptr<Node> root) : text_(std::move(text)), root_(std::move(root)) {}
  const std::string& text() const { return text_; }
  const Node& root() const { return *root_; }

 private:
  std::string text_;
  std::unique_ptr<Node> root_;
};

}  // namespace carebridge::fhir::fhirpath
