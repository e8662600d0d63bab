// The non-logical operators on evaluated operands: equality and equivalence,
// ordering, membership, union, string concatenation and arithmetic.
#pragma once

#include <string>

#include "fhir/fhirpath/ast.h"

namespace carebridge::fhir::fhirpath {

// Applies `op` to the operand collections; false with `error` on a type error.
bool apply_operator(Op op, const Collection& a, const Collection& b, Collection& out, std::string& error);

// Arithmetic on two single System values (+ - * / div mod); empty result as nullopt.
bool arithmetic(Op op, const Item& a, const Item& b, std::optional<Item>& result, std::string& error);

}  // namespace carebridge::fhir::fhirpath
