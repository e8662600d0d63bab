// Internal to the validator: whether a Questionnaire item is enabled in a response, by its
// enableWhen conditions and enableBehavior (R4, as the reference validator evaluates them).
#pragma once

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// Whether `definition` (a Questionnaire item) is enabled given the answers in `response`
// (the whole QuestionnaireResponse): an item without enableWhen always is. A condition
// looks at the answers of every response item with the question's linkId; 'exists'
// compares whether there is one with answerBoolean, the other operators hold when some
// answer compares so (none when there is no answer). enableBehavior 'any' needs one
// condition to hold, otherwise (all, or absent) every one.
bool item_enabled(const Element& definition, const Element& response);

}  // namespace carebridge::fhir::validation
