// per-1: a Period's start is not after its end, as the invariant's FHIRPath
// (start <= end) decides it with the time model's order: at the coarser of the two
// precisions, two date-times with times in UTC, a date against a date-time on the
// date as written. Equal at that precision is undecided, and undecided is no error.
#include "fhir/time/temporal.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {

void check_period(Run& run, const Element& period, const Path& path) {
  std::string_view start_text = value_of(child_named(period, "start"));
  std::string_view end_text = value_of(child_named(period, "end"));
  if (start_text.empty() || end_text.empty()) return;
  auto start = time::try_parse(start_text, time::Syntax::DateTime);
  auto end = time::try_parse(end_text, time::Syntax::DateTime);
  if (!start || !end) return;  // the primitive pass reports a malformed date
  auto order = time::compare(*start, *end);
  if (order && *order > 0) {
    run.report(Severity::Error, "invariant",
               "the period starts (" + std::string(start_text) + ") after it ends (" + std::string(end_text) + ") (per-1)",
               period, path);
  }
}

}  // namespace carebridge::fhir::validation
