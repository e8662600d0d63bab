// Upper and lower case of letters by Unicode's simple (one-to-one) case mapping, for
// upper(), lower() and string equivalence (~). Covers the alphabets FHIR data is
// mostly written in: Latin (with Latin-1, Extended-A, the regular parts of
// Extended-B and Extended Additional), Greek, Cyrillic, Armenian and fullwidth Latin.
// A table, not the C library, so the answer does not depend on the process' locale.
#pragma once

#include <string>
#include <string_view>

namespace carebridge::fhir::fhirpath {

char32_t upper_case(char32_t c);
char32_t lower_case(char32_t c);
// `text` (UTF-8) with every letter mapped; other characters and bytes unchanged.
std::string to_upper(std::string_view text);
std::string to_lower(std::string_view text);
// `text` with letters that differ only in case made the same, for comparing: the lower
// case of the upper case, so final sigma ς and σ, µ and μ, ſ and s compare equal.
std::string fold_case(std::string_view text);

}  // namespace carebridge::fhir::fhirpath
