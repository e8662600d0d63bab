// The validator's walk: visits every node of a resource once, checks the children
// of each node against the definition of its shape (cardinality), and hands each
// node to the passes that apply to it (primitives, terminology, references,
// extensions, narrative, invariants), then the resource-level rules and profiles.
#include "fhir/validation/validator.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_set>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace defs = carebridge::fhir::definitions;

std::string Path::text() const {
  std::vector<const Path*> chain;
  for (const Path* p = this; p; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!out.empty()) out += '.';
    out += (*it)->name;
    if ((*it)->index >= 0) out += '[' + std::to_string((*it)->index) + ']';
  }
  return out;
}

void Run::report(Severity severity, std::string code, std::string message, const Element& at, const Path& path) {
  report(severity, std::move(code), std::move(message), at, path.text());
}

void Run::report(Severity severity, std::string code, std::string message, const Element& at, const std::string& path) {
  issues_.push_back({severity, std::move(code), std::move(message), path, at.position});
}

size_t Run::error_count_since(size_t start) const {
  size_t n = 0;
  for (size_t i = start; i < issues_.size(); ++i) {
    if (issues_[i].severity == Severity::Error || issues_[i].severity == Severity::Fatal) ++n;
  }
  return n;
}

const Element* child_named(const Element& node, std::string_view name) {
  for (const Element* c : node.children()) {
    if (c->name == name) return c;
  }
  return nullptr;
}

std::string_view value_of(const Element* node) { return node && node->has_value ? node->value : std::string_view{}; }

size_t skip_bytes_not_below(std::string_view text, unsigned char limit) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t block;
    std::memcpy(&block, text.data() + i, 8);
    if ((block - kOnes * limit) & ~block & (kOnes * 0x80)) break;  // some byte is below `limit`
  }
  return i;
}

bool has_whitespace(std::string_view text) {
  for (size_t i = skip_bytes_not_below(text, 0x21); i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  }
  return false;
}

// Quantity and the types R4 derives from it (checked by first letter: this runs on every node).
bool quantity_type(std::string_view type) {
  switch (type.empty() ? '\0' : type.front()) {
    case 'Q': return type == "Quantity";
    case 'A': return type == "Age";
    case 'C': return type == "Count";
    case 'D': return type == "Distance" || type == "Duration";
    case 'S': return type == "SimpleQuantity";
    case 'M': return type == "MoneyQuantity";
    default: return false;
  }
}

void Run::resource(const Element& r, const Path& path) {
  Frame saved = frame;
  frame.resource = &r;
  // A contained resource's "#id" references point into its container's contained list.
  bool is_contained = r.parent && r.name == "contained";
  std::unordered_set<std::string> referenced;
  if (!is_contained) {
    frame.container = &r;
    frame.referenced = &referenced;
  }
  if (r.parent && r.parent->name == "entry" && r.parent->parent && r.parent->parent->type == "Bundle") {
    frame.entry = r.parent;
    frame.full_url = value_of(child_named(*r.parent, "fullUrl"));
  }
  BundleIndex index;
  if (r.type == "Bundle") {
    index_bundle(r, index);
    frame.bundle = &index;
  }
  if (r.type == "Bundle") check_bundle(*this, r, index, path);
  check_resource_rules(*this, r, path);
  walk(r, path);
  if (!is_contained) check_contained(*this, r, path);
  check_profiles(*this, r, path);
  frame = saved;
}

void Run::walk(const Element& node, const Path& path) {
  if (node.kind == model::NodeKind::Unknown) return;  // the reader reported it
  const defs::StructureDef* type = node.structure;
  bool own_type = type && (!node.parent || node.parent->structure != type || node.is_resource());
  if (node.is_primitive()) {
    check_primitive(*this, node, path);
  } else if (!node.is_resource() && (!node.first_child || (node.child_count == 1 && node.first_child->name == "id"))) {
    // ele-1: "hasValue() or (children().count() > id.count())": an id alone is not content.
    report(Severity::Error, "invariant",
           node.first_child ? "element has only an id, and neither a value nor children (ele-1)"
                            : "element has neither a value nor children (ele-1)",
           node, path);
  }
  if (node.definition && node.definition->binding && node.definition->binding->strength != "example") {
    check_binding(*this, node, *node.definition->binding, path);
  }
  if (node.type == "Coding") check_coding_system(*this, node, path);
  if (quantity_type(node.type)) check_quantity_code(*this, node, path);
  if (node.type == "Identifier") check_identifier(*this, node, path);
  if (node.type == "Reference") check_reference(*this, node, path);
  if (node.type == "Period") check_period(*this, node, path);
  if (node.type == "Attachment") check_attachment(*this, node, path);
  if (node.is_primitive() && node.has_value) note_local_reference(*this, node, path);
  if (node.definition && node.definition->xhtml) check_narrative(*this, node, path);
  if ((node.name == "extension" || node.name == "modifierExtension") && node.type == "Extension") {
    check_extension(*this, node, path);
  }
  if (node.definition && node.definition->fixed && !matches_value(state, node, *node.definition->fixed, true)) {
    report(Severity::Error, "value", "value does not match the fixed value " + node.definition->fixed->json, node, path);
  }
  if (node.definition) check_limits(*this, node, *node.definition, {}, path);
  // A datatype the definition profiles: dispenseRequest.quantity is a SimpleQuantity (no
  // comparator, sqty-1), a price a MoneyQuantity.
  if (node.definition && !node.is_resource() && node.type != "Extension") {
    check_type_profiles(*this, node, *node.definition, node.structure, path);
  }
  if (options.invariants && engine) check_invariants(*this, node, node.definition, own_type ? type : nullptr, path);
  children(node, path);
}

