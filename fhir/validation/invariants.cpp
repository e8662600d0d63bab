// Invariants: the FHIRPath constraints of each element definition and of each
// type's root, compiled once (per text, cached) and evaluated with their severity.
// The rules the validator checks natively (ele-1, dom-2..5, txt-1/2, Bundle rules, per-1)
// are skipped here so they are reported once. A constraint the engine cannot
// compile is noted once as a warning and then ignored.
#include <algorithm>
#include <unordered_set>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace defs = carebridge::fhir::definitions;
namespace {

bool checked_natively(std::string_view key) {
  static const std::unordered_set<std::string_view> native = {
      "ele-1", "dom-2", "dom-3", "dom-4",  "dom-5",  "txt-1",  "txt-2",  "bdl-1", "bdl-2", "bdl-3",
      "bdl-4", "bdl-5", "bdl-7", "bdl-8",  "bdl-9",  "bdl-10", "bdl-11", "bdl-12", "per-1"};
  return native.count(key) > 0;
}

// conformsTo() in an invariant: the element checked against the profile as a slice's member
// is, what that finds taken back out of the run's issues. Nested too deep (a profile whose
// invariant asks conformsTo of itself), it cannot tell.
std::optional<bool> conforms(Run& run, const Element& element, const std::string& url) {
  static thread_local int depth = 0;
  const defs::StructureDef* sd = run.state.profile(url);
  if (!sd || depth >= 4) return std::nullopt;
  ++depth;
  Frame saved = run.frame;
  if (element.is_resource()) run.frame.resource = &element;
  size_t before = run.issue_count();
  Path root{nullptr, element.is_resource() ? element.type : element.name, -1};
  check_against(run, element, *sd, 0, root);
  bool ok = run.error_count_since(before) == 0;
  run.issues().resize(before);
  run.frame = saved;
  --depth;
  return ok;
}

void evaluate(Run& run, const Element& node, const defs::Constraint& c, const fhirpath::Expression& expression,
              const Path& path) {
  // Contained resources are not expected to carry their own narrative; and data
  // systems send rarely has any: a best practice the ingest policy does not report.
  if (c.key == "dom-6" && ((node.is_resource() && node.name == "contained") || run.options.policy == Policy::Ingest)) return;
  fhirpath::Context context;
  context.resource = run.frame.resource;
  context.root_resource = run.frame.container;
  context.primitives_are_system_types = true;  // que-7: answer is Boolean
  context.empty_fails = true;                  // que-13: repeats = true or initial.count() <= 1
  context.conforms_to = [&run](const Element& element, const std::string& url) { return conforms(run, element, url); };
  // No answer (an evaluation problem is the engine's, not the resource's) is no failure.
  std::optional<bool> passed = run.engine->test(expression, node, context);
  if (!passed || *passed) return;
  run.report(c.severity == "error" ? Severity::Error : Severity::Warning, "invariant",
             "constraint " + c.key + " failed: " + c.human, node, path);
}

}  // namespace

std::shared_ptr<const fhirpath::Expression> ValidatorState::invariant(const fhirpath::Engine& engine,
                                                                      const std::string& expression,
                                                                      bool& first_failure) {
  first_failure = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = invariants_.find(expression); it != invariants_.end()) return it->second;
    if (failed_invariants_.count(expression)) return nullptr;
  }
  std::string error;
  auto compiled = engine.compile(expression, &error);
  std::lock_guard lock(mutex_);
  if (!compiled) {
    first_failure = failed_invariants_.insert(expression).second;
    return nullptr;
  }
  invariants_.emplace(expression, compiled);
  return compiled;
}

