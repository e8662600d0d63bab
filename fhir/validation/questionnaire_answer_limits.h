// Internal to the validator: the limits a Questionnaire item's extensions set on its answers
// (minValue, maxValue, maxDecimalPlaces, minLength, regex, unitOption, mimeType, maxOccurs).
#pragma once

#include <cstddef>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

// The answer's value (answer.value[x]) within the limits of `item`, its Questionnaire item.
void check_answer_limits(Run& run, const Element& item, const Element& value, const Path& path);
// `given` answers (or, for a group, responses to it) at most questionnaire-maxOccurs.
void check_max_occurs(Run& run, const Element& item, size_t given, const Element& at, const Path& path);

}  // namespace carebridge::fhir::validation
