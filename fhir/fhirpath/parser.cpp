// FHIRPath parser: precedence climbing over the N1 grammar's operator levels.
#include "fhir/fhirpath/parser.h"

#include <vector>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/lexer.h"
#include "fhir/fhirpath/quantity.h"
#include "fhir/fhirpath/temporal.h"

namespace carebridge::fhir::fhirpath {
namespace {

constexpr int kMaxNesting = 200;

struct BinaryOp {
  std::string_view text;
  Op op;
  int level;
};

// Lowest level first, as the N1 precedence table (#13 up to #04) has them: implies <
// or/xor < and < in/contains < equality < inequality < | < is/as < additive <
// multiplicative. So `1 | 1 is Integer` is `1 | (1 is Integer)` and `1 > 2 is Boolean`
// compares 1 with a Boolean; the right side of is/as is only a type name, so
// `x as Quantity > 5 'mg'` compares the cast value.
constexpr BinaryOp kBinary[] = {
    {"implies", Op::Implies, 1}, {"or", Op::Or, 2},     {"xor", Op::Xor, 2},       {"and", Op::And, 3},
    {"in", Op::In, 4},           {"contains", Op::Contains, 4},                    {"=", Op::Equal, 5},
    {"~", Op::Equivalent, 5},    {"!=", Op::NotEqual, 5}, {"!~", Op::NotEquivalent, 5},
    {"<=", Op::LessEq, 6},       {"<", Op::Less, 6},    {">", Op::Greater, 6},     {">=", Op::GreaterEq, 6},
    {"|", Op::Union, 7},         {"is", Op::Is, 8},     {"as", Op::As, 8},         {"+", Op::Plus, 9},
    {"-", Op::Minus, 9},         {"&", Op::Concat, 9},  {"*", Op::Times, 10},      {"/", Op::Divide, 10},
    {"div", Op::Div, 10},        {"mod", Op::Mod, 10},
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::unique_ptr<Node> parse_all() {
    auto node = expression(1);
    if (!node) return nullptr;
    if (peek().kind != TokenKind::End) return error_at(peek(), "unexpected '" + peek().text + "'");
    return node;
  }
  const std::string& error() const { return error_; }

 private:
  const Token& peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool is_symbol(std::string_view s, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.kind == TokenKind::Symbol && t.text == s;
  }
  std::nullptr_t error_at(const Token& t, std::string message) {
    if (error_.empty()) {
      if (t.kind == TokenKind::End) message = message == "unexpected ''" ? "unexpected end of expression" : message;
      error_ = "at " + std::to_string(t.position) + ": " + message;
    }
    return nullptr;
  }
  bool expect(std::string_view s) {
    if (is_symbol(s)) {
      next();
      return true;
    }
    error_at(peek(), "expected '" + std::string(s) + "'" +
                         (peek().kind == TokenKind::End ? " at the end" : " but found '" + peek().text + "'"));
    return false;
  }

  const BinaryOp* binary_op() const {
    const Token& t = peek();
    if (t.kind != TokenKind::Symbol && t.kind != TokenKind::Identifier) return nullptr;
    for (const BinaryOp& b : kBinary) {
      if (b.text == t.text) return &b;
    }
    return nullptr;
  }

  std::unique_ptr<Node> expression(int min_level) {
    if (++nesting_ > kMaxNesting) return error_at(peek(), "expression nests too deeply");
    auto left = unary();
    while (left) {
      const BinaryOp* op = binary_op();
      if (!op || op->level < min_level) break;
      const Token& token = next();
      auto node = std::make_unique<Node>();
      node->position = token.position;
      node->op = op->op;
      node->args.push_back(std::move(left));
      if (op->op == Op::Is || op->op == Op::As) {
        node->kind = NodeKind::TypeTest;
        if (!type_specifier(node->type)) return nullptr;
      } else {
        node->kind = NodeKind::Binary;
        auto right = expression(op->level + 1);
        if (!right) return nullptr;
        node->args.push_back(std::move(right));
      }
      left = std::move(node);
    }
    --nesting_;
    return left;
  }

  std::unique_ptr<Node> unary() {
    if (is_symbol("+") || is_symbol("-")) {
      if (++nesting_ > kMaxNesting) return error_at(peek(), "expression nests too deeply");
      const Token& token = next();
      auto operand = unary();
      --nesting_;
      if (!operand) return nullptr;
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::Unary;
      node->op = token.text == "-" ? Op::Minus : Op::Plus;
      node->position = token.position;
      node->args.push_back(std::move(operand));
      return node;
    }
    return postfix();
  }

  std::unique_ptr<Node> postfix() {
    auto node = term();
    while (node) {
      if (is_symbol(".")) {
        next();
        node = invocation(std::move(node));
      } else if (is_symbol("[")) {
        const Token& open = next();
        auto index = expression(1);
        if (!index || !expect("]")) return nullptr;
        auto indexer = std::make_unique<Node>();
        indexer->kind = NodeKind::Indexer;
        indexer->position = open.position;
        indexer->args.push_back(std::move(node));
        indexer->args.push_back(std::move(index));
        node = std::move(indexer);
      } else {
        break;
      }
    }
    return node;
  }

  static bool is_identifier(const Token& t) {
    return t.kind == TokenKind::Identifier || t.kind == TokenKind::DelimitedIdentifier;
  }

  // After '.': a member name or a function call applied to `focus`.
  std::unique_ptr<Node> invocation(std::unique_ptr<Node> focus) {
    const Token& t = peek();
    if (t.kind == TokenKind::Dollar) {
      auto node = dollar();
      return node;  // `x.$this` means $this
    }
    if (!is_identifier(t)) return error_at(t, "expected a name after '.'");
    next();
    if (t.kind == TokenKind::Identifier && is_symbol("(")) return function(t, std::move(focus));
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::Member;
    node->name = t.text;
    node->position = t.position;
    node->focus = std::move(focus);
    return node;
  }

  std::unique_ptr<Node> function(const Token& name, std::unique_ptr<Node> focus) {
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::Function;
    node->name = name.text;
    node->position = name.position;
    node->focus = std::move(focus);
    node->function = find_function(name.text);
    if (!node->function) return error_at(name, "unknown function '" + name.text + "'");
    next();  // (
    if (node->function->type_argument) {
      if (!type_specifier(node->type) || !expect(")")) return nullptr;
      return node;
    }
    if (!is_symbol(")")) {
      while (true) {
        auto arg = expression(1);
        if (!arg) return nullptr;
        node->args.push_back(std::move(arg));
        if (is_symbol(",")) {
          next();
          continue;
        }
        break;
      }
    }
    if (!expect(")")) return nullptr;
    size_t n = node->args.size();
    if (n < node->function->min_args || n > node->function->max_args) {
      std::string want = node->function->min_args == node->function->max_args
                             ? std::to_string(node->function->min_args)
                             : std::to_string(node->function->min_args) + " to " + std::to_string(node->function->max_args);
      return error_at(name, name.text + "() takes " + want + " argument" + (want == "1" ? "" : "s") + ", got " +
                                std::to_string(n));
    }
    return node;
  }

  bool type_specifier(TypeSpecifier& type) {
    const Token& first = peek();
    if (!is_identifier(first)) {
      error_at(first, "expected a type name");
      return false;
    }
    next();
    if (is_symbol(".") && is_identifier(peek(1))) {
      next();
      type.ns = first.text;
      type.name = next().text;
    } else {
      type.name = first.text;
    }
    return true;
  }

  std::unique_ptr<Node> dollar() {
    const Token& t = next();
    auto node = std::make_unique<Node>();
    node->position = t.position;
    if (t.text == "this") node->kind = NodeKind::This;
    else if (t.text == "index") node->kind = NodeKind::Index;
    else if (t.text == "total") node->kind = NodeKind::Total;
    else return error_at(t, "unknown special variable $" + t.text);
    return node;
  }

  std::unique_ptr<Node> literal(const Token& at, Item item) {
    auto node = std::make_unique<Node>();
    node->kind = NodeKind::Literal;
    node->position = at.position;
    node->literal = std::move(item);
    return node;
  }

  std::unique_ptr<Node> number(const Token& t) {
    auto value = Decimal::parse(t.text);
    if (!value) return error_at(t, "number out of range: " + t.text);
    const Token& unit = peek();
    if (unit.kind == TokenKind::String) {
      next();
      // Units this engine cannot convert are kept (they compare by their code); a quoted
      // calendar word ('month') is that calendar duration's unit representation.
      return literal(t, make_quantity(*value, unit.text));
    }
    if (unit.kind == TokenKind::Identifier && is_calendar_unit(unit.text)) {
      next();
      return literal(t, make_quantity(*value, unit.text));
    }
    if (t.text.find('.') == std::string::npos) {
      auto i = value->to_int64();
      if (!i) return error_at(t, "integer out of range: " + t.text);
      return literal(t, make_integer(*i));
    }
    Item d;
    d.type = SystemType::Decimal;
    d.text = t.text;
    return literal(t, std::move(d));
  }

  std::unique_ptr<Node> term() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::Number: next(); return number(t);
      case TokenKind::String: next(); return literal(t, make_string(t.text));
      case TokenKind::DateTime: {
        next();
        auto v = parse_date_time(t.text);
        if (!v) return error_at(t, "invalid date or date-time @" + t.text);
        Item item;
        item.type = v->has_time ? SystemType::DateTime : SystemType::Date;
        item.text = t.text;
        return literal(t, std::move(item));
      }
      case TokenKind::Time: {
        next();
        auto v = parse_time(t.text);
        if (!v) return error_at(t, "invalid time @T" + t.text);
        Item item;
        item.type = SystemType::Time;
        item.text = t.text;
        return literal(t, std::move(item));
      }
      case TokenKind::Variable: {
        next();
        auto node = std::make_unique<Node>();
        node->kind = NodeKind::Variable;
        node->name = t.text;
        node->position = t.position;
        return node;
      }
      case TokenKind::Dollar: return dollar();
      case TokenKind::Identifier:
        if (t.text == "true" || t.text == "false") {
          next();
          return literal(t, make_boolean(t.text == "true"));
        }
        [[fallthrough]];
      case TokenKind::DelimitedIdentifier: {
        next();
        if (t.kind == TokenKind::Identifier && is_symbol("(")) return function(t, nullptr);
        auto node = std::make_unique<Node>();
        node->kind = NodeKind::Member;
        node->name = t.text;
        node->position = t.position;
        return node;
      }
      case TokenKind::Symbol:
        if (t.text == "(") {
          next();
          auto inner = expression(1);
          if (!inner || !expect(")")) return nullptr;
          return inner;
        }
        if (t.text == "{") {
          next();
          if (!expect("}")) return nullptr;
          auto node = std::make_unique<Node>();
          node->kind = NodeKind::Empty;
          node->position = t.position;
          return node;
        }
        return error_at(t, "unexpected '" + t.text + "'");
      case TokenKind::End: return error_at(t, "unexpected end of expression");
    }
    return error_at(t, "unexpected '" + t.text + "'");
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;
  std::string error_;
};

}  // namespace

std::unique_ptr<Node> parse_expression(std::string_view text, std::string& error) {
  std::vector<Token> tokens;
  if (!tokenize(text, tokens, error)) return nullptr;
  if (tokens.size() == 1) {
    error = "at 1: empty expression";
    return nullptr;
  }
  Parser parser(std::move(tokens));
  auto root = parser.parse_all();
  if (!root) error = parser.error();
  return root;
}

}  // namespace carebridge::fhir::fhirpath
