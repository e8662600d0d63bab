// A bounded regular expression matcher for ValueSet `regex` filters, whose patterns
// may come from untrusted packages: patterns compile to a small automaton run in
// lock step over the text (Thompson/Pike), so matching takes time linear in the text
// times the pattern, never exponential. Patterns longer or more complex than the
// limits are refused, not run. Syntax: literals, '.', escapes (\d \w \s and their
// negations, \t \n \r, escaped metacharacters), classes [a-z] [^...], groups ( ) and
// (?: ), '|', and * + ? {n} {n,} {n,m} (lazy forms match the same); '^' and '$' at
// the ends are accepted. A match is of the whole text, as XML Schema and Java's
// String.matches read a FHIR regex.
#pragma once

#include <memory>
#include <string_view>

#include "fhir/model/result.h"

namespace carebridge::fhir::terminology {

class BoundedRegex {
 public:
  static constexpr size_t kMaxPattern = 1000;  // characters
  static constexpr size_t kMaxProgram = 5000;  // automaton states after expanding {n,m}
  static constexpr size_t kMaxText = 10'000;   // characters of text matched (longer: no match)

  // Compiles `pattern`; a failure says why (bad syntax, too long, too complex).
  static Result<BoundedRegex> compile(std::string_view pattern);

  // Whether the whole of `text` (UTF-8) matches.
  bool full_match(std::string_view text) const;

  struct Program;

 private:
  std::shared_ptr<const Program> program_;
};

}  // namespace carebridge::fhir::terminology
