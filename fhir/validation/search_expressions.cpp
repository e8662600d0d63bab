// A SearchParameter's FHIRPath expression must be one that can select something from
// its bases: it compiles, and on a resource of each base type it names no element that
// type does not have and no other resource type than the bases (the FHIRPath engine's
// path checks). Only what is certain is reported: paths are checked as far as an empty
// resource of the base type reaches (its top-level elements, and what a cast names), and
// an expression is wrong only when it is wrong for every base.
#include "fhir/json/json_reader.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

// An empty resource of a concrete resource type, to evaluate the expression on.
model::ParseResult empty_resource(const definitions::Definitions& defs, std::string_view type) {
  return json::read("{\"resourceType\":\"" + std::string(type) + "\"}", defs);
}

void report(Run& run, const Element& expression, const Path& path, std::string_view text, const std::string& why) {
  Path at{&path, "expression", -1};
  run.report(Severity::Error, "invalid", "Error in search expression '" + std::string(text) + "': " + why, expression, at);
}

}  // namespace

void check_search_expression(Run& run, const Element& sp, const Path& path) {
  if (!run.engine) return;
  const Element* expression = child_named(sp, "expression");
  std::string_view text = value_of(expression);
  if (text.empty()) return;
  std::string error;
  auto compiled = run.engine->compile(text, &error);
  if (!compiled) {
    report(run, *expression, path, text, error);
    return;
  }
  std::vector<std::string> bases;
  for (const Element* c : sp.children()) {
    if (c->name != "base" || !c->has_value) continue;
    const definitions::StructureDef* type = run.defs.type(c->value);
    // An abstract base (Resource, DomainResource) has no resource to try the expression on.
    if (!type || !type->is_resource() || type->is_abstract) return;
    bases.emplace_back(c->value);
  }
  if (bases.empty()) return;
  std::string first_error;
  for (const std::string& base : bases) {
    model::ParseResult input = empty_resource(run.defs, base);
    if (!input.document || !input.document->root()) return;
    fhirpath::Context context;
    context.check_paths = true;
    context.typed_choice_names = true;
    for (const std::string& other : bases) {
      if (other != base) context.other_input_types.push_back(other);
    }
    fhirpath::Result result = run.engine->evaluate(*compiled, *input.document->root(), context);
    if (result.ok) return;  // it can select something from this base
    if (first_error.empty()) first_error = result.error + (bases.size() > 1 ? " (on " + base + ")" : "");
  }
  report(run, *expression, path, text, first_error);
}

}  // namespace carebridge::fhir::validation
