// Internal to the validator: whether a Questionnaire item is enabled in a response, by its
// enableWhen conditions and enableBehavior (R4, as the reference validator evaluates them).
#pragma once

#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// The answer values of a QuestionnaireResponse by linkId, at any depth: read once, so
// that deciding whether each item is enabled does not walk the response again.
using AnswersByLinkId = std::unordered_map<std::string_view, std::vector<const Element*>>;
AnswersByLinkId index_answers(const Element& response);

// Whether `definition` (a Questionnaire item) is enabled given the answers of the whole
// response: an item without enableWhen always is. A condition looks at the answers of
// every response item with the question's linkId; 'exists' compares whether there is one
// with answerBoolean, the other operators hold when some answer compares so (none when
// there is no answer). enableBehavior 'any' needs one condition to hold, otherwise (all,
// or absent) every one.
bool item_enabled(const Element& definition, const AnswersByLinkId& answers);

}  // namespace carebridge::fhir::validation
