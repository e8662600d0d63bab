// enableWhen of Questionnaire items, evaluated against a QuestionnaireResponse's answers.
#include "fhir/validation/questionnaire_enable_when.h"

#include <charconv>
#include <optional>

namespace carebridge::fhir::validation {
namespace {

void collect_answers(const Element& item, std::vector<const Element*>& out) {
  for (const Element* a : item.children()) {
    if (a->name != "answer") continue;
    for (const Element* v : a->children()) {
      if (v->base_name() == "value") out.push_back(v);
    }
  }
}

void collect_under(const Element& scope, std::string_view link_id, std::vector<const Element*>& out) {
  for (const Element* c : scope.children()) {
    if (c->name != "item") continue;
    if (value_of(child_named(*c, "linkId")) == link_id) collect_answers(*c, out);
    collect_under(*c, link_id, out);
  }
}

std::optional<double> number(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// An order that is no order: the two differ, but neither is greater (Codings, References).
constexpr int kUnequal = 2;

// A Coding matches the wanted one on its system when the wanted one names a system, and on
// its code (both with none, or the same).
bool same_coding(const Element& answer, const Element& wanted) {
  std::string_view wanted_system = value_of(child_named(wanted, "system"));
  if (!wanted_system.empty() && value_of(child_named(answer, "system")) != wanted_system) return false;
  const Element* wanted_code = child_named(wanted, "code");
  const Element* code = child_named(answer, "code");
  if (!wanted_code || !code) return !wanted_code && !code;
  return value_of(wanted_code) == value_of(code);
}

// -1, 0 or 1 as `answer` compares to `wanted`, kUnequal when they differ without an order;
// nullopt when they cannot be compared (other types). Quantities compare by value alone.
std::optional<int> compare(const Element& answer, const Element& wanted) {
  bool numeric = (answer.type == "integer" || answer.type == "decimal") &&
                 (wanted.type == "integer" || wanted.type == "decimal");
  bool quantities = answer.type == "Quantity" && wanted.type == "Quantity";
  if (numeric || quantities) {
    auto a = number(numeric ? answer.value : value_of(child_named(answer, "value")));
    auto w = number(numeric ? wanted.value : value_of(child_named(wanted, "value")));
    if (!a || !w) return std::nullopt;
    return *a < *w ? -1 : (*a > *w ? 1 : 0);
  }
  if (answer.type != wanted.type) return std::nullopt;
  if (answer.type == "Coding") return same_coding(answer, wanted) ? 0 : kUnequal;
  if (answer.type == "Reference") {
    return value_of(child_named(answer, "reference")) == value_of(child_named(wanted, "reference")) ? 0 : kUnequal;
  }
  if (!answer.has_value || !wanted.has_value) return std::nullopt;
  // Strings, and dates, dateTimes and times at one precision, order as text.
  return answer.value < wanted.value ? -1 : (answer.value > wanted.value ? 1 : 0);
}

bool holds(std::string_view op, int order) {
  if (order == kUnequal) return op == "!=";
  if (op == "=") return order == 0;
  if (op == "!=") return order != 0;
  if (op == ">") return order > 0;
  if (op == "<") return order < 0;
  if (op == ">=") return order >= 0;
  if (op == "<=") return order <= 0;
  return false;
}

bool condition_holds(const Element& condition, const std::vector<const Element*>& answers) {
  std::string_view op = value_of(child_named(condition, "operator"));
  const Element* wanted = nullptr;
  for (const Element* c : condition.children()) {
    if (c->base_name() == "answer") wanted = c;
  }
  if (op == "exists") return wanted && (value_of(wanted) == "true") == !answers.empty();
  if (!wanted) return false;
  for (const Element* a : answers) {
    if (auto order = compare(*a, *wanted); order && holds(op, *order)) return true;
  }
  return false;
}

}  // namespace

std::vector<const Element*> answers_under(const Element& scope, std::string_view link_id) {
  std::vector<const Element*> out;
  collect_under(scope, link_id, out);
  if (scope.name == "item" && value_of(child_named(scope, "linkId")) == link_id) collect_answers(scope, out);
  return out;
}

bool item_enabled(const Element& definition, const AnswerLookup& answers) {
  size_t conditions = 0, held = 0;
  for (const Element* c : definition.children()) {
    if (c->name != "enableWhen") continue;
    ++conditions;
    if (condition_holds(*c, answers(value_of(child_named(*c, "question"))))) ++held;
  }
  if (conditions == 0) return true;
  std::string_view behavior = value_of(child_named(definition, "enableBehavior"));
  if (behavior == "any" || conditions == 1) return held > 0;
  if (behavior == "all") return held == conditions;
  return true;  // several conditions and no enableBehavior: the reference leaves the item enabled
}

}  // namespace carebridge::fhir::validation
