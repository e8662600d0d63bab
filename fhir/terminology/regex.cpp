// The bounded regex matcher (regex.h): a recursive-descent parser to a small tree,
// compiled to an instruction list (class, split, jump, match) and run as a Pike VM
// over the text's code points. Every limit is checked while compiling.
#include "fhir/terminology/regex.h"

#include <string>
#include <vector>

#include "fhir/json/utf8.h"

namespace carebridge::fhir::terminology {
namespace {

constexpr int kMaxDepth = 50;    // nested groups
constexpr int kMaxCount = 1000;  // n and m of {n,m}
constexpr int kUnbounded = -1;

struct CharClass {
  std::vector<std::pair<char32_t, char32_t>> ranges;
  bool negated = false;
  bool matches(char32_t c) const {
    bool in = false;
    for (const auto& [lo, hi] : ranges) in = in || (c >= lo && c <= hi);
    return in != negated;
  }
};

struct Node {
  enum Kind { kEmpty, kClass, kConcat, kAlt, kRepeat } kind = kEmpty;
  uint32_t cls = 0;
  int min = 0, max = 0;
  std::vector<Node> kids;
};

struct Inst {
  enum Op : uint8_t { kClass, kSplit, kJump, kMatch } op;
  uint32_t x = 0, y = 0;
};

// Adds the ranges of a \d \w \s escape (upper case: negated, only as a whole class).
bool shorthand(char32_t c, CharClass& cls) {
  switch (c) {
    case 'd':
    case 'D':
      cls.ranges.push_back({'0', '9'});
      break;
    case 'w':
    case 'W':
      cls.ranges.insert(cls.ranges.end(), {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'_', '_'}});
      break;
    case 's':
    case 'S':
      cls.ranges.insert(cls.ranges.end(),
                        {{' ', ' '}, {'\t', '\t'}, {'\n', '\n'}, {'\r', '\r'}, {'\f', '\f'}, {'\v', '\v'}});
      break;
    default:
      return false;
  }
  return true;
}

char32_t control_escape(char32_t c) {
  switch (c) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'f':
      return '\f';
    case 'v':
      return '\v';
    default:
      return c;
  }
}

class Parser {
 public:
  Parser(std::u32string pattern, std::vector<CharClass>& classes) : p_(std::move(pattern)), classes_(classes) {}

