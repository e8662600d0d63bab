// Decimal: parsing, printing and exact arithmetic on scaled 128-bit integers.
#include "fhir/fhirpath/decimal.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace carebridge::fhir::fhirpath {
namespace {

constexpr int kMaxScale = 30;
constexpr Int128 kLimit = Int128(1) << 120;

Int128 pow10(int n) {
  Int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

Int128 abs128(Int128 v) { return v < 0 ? -v : v; }

// Brings both to the same scale; false on overflow.
bool align(Decimal& a, Decimal& b) {
  while (a.scale < b.scale) {
    if (abs128(a.mantissa) > kLimit / 10) return false;
    a.mantissa *= 10;
    ++a.scale;
  }
  while (b.scale < a.scale) {
    if (abs128(b.mantissa) > kLimit / 10) return false;
    b.mantissa *= 10;
    ++b.scale;
  }
  return true;
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view t) {
  Decimal d;
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg = t[i++] == '-';
  bool digits = false, point = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      digits = true;
      if (point && d.scale >= kMaxScale) continue;  // beyond the precision we keep
      if (abs128(d.mantissa) > kLimit / 10) return std::nullopt;
      d.mantissa = d.mantissa * 10 + (c - '0');
      if (point) ++d.scale;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  if (d.scale > kMaxScale) d = d.rescaled(kMaxScale);
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) eneg = t[i++] == '-';
    int e = 0;
    bool edigits = false;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
      edigits = true;
      e = e * 10 + (t[i] - '0');
      if (e > 60) return std::nullopt;
    }
    if (!edigits) return std::nullopt;
    d.scale += eneg ? e : -e;
    while (d.scale < 0) {
      if (abs128(d.mantissa) > kLimit / 10) return std::nullopt;
      d.mantissa *= 10;
      ++d.scale;
    }
    if (d.scale > kMaxScale) d = d.rescaled(kMaxScale);
  }
  if (i != t.size()) return std::nullopt;
  if (neg) d.mantissa = -d.mantissa;
  return d;
}

std::optional<Decimal> Decimal::from_double(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  auto d = parse(buffer);
  if (!d) return std::nullopt;
  return d->normalized();
}

std::string Decimal::to_string() const {
  Int128 v = abs128(mantissa);
  std::string digits;
  do {
    digits.insert(digits.begin(), char('0' + int(v % 10)));
    v /= 10;
  } while (v != 0);
  if (scale > 0) {
    while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
    digits.insert(digits.end() - scale, '.');
  }
  if (mantissa < 0) digits.insert(digits.begin(), '-');
  return digits;
}

double Decimal::to_double() const {
  // Through the text: exact to the nearest double, no extended-precision arithmetic.
  return std::strtod(to_string().c_str(), nullptr);
}

std::optional<int64_t> Decimal::to_int64() const {
  Int128 p = pow10(scale);
  if (mantissa % p != 0) return std::nullopt;
  Int128 v = mantissa / p;
  if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(v);
}

Decimal Decimal::rescaled(int digits) const {
  Decimal d = *this;
  if (digits < 0) digits = 0;
  while (d.scale < digits) {
    if (abs128(d.mantissa) > kLimit / 10) return d;
    d.mantissa *= 10;
    ++d.scale;
  }
  // Drop digits one at a time (no 10^n overflow for long fractions), rounding the last.
  while (d.scale > digits + 1) {
    d.mantissa /= 10;
    --d.scale;
  }
  if (d.scale > digits) {
    Int128 q = d.mantissa / 10, r = d.mantissa % 10;
    if (abs128(r) >= 5) q += d.mantissa < 0 ? -1 : 1;
    d.mantissa = q;
    d.scale = digits;
  }
  return d;
}

Decimal Decimal::normalized() const {
  Decimal d = *this;
  while (d.scale > 0 && d.mantissa % 10 == 0) {
    d.mantissa /= 10;
    --d.scale;
  }
  return d;
}

int compare(const Decimal& a, const Decimal& b) {
  Decimal x = a, y = b;
  if (!align(x, y)) {
    double dx = a.to_double(), dy = b.to_double();
    return dx < dy ? -1 : dx > dy ? 1 : 0;
  }
  return x.mantissa < y.mantissa ? -1 : x.mantissa > y.mantissa ? 1 : 0;
}

std::optional<Decimal> add(const Decimal& a, const Decimal& b) {
  Decimal x = a, y = b;
  if (!align(x, y)) return std::nullopt;
  x.mantissa += y.mantissa;
  return x;
}

std::optional<Decimal> subtract(const Decimal& a, const Decimal& b) { return add(a, negate(b)); }

std::optional<Decimal> multiply(const Decimal& a, const Decimal& b) {
  Decimal x = a.normalized(), y = b.normalized();
  auto bits = [](Int128 v) {
    int n = 0;
    for (v = abs128(v); v != 0; v >>= 1) ++n;
    return n;
  };
  while (bits(x.mantissa) + bits(y.mantissa) > 124 && (x.scale > 0 || y.scale > 0)) {
    if (x.scale >= y.scale) x = x.rescaled(x.scale - 1); else y = y.rescaled(y.scale - 1);
  }
  if (bits(x.mantissa) + bits(y.mantissa) > 124) return std::nullopt;
  Decimal r{x.mantissa * y.mantissa, x.scale + y.scale};
  if (r.scale > kMaxScale) r = r.rescaled(kMaxScale);
  // Keep the precision the operands were written with (2.0 * 2.0 = 4.00).
  int wanted = a.scale + b.scale;
  if (r.scale < wanted && wanted <= kMaxScale) r = r.rescaled(wanted);
  return r;
}

std::optional<Decimal> divide(const Decimal& a, const Decimal& b) {
  if (b.mantissa == 0) return std::nullopt;
  // a/b = (ma * 10^k) / mb with result scale sa + k - sb; aim for 8 + extra digits.
  int target = 8;
  if (a.scale > target) target = a.scale;
  if (b.scale > target) target = b.scale;
  int k = target + b.scale - a.scale + 1;
  Int128 num = a.mantissa;
  for (int i = 0; i < k; ++i) {
    if (abs128(num) > kLimit / 10) {
      // Too large to scale up: fall back to binary floating point.
      auto d = Decimal::from_double(a.to_double() / b.to_double());
      if (!d) return std::nullopt;
      return d;
    }
    num *= 10;
  }
  Decimal r{num / b.mantissa, a.scale + k - b.scale};
  r = r.rescaled(target).normalized();
  return r;
}

Decimal negate(const Decimal& a) { return {-a.mantissa, a.scale}; }

Decimal truncate(const Decimal& a) {
  Int128 p = pow10(a.scale);
  return {a.mantissa / p, 0};
}

Decimal floor(const Decimal& a) {
  Decimal t = truncate(a);
  if (a.mantissa < 0 && compare(t, a) != 0) t.mantissa -= 1;
  return t;
}

Decimal ceiling(const Decimal& a) {
  Decimal t = truncate(a);
  if (a.mantissa > 0 && compare(t, a) != 0) t.mantissa += 1;
  return t;
}

}  // namespace carebridge::fhir::fhirpath
