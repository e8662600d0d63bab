// Fuzzes the date/time reader (fhir/time) in every written form: it must refuse or accept
// without crashing, agree with itself with and without a message, write back what it read
// in a form it reads again, and order, bound, span and move what it accepted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fhir/time/arithmetic.h"
#include "fhir/time/temporal.h"

namespace ft = carebridge::fhir::time;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int s = 0; s <= static_cast<int>(ft::Syntax::FhirPathTime); ++s) {
    auto syntax = static_cast<ft::Syntax>(s);
    auto parsed = ft::parse(text, syntax);
    auto quick = ft::try_parse(text, syntax);
    if (parsed.ok() != quick.has_value()) std::abort();
    if (!quick) continue;
    auto again = ft::try_parse(ft::format(*quick), syntax);
    if (!again || ft::compare(*quick, *again) != 0) std::abort();
    (void)ft::utc_span(ft::boundary(*quick, size % 2 == 0));
    int64_t amount = static_cast<int64_t>(size) * 7919 - 40000;
    (void)ft::add(*quick, amount, static_cast<ft::CalendarUnit>(size % 8));
  }
  return 0;
}