  bool parse(Node& out) {
    if (!alternation(out, 0)) return false;
    if (i_ != p_.size()) return fail("unbalanced ')'");
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  std::u32string p_;
  size_t i_ = 0;
  std::vector<CharClass>& classes_;
  std::string error_;

  bool fail(const std::string& message) {
    if (error_.empty()) error_ = message + " at " + std::to_string(i_ + 1);
    return false;
  }
  bool at_end() const { return i_ >= p_.size(); }
  Node class_node(CharClass cls) {
    classes_.push_back(std::move(cls));
    return Node{Node::kClass, static_cast<uint32_t>(classes_.size() - 1), 0, 0, {}};
  }

  bool alternation(Node& out, int depth) {
    if (depth > kMaxDepth) return fail("groups nested too deeply");
    Node first;
    if (!sequence(first, depth)) return false;
    if (at_end() || p_[i_] != '|') {
      out = std::move(first);
      return true;
    }
    out = Node{Node::kAlt, 0, 0, 0, {}};
    out.kids.push_back(std::move(first));
    while (!at_end() && p_[i_] == '|') {
      ++i_;
      Node next;
      if (!sequence(next, depth)) return false;
      out.kids.push_back(std::move(next));
    }
    return true;
  }

  bool sequence(Node& out, int depth) {
    out = Node{Node::kConcat, 0, 0, 0, {}};
    while (!at_end() && p_[i_] != '|' && p_[i_] != ')') {
      Node atom_node;
      if (!atom(atom_node, depth) || !quantifiers(atom_node)) return false;
      out.kids.push_back(std::move(atom_node));
    }
    return true;
  }

  bool number(int& n) {
    if (at_end() || p_[i_] < '0' || p_[i_] > '9') return false;
    n = 0;
    while (!at_end() && p_[i_] >= '0' && p_[i_] <= '9') {
      n = n * 10 + static_cast<int>(p_[i_++] - '0');
      if (n > kMaxCount) return false;
    }
    return true;
  }

  // {n}, {n,}, {n,m} after an atom; false (position unchanged) when it is not one.
  bool counted(int& min, int& max) {
    size_t start = i_;
    ++i_;  // '{'
    if (number(min)) {
      max = min;
      if (!at_end() && p_[i_] == ',') {
        ++i_;
        max = kUnbounded;
        if (!at_end() && p_[i_] != '}' && !number(max)) max = -2;
      }
      if (!at_end() && p_[i_] == '}' && max != -2 && (max == kUnbounded || max >= min)) {
        ++i_;
        return true;
      }
    }
    i_ = start;
    return false;
  }

  bool quantifiers(Node& node) {
    while (!at_end()) {
      int min = 0, max = 0;
      char32_t c = p_[i_];
      if (c == '*') {
        min = 0, max = kUnbounded, ++i_;
      } else if (c == '+') {
        min = 1, max = kUnbounded, ++i_;
      } else if (c == '?') {
        min = 0, max = 1, ++i_;
      } else if (c == '{') {
        if (!counted(min, max)) return fail("a '{' that is not a count {n}, {n,} or {n,m} up to 1000");
      } else {
        return true;
      }
      if (!at_end() && (p_[i_] == '?' || p_[i_] == '+')) ++i_;  // lazy or possessive: same whole-text match
      Node repeated{Node::kRepeat, 0, min, max, {}};
      repeated.kids.push_back(std::move(node));
      node = std::move(repeated);
    }
    return true;
  }

  bool atom(Node& out, int depth) {
    char32_t c = p_[i_++];
    switch (c) {
      case '(':
        if (i_ + 1 < p_.size() && p_[i_] == '?') {
          if (p_[i_ + 1] != ':') return fail("only (?: ) groups are supported");
          i_ += 2;
        }
        if (!alternation(out, depth + 1)) return false;
        if (at_end() || p_[i_] != ')') return fail("missing ')'");
        ++i_;
        return true;
      case '[':
        return char_class(out);
      case '.': {
        CharClass any;
        any.ranges.push_back({'\n', '\n'});
        any.negated = true;
        out = class_node(std::move(any));
        return true;
      }
      case '^':
        if (i_ != 1) return fail("'^' only at the start");
        out = Node{};
        return true;
      case '$':
        if (i_ != p_.size()) return fail("'$' only at the end");
        out = Node{};
        return true;
      case '*':
      case '+':
      case '?':
        return fail("nothing to repeat");
      case '\\':
        return escape(out);
      default: {
        CharClass one;
        one.ranges.push_back({c, c});
        out = class_node(std::move(one));
        return true;
      }
    }
  }

  bool escape(Node& out) {
    if (at_end()) return fail("a pattern cannot end with '\\'");
    char32_t c = p_[i_++];
    CharClass cls;
    if (shorthand(c, cls)) {
      cls.negated = c == 'D' || c == 'W' || c == 'S';
    } else if ((c >= '1' && c <= '9') || c == 'p' || c == 'P' || c == 'b' || c == 'B' || c == 'k') {
      return fail("back references, \\p{..} and word boundaries are not supported");
    } else {
      c = control_escape(c);
      cls.ranges.push_back({c, c});
    }
    out = class_node(std::move(cls));
    return true;
  }

  bool char_class(Node& out) {
    CharClass cls;
    if (!at_end() && p_[i_] == '^') {
      cls.negated = true;
      ++i_;
    }
    bool first = true;
    while (!at_end() && (p_[i_] != ']' || first)) {
      first = false;
      char32_t lo = p_[i_++];
      if (lo == '[') return fail("nested classes are not supported");
      if (lo == '\\') {
        if (at_end()) break;
        char32_t e = p_[i_++];
        if (shorthand(e, cls)) {
          if (e == 'D' || e == 'W' || e == 'S') return fail("negated shorthands inside a class are not supported");
          continue;
        }
        lo = control_escape(e);
      }
      char32_t hi = lo;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        hi = p_[i_ + 1];
        i_ += 2;
        if (hi == '\\' && !at_end()) hi = control_escape(p_[i_++]);
        if (hi < lo) return fail("a range from high to low");
      }
      cls.ranges.push_back({lo, hi});
    }
    if (at_end()) return fail("missing ']'");
    ++i_;
    out = class_node(std::move(cls));
    return true;
  }
};

class Compiler {
 public:
  explicit Compiler(std::vector<Inst>& program) : program_(program) {}

