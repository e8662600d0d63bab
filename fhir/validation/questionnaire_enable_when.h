// Internal to the validator: whether a Questionnaire item is enabled in a response, by its
// enableWhen conditions and enableBehavior (R4, as the reference validator's
// EnableWhenEvaluator decides it).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// The answer values a condition on `question` looks at; the caller decides where in the
// response they are found (see answers_under).
using AnswerLookup = std::function<std::vector<const Element*>(std::string_view question)>;

// The answer values of the response items with `link_id` under `scope` (the response or one
// of its items), through nested items but not through answers, and of `scope` itself when it
// is such an item: where the reference looks once it has chosen the scope.
std::vector<const Element*> answers_under(const Element& scope, std::string_view link_id);

// Whether `definition` (a Questionnaire item) is enabled: an item without enableWhen always
// is. 'exists' compares whether there is an answer with answerBoolean; the other operators
// hold when some answer compares so (none when there is no answer). With enableBehavior
// 'any', or a single condition, one must hold; with 'all', every one; several conditions
// and no enableBehavior (which R4 requires) leave the item enabled, as the reference does.
bool item_enabled(const Element& definition, const AnswerLookup& answers);

}  // namespace carebridge::fhir::validation
