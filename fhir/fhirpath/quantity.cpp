// UCUM subset: prefixes, base and derived atoms, products, quotients, exponents.
#include "fhir/fhirpath/quantity.h"

#include <algorithm>
#include <cmath>

namespace carebridge::fhir::fhirpath {
namespace {

enum Dim { M, G, S, MOL, K, IU, EQ };

struct Atom {
  std::string_view code;
  std::string_view factor;
  std::array<int, 7> dims;
  bool metric;  // takes prefixes
};

// Factors relative to m, g, s, mol, K.
constexpr Atom kAtoms[] = {
    {"m", "1", {1, 0, 0, 0, 0, 0, 0}, true},
    {"g", "1", {0, 1, 0, 0, 0, 0, 0}, true},
    {"s", "1", {0, 0, 1, 0, 0, 0, 0}, true},
    {"mol", "602213670000000000000000", {0, 0, 0, 0, 0, 0, 0}, true},
    {"K", "1", {0, 0, 0, 0, 1, 0, 0}, true},
    {"[iU]", "1", {0, 0, 0, 0, 0, 1, 0}, true},
    {"[IU]", "1", {0, 0, 0, 0, 0, 1, 0}, true},
    {"U", "1", {0, 0, 0, 0, 0, 1, 0}, true},
    {"eq", "602213670000000000000000", {0, 0, 0, 0, 0, 0, 0}, true},
    {"osm", "602213670000000000000000", {0, 0, 0, 0, 0, 0, 0}, true},
    {"l", "0.001", {3, 0, 0, 0, 0, 0, 0}, true},
    {"L", "0.001", {3, 0, 0, 0, 0, 0, 0}, true},
    {"min", "60", {0, 0, 1, 0, 0, 0, 0}, false},
    {"h", "3600", {0, 0, 1, 0, 0, 0, 0}, false},
    {"d", "86400", {0, 0, 1, 0, 0, 0, 0}, false},
    {"wk", "604800", {0, 0, 1, 0, 0, 0, 0}, false},
    {"mo", "2629800", {0, 0, 1, 0, 0, 0, 0}, false},
    {"a", "31557600", {0, 0, 1, 0, 0, 0, 0}, false},
    {"Hz", "1", {0, 0, -1, 0, 0, 0, 0}, true},
    {"N", "1000", {1, 1, -2, 0, 0, 0, 0}, true},
    {"Pa", "1000", {-1, 1, -2, 0, 0, 0, 0}, true},
    {"J", "1000", {2, 1, -2, 0, 0, 0, 0}, true},
    {"W", "1000", {2, 1, -3, 0, 0, 0, 0}, true},
    {"bar", "100000000", {-1, 1, -2, 0, 0, 0, 0}, true},
    {"mm[Hg]", "133322", {-1, 1, -2, 0, 0, 0, 0}, false},
    {"cm[H2O]", "98066.5", {-1, 1, -2, 0, 0, 0, 0}, false},
    {"cal", "4184", {2, 1, -2, 0, 0, 0, 0}, true},
    {"[in_i]", "0.0254", {1, 0, 0, 0, 0, 0, 0}, false},
    {"[ft_i]", "0.3048", {1, 0, 0, 0, 0, 0, 0}, false},
    {"[yd_i]", "0.9144", {1, 0, 0, 0, 0, 0, 0}, false},
    {"[mi_i]", "1609.344", {1, 0, 0, 0, 0, 0, 0}, false},
    {"[lb_av]", "453.59237", {0, 1, 0, 0, 0, 0, 0}, false},
    {"[oz_av]", "28.349523125", {0, 1, 0, 0, 0, 0, 0}, false},
    {"[gr]", "0.06479891", {0, 1, 0, 0, 0, 0, 0}, false},
    {"[pt_us]", "0.473176473", {3, 0, 0, 0, 0, 0, 0}, false},
    {"[foz_us]", "0.0000295735295625", {3, 0, 0, 0, 0, 0, 0}, false},
    {"t", "1000000", {0, 1, 0, 0, 0, 0, 0}, true},
    {"%", "0.01", {0, 0, 0, 0, 0, 0, 0}, false},
    {"[ppm]", "0.000001", {0, 0, 0, 0, 0, 0, 0}, false},
    {"10*3", "1000", {0, 0, 0, 0, 0, 0, 0}, false},
    {"10*6", "1000000", {0, 0, 0, 0, 0, 0, 0}, false},
    {"10*9", "1000000000", {0, 0, 0, 0, 0, 0, 0}, false},
    {"10*12", "1000000000000", {0, 0, 0, 0, 0, 0, 0}, false},
    {"[pH]", "1", {0, 0, 0, 0, 0, 0, 1}, false},
    {"1", "1", {0, 0, 0, 0, 0, 0, 0}, false},
};

struct Prefix {
  std::string_view code;
  int exponent;
};
constexpr Prefix kPrefixes[] = {{"da", 1},  {"Y", 24},  {"Z", 21},  {"E", 18}, {"P", 15}, {"T", 12}, {"G", 9},
                                {"M", 6},   {"k", 3},   {"h", 2},   {"d", -1}, {"c", -2}, {"m", -3}, {"u", -6},
                                {"n", -9},  {"p", -12}, {"f", -15}, {"a", -18}};

Decimal power_of_ten(int exponent) {
  Decimal d{1, 0};
  if (exponent >= 0) {
    for (int i = 0; i < exponent; ++i) d.mantissa *= 10;
  } else {
    d.scale = -exponent;
  }
  return d;
}

const Atom* find_atom(std::string_view code) {
  for (const Atom& a : kAtoms) {
    if (a.code == code) return &a;
  }
  return nullptr;
}

std::optional<CanonicalUnit> atom_unit(std::string_view code) {
  if (const Atom* a = find_atom(code)) {
    Decimal factor = *Decimal::parse(a->factor);
    return CanonicalUnit{factor, a->dims, factor.to_double()};
  }
  for (const Prefix& p : kPrefixes) {
    if (!code.starts_with(p.code)) continue;
    const Atom* a = find_atom(code.substr(p.code.size()));
    if (!a || !a->metric) continue;
    auto f = multiply(*Decimal::parse(a->factor), power_of_ten(p.exponent));
    if (!f) return std::nullopt;
    return CanonicalUnit{*f, a->dims, Decimal::parse(a->factor)->to_double() * std::pow(10.0, p.exponent)};
  }
  return std::nullopt;
}

bool combine(CanonicalUnit& into, const CanonicalUnit& term, int exponent) {
  for (int e = 0; e < (exponent < 0 ? -exponent : exponent); ++e) {
    auto f = exponent < 0 ? divide(into.factor, term.factor) : multiply(into.factor, term.factor);
    if (!f) return false;
    into.factor = *f;
    into.magnitude = exponent < 0 ? into.magnitude / term.magnitude : into.magnitude * term.magnitude;
  }
  for (size_t i = 0; i < into.dims.size(); ++i) into.dims[i] += term.dims[i] * exponent;
  return true;
}

// term := '(' expr ')' | atom [exponent]; expr := term (('.' | '/') term)*
std::optional<CanonicalUnit> parse_expression(std::string_view u, size_t& i, int depth);

std::optional<CanonicalUnit> parse_term(std::string_view u, size_t& i, int depth) {
  if (i < u.size() && u[i] == '(') {
    ++i;
    auto inner = parse_expression(u, i, depth + 1);
    if (!inner || i >= u.size() || u[i] != ')') return std::nullopt;
    ++i;
    return inner;
  }
  size_t start = i;
  int brackets = 0;
  while (i < u.size()) {
    char c = u[i];
    if (c == '[') ++brackets;
    if (c == ']') --brackets;
    if (brackets == 0 && (c == '.' || c == '/' || c == '(' || c == ')' || c == '{')) break;
    ++i;
  }
  std::string_view atom = u.substr(start, i - start);
  // Annotations ({beats}) count as the unity.
  if (i < u.size() && u[i] == '{') {
    size_t close = u.find('}', i);
    if (close == std::string_view::npos) return std::nullopt;
    i = close + 1;
    if (atom.empty()) return CanonicalUnit{};
  }
  if (atom.empty()) return std::nullopt;
  if (auto whole = atom_unit(atom)) return whole;
  // A trailing signed integer is the exponent ("m2", "s-1").
  size_t e = atom.size();
  while (e > 0 && atom[e - 1] >= '0' && atom[e - 1] <= '9') --e;
  if (e > 0 && (atom[e - 1] == '-' || atom[e - 1] == '+')) --e;
  if (e == 0 || e == atom.size()) return std::nullopt;
  std::string_view digits = atom.substr(e);
  bool negative = digits.front() == '-';
  if (digits.front() == '-' || digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 2) return std::nullopt;  // m2, s-1; never m99999
  int exponent = 0;
  for (char d : digits) exponent = exponent * 10 + (d - '0');
  if (negative) exponent = -exponent;
  auto base = atom_unit(atom.substr(0, e));
  if (!base) return std::nullopt;
  CanonicalUnit out;
  if (!combine(out, *base, exponent)) return std::nullopt;
  return out;
}

std::optional<CanonicalUnit> parse_expression(std::string_view u, size_t& i, int depth) {
  if (depth > 8) return std::nullopt;
  CanonicalUnit out;
  bool divide_next = false;
  if (i < u.size() && u[i] == '/') {
    divide_next = true;
    ++i;
  }
  while (true) {
    auto term = parse_term(u, i, depth);
    if (!term || !combine(out, *term, divide_next ? -1 : 1)) return std::nullopt;
    if (i >= u.size() || u[i] == ')') return out;
    if (u[i] != '.' && u[i] != '/') return std::nullopt;
    divide_next = u[i] == '/';
    ++i;
  }
}

}  // namespace

bool is_calendar_unit(std::string_view unit) { return !calendar_to_ucum(unit).empty(); }

std::string_view calendar_to_ucum(std::string_view unit) {
  if (unit.size() > 1 && unit.back() == 's') unit.remove_suffix(1);
  if (unit == "year") return "a";
  if (unit == "month") return "mo";
  if (unit == "week") return "wk";
  if (unit == "day") return "d";
  if (unit == "hour") return "h";
  if (unit == "minute") return "min";
  if (unit == "second") return "s";
  if (unit == "millisecond") return "ms";
  return {};
}

bool is_ucum_unit(std::string_view unit) {
  if (unit.empty()) return false;
  size_t i = 0;
  auto out = parse_expression(unit, i, 0);
  return out && i == unit.size();
}

std::optional<CanonicalUnit> canonical_unit(std::string_view unit) {
  if (unit.empty()) return CanonicalUnit{};
  if (auto ucum = calendar_to_ucum(unit); !ucum.empty()) unit = ucum;
  size_t i = 0;
  auto out = parse_expression(unit, i, 0);
  if (!out || i != unit.size()) return std::nullopt;
  return out;
}

namespace {

// UCUM's special units of temperature: a scale with an offset, not a factor. A value in one is
// taken to kelvin (to_kelvin) or from it (from_kelvin); nullopt for any other unit.
struct TemperatureScale {
  std::string_view code;
  const char* offset;  // kelvin at 0 on the scale
  const char* factor;  // kelvin per degree of the scale
};
constexpr TemperatureScale kTemperatureScales[] = {
    {"Cel", "273.15", "1"}, {"[degF]", "255.37222222222222222222222", "0.55555555555555555555555556"}, {"[degRe]", "273.15", "1.25"}};

const TemperatureScale* temperature_scale(std::string_view unit) {
  for (const auto& s : kTemperatureScales)
    if (s.code == unit) return &s;
  return nullptr;
}

std::optional<Decimal> to_kelvin(const Decimal& value, std::string_view unit) {
  const TemperatureScale* s = temperature_scale(unit);
  if (!s) return unit == "K" ? std::optional<Decimal>(value) : std::nullopt;
  auto scaled = multiply(value, *Decimal::parse(s->factor));
  return scaled ? add(*scaled, *Decimal::parse(s->offset)) : std::nullopt;
}

std::optional<Decimal> from_kelvin(const Decimal& kelvin, std::string_view unit) {
  const TemperatureScale* s = temperature_scale(unit);
  if (!s) return unit == "K" ? std::optional<Decimal>(kelvin) : std::nullopt;
  auto shifted = subtract(kelvin, *Decimal::parse(s->offset));
  return shifted ? divide(*shifted, *Decimal::parse(s->factor)) : std::nullopt;
}

}  // namespace

std::optional<Decimal> convert_quantity(const Decimal& value, std::string_view from, std::string_view to) {
  if (from == to) return value;
  if (temperature_scale(from) || temperature_scale(to)) {  // 0 'Cel' = 273.15 'K' = 32 '[degF]'
    auto kelvin = to_kelvin(value, from);
    return kelvin ? from_kelvin(*kelvin, to) : std::nullopt;
  }
  auto a = canonical_unit(from), b = canonical_unit(to);
  if (!a || !b || a->dims != b->dims) return std::nullopt;
  auto base = multiply(value, a->factor);
  if (!base) return std::nullopt;
  return divide(*base, b->factor);
}

bool units_comparable(std::string_view a, std::string_view b) {
  auto temperature = [](std::string_view u) { return u == "K" || temperature_scale(u); };
  if (temperature(a) || temperature(b)) return temperature(a) && temperature(b);
  auto ca = canonical_unit(a), cb = canonical_unit(b);
  if (!ca || !cb || ca->dims != cb->dims) return false;
  bool calendar_a = is_calendar_unit(a), calendar_b = is_calendar_unit(b);
  if (calendar_a == calendar_b) return true;
  // Years and months of the calendar vary in length; UCUM's are mean lengths.
  auto indefinite = [](std::string_view u) {
    auto ucum = calendar_to_ucum(u);
    if (ucum.empty()) ucum = u;
    return ucum == "a" || ucum == "mo";
  };
  return !indefinite(a) && !indefinite(b);
}

std::string multiply_units(std::string_view a, std::string_view b, bool divide) {
  auto ucum = [](std::string_view u) {
    auto c = calendar_to_ucum(u);
    return std::string(c.empty() ? u : c);
  };
  std::string x = ucum(a), y = ucum(b);
  if (x.empty() || x == "1") x.clear();
  if (y.empty() || y == "1") {
    return x.empty() ? "1" : x;
  }
  if (x.empty()) return divide ? "/" + y : y;
  bool compound = y.find_first_of("./") != std::string::npos;
  return x + (divide ? "/" : ".") + (compound ? "(" + y + ")" : y);
}

}  // namespace carebridge::fhir::fhirpath