  bool emit(const Node& n) {
    if (program_.size() > BoundedRegex::kMaxProgram) return false;
    switch (n.kind) {
      case Node::kEmpty:
        return true;
      case Node::kClass:
        program_.push_back({Inst::kClass, n.cls, 0});
        return true;
      case Node::kConcat:
        for (const Node& k : n.kids) {
          if (!emit(k)) return false;
        }
        return true;
      case Node::kAlt:
        return alternation(n, 0);
      case Node::kRepeat:
        return repeat(n);
    }
    return false;
  }

 private:
  std::vector<Inst>& program_;

  uint32_t here() const { return static_cast<uint32_t>(program_.size()); }

  bool alternation(const Node& n, size_t k) {
    if (k + 1 == n.kids.size()) return emit(n.kids[k]);
    uint32_t split = here();
    program_.push_back({Inst::kSplit, split + 1, 0});
    if (!emit(n.kids[k])) return false;
    uint32_t jump = here();
    program_.push_back({Inst::kJump, 0, 0});
    program_[split].y = here();
    if (!alternation(n, k + 1)) return false;
    program_[jump].x = here();
    return true;
  }

  bool repeat(const Node& n) {
    const Node& body = n.kids.front();
    for (int k = 0; k < n.min; ++k) {
      if (!emit(body)) return false;
    }
    if (n.max == kUnbounded) {
      uint32_t split = here();
      program_.push_back({Inst::kSplit, split + 1, 0});
      if (!emit(body)) return false;
      program_.push_back({Inst::kJump, split, 0});
      program_[split].y = here();
      return true;
    }
    std::vector<uint32_t> splits;
    for (int k = n.min; k < n.max; ++k) {
      splits.push_back(here());
      program_.push_back({Inst::kSplit, here() + 1, 0});
      if (!emit(body)) return false;
    }
    for (uint32_t s : splits) program_[s].y = here();
    return program_.size() <= BoundedRegex::kMaxProgram;
  }
};

}  // namespace

struct BoundedRegex::Program {
  std::vector<CharClass> classes;
  std::vector<Inst> instructions;
};

Result<BoundedRegex> BoundedRegex::compile(std::string_view pattern) {
  if (pattern.size() > kMaxPattern) {
    return Result<BoundedRegex>::failure("too-costly",
                                         "the regex is longer than " + std::to_string(kMaxPattern) + " characters");
  }
  auto program = std::make_shared<Program>();
  Parser parser(json::decode_utf8(pattern), program->classes);
  Node root;
  if (!parser.parse(root))
    return Result<BoundedRegex>::failure("invalid",
                                         "the regex '" + std::string(pattern) + "' cannot be read: " + parser.error());
  Compiler compiler(program->instructions);
  if (!compiler.emit(root) || program->instructions.size() >= kMaxProgram) {
    return Result<BoundedRegex>::failure("too-costly", "the regex '" + std::string(pattern) + "' is too complex");
  }
  program->instructions.push_back({Inst::kMatch, 0, 0});
  BoundedRegex regex;
  regex.program_ = std::move(program);
  return regex;
}

bool BoundedRegex::full_match(std::string_view text) const {
  if (!program_ || text.size() > kMaxText * 4) return false;
  std::u32string chars = json::decode_utf8(text);
  if (chars.size() > kMaxText) return false;
  const auto& code = program_->instructions;
  std::vector<uint32_t> marks(code.size(), 0), current, next, stack;
  uint32_t generation = 0;
  // Follows jumps and splits from `pc`, adding the class and match states reached to `list`.
  auto add = [&](std::vector<uint32_t>& list, uint32_t pc) {
    stack.assign(1, pc);
    while (!stack.empty()) {
      uint32_t at = stack.back();
      stack.pop_back();
      if (marks[at] == generation) continue;
      marks[at] = generation;
      const Inst& inst = code[at];
      if (inst.op == Inst::kJump) {
        stack.push_back(inst.x);
      } else if (inst.op == Inst::kSplit) {
        stack.push_back(inst.y);
        stack.push_back(inst.x);
      } else {
        list.push_back(at);
      }
    }
  };
  ++generation;
  add(current, 0);
  for (char32_t c : chars) {
    ++generation;
    next.clear();
    for (uint32_t pc : current) {
      const Inst& inst = code[pc];
      if (inst.op == Inst::kClass && program_->classes[inst.x].matches(c)) add(next, pc + 1);
    }
    current.swap(next);
    if (current.empty()) return false;
  }
  for (uint32_t pc : current) {
    if (code[pc].op == Inst::kMatch) return true;
  }
  return false;
}

}  // namespace carebridge::fhir::terminology
