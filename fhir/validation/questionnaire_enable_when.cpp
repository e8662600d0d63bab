// enableWhen of Questionnaire items, evaluated against a QuestionnaireResponse's answers.
#include "fhir/validation/questionnaire_enable_when.h"

#include <charconv>
#include <optional>

namespace carebridge::fhir::validation {
namespace {

void collect_answers(const Element& node, AnswersByLinkId& out) {
  for (const Element* c : node.children()) {
    if (c->name == "item") {
      auto& values = out[value_of(child_named(*c, "linkId"))];
      for (const Element* a : c->children()) {
        if (a->name != "answer") continue;
        for (const Element* v : a->children()) {
          if (v->base_name() == "value") values.push_back(v);
        }
      }
      collect_answers(*c, out);
    } else if (c->name == "answer") {
      collect_answers(*c, out);
    }
  }
}

std::optional<double> number(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// -1, 0 or 1 as `answer` compares to `wanted`; nullopt when they cannot be compared
// (other types, or Codings and Quantities, which are only equal or not).
std::optional<int> compare(const Element& answer, const Element& wanted) {
  bool numeric = (answer.type == "integer" || answer.type == "decimal") &&
                 (wanted.type == "integer" || wanted.type == "decimal");
  if (numeric) {
    auto a = number(answer.value), w = number(wanted.value);
    if (!a || !w) return std::nullopt;
    return *a < *w ? -1 : (*a > *w ? 1 : 0);
  }
  if (answer.type != wanted.type) return std::nullopt;
  if (answer.type == "Coding") {
    bool same = value_of(child_named(answer, "system")) == value_of(child_named(wanted, "system")) &&
                value_of(child_named(answer, "code")) == value_of(child_named(wanted, "code"));
    return same ? 0 : 1;
  }
  if (answer.type == "Quantity") {
    auto a = number(value_of(child_named(answer, "value"))), w = number(value_of(child_named(wanted, "value")));
    bool same = a && w && *a == *w && value_of(child_named(answer, "code")) == value_of(child_named(wanted, "code"));
    return same ? 0 : 1;
  }
  if (answer.type == "Reference") {
    return value_of(child_named(answer, "reference")) == value_of(child_named(wanted, "reference")) ? 0 : 1;
  }
  if (!answer.has_value || !wanted.has_value) return std::nullopt;
  // Strings, and dates, dateTimes and times at one precision, order as text.
  return answer.value < wanted.value ? -1 : (answer.value > wanted.value ? 1 : 0);
}

bool holds(std::string_view op, int order) {
  if (op == "=") return order == 0;
  if (op == "!=") return order != 0;
  if (op == ">") return order > 0;
  if (op == "<") return order < 0;
  if (op == ">=") return order >= 0;
  if (op == "<=") return order <= 0;
  return false;
}

bool condition_holds(const Element& condition, const AnswersByLinkId& index) {
  std::string_view question = value_of(child_named(condition, "question"));
  std::string_view op = value_of(child_named(condition, "operator"));
  const Element* wanted = nullptr;
  for (const Element* c : condition.children()) {
    if (c->base_name() == "answer") wanted = c;
  }
  static const std::vector<const Element*> none;
  auto found = index.find(question);
  const auto& answers = found == index.end() ? none : found->second;
  if (op == "exists") return wanted && (value_of(wanted) == "true") == !answers.empty();
  if (!wanted) return false;
  for (const Element* a : answers) {
    if (auto order = compare(*a, *wanted); order && holds(op, *order)) return true;
  }
  return false;
}

}  // namespace

AnswersByLinkId index_answers(const Element& response) {
  AnswersByLinkId index;
  collect_answers(response, index);
  return index;
}

bool item_enabled(const Element& definition, const AnswersByLinkId& answers) {
  bool any_behavior = value_of(child_named(definition, "enableBehavior")) == "any";
  bool seen = false;
  for (const Element* c : definition.children()) {
    if (c->name != "enableWhen") continue;
    seen = true;
    bool ok = condition_holds(*c, answers);
    if (any_behavior && ok) return true;
    if (!any_behavior && !ok) return false;
  }
  return !seen || !any_behavior;
}

}  // namespace carebridge::fhir::validation
