// Exact decimal arithmetic for FHIRPath Decimal values: a scaled 128-bit integer,
// so `1.50` keeps its precision and `0.1 + 0.2 = 0.3` holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace carebridge::fhir::fhirpath {

__extension__ typedef __int128 Int128;

struct Decimal {
  Int128 mantissa = 0;  // value = mantissa / 10^scale
  int scale = 0;        // digits after the decimal point (>= 0)

  static std::optional<Decimal> parse(std::string_view text);
  static Decimal from_int(int64_t value) { return {value, 0}; }
  static std::optional<Decimal> from_double(double value);

  std::string to_string() const;
  double to_double() const;
  bool is_zero() const { return mantissa == 0; }
  bool negative() const { return mantissa < 0; }
  // The value as an integer when it has no fractional part and fits.
  std::optional<int64_t> to_int64() const;
  // Same value written with `digits` decimals (rounded half away from zero).
  Decimal rescaled(int digits) const;
  // Drops trailing fractional zeros.
  Decimal normalized() const;
};

// Three-way comparison by value (1.10 == 1.1).
int compare(const Decimal& a, const Decimal& b);
std::optional<Decimal> add(const Decimal& a, const Decimal& b);
std::optional<Decimal> subtract(const Decimal& a, const Decimal& b);
std::optional<Decimal> multiply(const Decimal& a, const Decimal& b);
// Division to at least 8 decimals, trailing zeros dropped; nullopt for division by zero.
std::optional<Decimal> divide(const Decimal& a, const Decimal& b);
Decimal negate(const Decimal& a);
// Truncation toward zero, floor and ceiling to an integral decimal.
Decimal truncate(const Decimal& a);
Decimal floor(const Decimal& a);
Decimal ceiling(const Decimal& a);

}  // namespace carebridge::fhir::fhirpath