void Run::children(const Element& node, const Path& path) {
  const defs::StructureDef* sd = node.structure;
  if (!sd || sd->elements.empty()) return;
  std::string_view previous;
  int repeat = 0;
  for (const Element* c : node.children()) {
    repeat = c->name == previous ? repeat + 1 : 0;
    previous = c->name;
    Path child{&path, c->name, c->repeats() ? repeat : -1};
    if (c->is_resource()) {
      resource(*c, child);
    } else {
      walk(*c, child);
    }
  }
  if (node.is_primitive()) return;  // only id and extensions, both optional
  // Cardinality: only children with a minimum or a bounded repeat are counted (few are).
  const auto& shape = sd->elements[sd->shape_of(node.shape)];
  for (uint32_t index : shape.children) {
    const auto& d = sd->elements[index];
    bool bounded = d.repeats && d.max != defs::kUnbounded;  // max 1: the readers report it
    if (d.min == 0 && !bounded) continue;
    uint32_t count = 0;
    for (const Element* c : node.children()) count += c->definition == &d ? 1 : 0;
    if (count < d.min) {
      report(Severity::Error, "required",
             "'" + d.name + "' is required: minimum " + std::to_string(d.min) + ", found " + std::to_string(count), node,
             path.text() + "." + d.name);
    } else if (bounded && count > d.max) {
      report(Severity::Error, "structure",
             "'" + d.name + "' allows at most " + std::to_string(d.max) + ", found " + std::to_string(count), node,
             path.text() + "." + d.name);
    }
  }
}

namespace {

// Issues compared field by field, by their index in the list (no key text is built).
struct SameIssue {
  const std::vector<model::Issue>& issues;
  bool operator()(size_t a, size_t b) const {
    const model::Issue &x = issues[a], &y = issues[b];
    return x.severity == y.severity && x.position.line == y.position.line && x.position.column == y.position.column &&
           x.code == y.code && x.expression == y.expression && x.message == y.message;
  }
};

struct IssueHash {
  const std::vector<model::Issue>& issues;
  size_t operator()(size_t i) const {
    const model::Issue& x = issues[i];
    std::hash<std::string_view> text;
    size_t h = text(x.message) ^ (text(x.expression) * 31) ^ (text(x.code) * 131);
    return h ^ ((static_cast<size_t>(x.position.line) << 20) + x.position.column + static_cast<size_t>(x.severity));
  }
};

// A rule met through two routes (a base and a profile binding) is reported once.
void drop_repeated(std::vector<model::Issue>& issues) {
  std::unordered_set<size_t, IssueHash, SameIssue> seen(issues.size(), IssueHash{issues}, SameIssue{issues});
  std::vector<bool> repeated(issues.size());
  for (size_t i = 0; i < issues.size(); ++i) repeated[i] = !seen.insert(i).second;
  size_t kept = 0;
  for (size_t i = 0; i < issues.size(); ++i) {
    if (repeated[i]) continue;
    if (kept != i) issues[kept] = std::move(issues[i]);
    ++kept;
  }
  issues.erase(issues.begin() + static_cast<std::ptrdiff_t>(kept), issues.end());
}

}  // namespace

Validator::Validator(const defs::Definitions& definitions, const fhirpath::Engine* engine)
    : definitions_(definitions),
      engine_(engine),
      state_(std::make_unique<ValidatorState>(definitions, engine ? &engine->terminology() : nullptr)) {}

Validator::~Validator() = default;

std::vector<model::Issue> Validator::validate(const model::Element& resource, const Options& options) const {
  std::vector<model::Issue> issues;
  Run run(definitions_, engine_, *state_, options, issues);
  Path root{nullptr, resource.type, -1};
  run.resource(resource, root);
  drop_repeated(issues);
  return issues;
}

bool has_errors(const std::vector<model::Issue>& issues) {
  return std::any_of(issues.begin(), issues.end(), [](const model::Issue& i) {
    return i.severity == Severity::Error || i.severity == Severity::Fatal;
  });
}

}  // namespace carebridge::fhir::validation