namespace {

// The element a contentReference reuses ("#Questionnaire.item" for Questionnaire.item.item):
// its constraints hold at every depth (que-1 on a nested item, cmp-1 on a nested section).
const defs::ElementDef* reused(const defs::Definitions& defs, const defs::ElementDef& e, const defs::StructureDef* type) {
  std::string_view id = e.content_reference;
  id.remove_prefix(std::min(id.size(), id.find('#') + 1));
  for (const defs::StructureDef* sd : {type, defs.type(id.substr(0, id.find('.')))}) {
    uint32_t at = sd ? sd->find(id) : defs::kNoElement;
    if (at != defs::kNoElement) return &sd->elements[at];
  }
  return nullptr;
}

// The expression a constraint is checked with. The R4 text of vs-1 casts a Period to
// dateTime, which is empty, so every vital sign with an effectivePeriod would fail; the
// reference validator checks the corrected rule (day precision for a dateTime only).
std::string as_checked(const defs::Constraint& c) {
  if (c.key == "vs-1" && c.expression == "($this as dateTime).toString().length() >= 8")
    return "$this is dateTime implies $this.toString().length() >= 10";
  return c.expression;
}

}  // namespace

const ConstraintList& ValidatorState::constraints(const fhirpath::Engine& engine, const defs::ElementDef* definition,
                                                  const defs::StructureDef* type, bool& first) {
  std::lock_guard lock(mutex_);
  first = false;
  auto& slot = constraint_lists_[{definition, type}];
  if (slot) return *slot;
  first = true;
  slot = std::make_unique<ConstraintList>();
  // In a profile, the constraints of the base types were checked by the base pass; the
  // ones the profile and the profiles it derives from add are its own (heartrate keeps
  // vitalsigns' vs-2 and vs-3, with vitalsigns as their source). A source that is not
  // loaded is left out, as before: whether the base pass checked it cannot be told.
  bool profile = type && type->derivation == defs::Derivation::Constraint;
  auto from_base_type = [&](const defs::Constraint& c) {
    if (c.source.empty() || c.source == type->url) return false;
    const defs::StructureDef* source = defs.structure(c.source);
    return !source || source->derivation != defs::Derivation::Constraint;
  };
  std::unordered_set<std::string_view> done;
  auto add_all = [&](const defs::ElementDef& e) {
    for (const auto& c : e.constraints) {
      if (profile && from_base_type(c)) continue;
      if (c.expression.empty() || checked_natively(c.key) || !done.insert(c.key).second) continue;
      bool first_failure = false;
      auto compiled = invariant(engine, as_checked(c), first_failure);
      slot->items.push_back({&c, std::move(compiled), first_failure});
    }
  };
  if (definition) add_all(*definition);
  if (definition && !definition->content_reference.empty())
    if (const defs::ElementDef* target = reused(defs, *definition, type)) add_all(*target);
  if (!profile && type && !type->elements.empty() && definition != &type->elements[0]) add_all(type->elements[0]);
  return *slot;
}

const ConstraintList& Run::constraints(const defs::ElementDef* definition, const defs::StructureDef* type, bool& first) {
  first = false;
  auto [it, added] = constraint_lists_.try_emplace({definition, type}, nullptr);
  if (added) it->second = &state.constraints(*engine, definition, type, first);
  return *it->second;
}

void check_invariants(Run& run, const Element& node, const defs::ElementDef* definition, const defs::StructureDef* type,
                      const Path& path) {
  bool first = false;
  const ConstraintList& list = run.constraints(definition, type, first);
  for (const auto& item : list.items) {
    if (item.expression) {
      evaluate(run, node, *item.constraint, *item.expression, path);
    } else if (first && item.first_failure) {
      run.report(Severity::Warning, "informational",
                 "the invariant " + item.constraint->key + " (" + item.constraint->expression +
                     ") cannot be evaluated here and was not checked",
                 node, path);
    }
  }
}

std::unique_ptr<Validator> Validator::with_invariants(const definitions::Definitions& definitions) {
  auto engine = std::make_shared<const fhirpath::Engine>(definitions);
  auto validator = std::make_unique<Validator>(definitions, engine.get());
  validator->owned_engine_ = std::move(engine);
  return validator;
}

}  // namespace carebridge::fhir::validation
