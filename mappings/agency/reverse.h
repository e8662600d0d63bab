// FHIR back into an agency's format, with the same spec that reads it, so that a partner
// without FHIR gets its data in a file it can open. The spec says what one row is about
// ("rows": "visit", each resource it calls `visit`; or "plan.activity[]", each activity of
// each plan). For each row, every column is read where the spec writes it: a column the
// spec writes as a lone {key} at some path of some resource is read back from that path of
// that resource — the row's own, or one reached through the references the spec makes
// (the visit's patient; the household Group whose member is that patient). Codes go back to
// the agency's own words; yes/no columns read Yes or No; values a spreadsheet would run as
// formulas are neutralised.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "fhir/model/result.h"
#include "mappings/agency/spec.h"

namespace carebridge::mappings::agency {

// The rows of `fhir` (a Bundle, or one resource) as CSV under the spec's column names;
// fails when the spec names no rows. `agency` fills {agency} in identifier systems.
Result<std::string> render_csv(const Spec& spec, const rapidjson::Value& fhir, const std::string& agency = "local");

}  // namespace carebridge::mappings::agency
