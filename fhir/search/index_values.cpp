// FHIR values to search-index rows (see search_index.h).
#include <cstdlib>
#include <limits>

#include "fhir/model/element.h"
#include "fhir/time/fhir_time.h"
#include "fhir/search/index.h"
#include "fhir/search/token_modifiers.h"
#include "fhir/search/ucum_canonical.h"

namespace carebridge::fhir::search {

using fhir::time::date_range;
namespace {

using fhir::model::Element;

constexpr double kFarPast = -1e13;
constexpr double kFarFuture = 1e13;

std::string_view value_of(const Element& parent, std::string_view name) {
  const Element* c = parent.child(name);
  return c && c->has_value ? c->value : std::string_view();
}

bool is_quantity(std::string_view type) {
  return type == "Quantity" || type == "Age" || type == "Duration" || type == "Distance" || type == "Count" ||
         type == "SimpleQuantity" || type == "MoneyQuantity";
}

IndexEntry entry(const SearchParam& param, IndexKind kind) {
  IndexEntry e;
  e.kind = kind;
  e.param = param.code;
  return e;
}

void add_string(const SearchParam& param, std::string_view text, std::vector<IndexEntry>& out) {
  if (text.empty()) return;
  IndexEntry e = entry(param, IndexKind::String);
  e.text = std::string(text);
  e.norm = fold(text);
  out.push_back(std::move(e));
}

void add_token(const SearchParam& param, std::string_view system, std::string_view code, std::string_view display,
               std::vector<IndexEntry>& out) {
  if (code.empty() && display.empty()) return;
  IndexEntry e = entry(param, IndexKind::Token);
  e.system = std::string(system);
  e.code = std::string(code);
  e.text = std::string(display);
  e.norm = fold(display);
  out.push_back(std::move(e));
}

// identifier:of-type's rows: one per coding of the identifier's type (token_modifiers.h).
void identifier_types(const SearchParam& param, const Element& type, std::string_view value, std::vector<IndexEntry>& out) {
  for (const Element* coding : type.children()) {
    if (coding->base_name() != "coding") continue;
    auto code = value_of(*coding, "code");
    if (code.empty()) continue;
    IndexEntry e = entry(param, IndexKind::Token);
    e.param += kOfTypeSuffix;
    e.system = std::string(value_of(*coding, "system"));
    e.code = of_type_code(code, value);
    out.push_back(std::move(e));
  }
}

void add_range(const SearchParam& param, double low, double high, std::vector<IndexEntry>& out) {
  IndexEntry e = entry(param, IndexKind::Range);
  e.low = low;
  e.high = high;
  out.push_back(std::move(e));
}

void add_date(const SearchParam& param, std::string_view text, std::vector<IndexEntry>& out) {
  if (auto r = date_range(text)) add_range(param, r->first, r->second, out);
}

void strings(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  if (v.is_primitive()) return add_string(param, v.value, out);
  for (const Element* c : v.children()) {
    if (!c->is_primitive()) continue;
    auto name = c->base_name();
    bool wanted = v.type == "HumanName"
                      ? (name == "family" || name == "given" || name == "prefix" || name == "suffix" || name == "text")
                  : v.type == "Address" ? (name == "line" || name == "city" || name == "district" || name == "state" ||
                                           name == "postalCode" || name == "country" || name == "text")
                                        : c->type == "string";
    if (wanted && c->has_value) add_string(param, c->value, out);
  }
}

void tokens(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  if (v.is_primitive()) {
    if (v.has_value) add_token(param, "", v.value, "", out);
    return;
  }
  if (v.type == "Coding") return add_token(param, value_of(v, "system"), value_of(v, "code"), value_of(v, "display"), out);
  if (v.type == "CodeableConcept") {
    size_t first = out.size();
    for (const Element* c : v.children()) {
      if (c->base_name() == "coding") tokens(param, *c, out);
    }
    auto text = value_of(v, "text");
    if (text.empty()) return;
    if (out.size() == first) return add_token(param, "", "", text, out);
    // The concept's text goes with its codings' rows (after their display), not in a
    // row of its own: :text looks in both (sqlite_search.cpp).
    std::string folded = fold(text);
    for (size_t i = first; i < out.size(); ++i) {
      if (out[i].norm != folded) out[i].norm += kTextSeparator + folded;
    }
    return;
  }
  if (v.type == "Identifier") {
    const Element* type = v.child("type");
    auto value = value_of(v, "value");
    add_token(param, value_of(v, "system"), value, type ? value_of(*type, "text") : "", out);
    if (type && !value.empty()) identifier_types(param, *type, value, out);
    return;
  }
  // A ContactPoint's token has its system (phone, email) as the token's system, as HAPI indexes
  // it: telecom=phone|555-0101 finds the phone number only, telecom=555-0101 any.
  if (v.type == "ContactPoint") {
    return add_token(param, value_of(v, "system"), value_of(v, "value"), value_of(v, "system"), out);
  }
}

void references(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  if (v.is_primitive()) {  // canonical / uri
    if (!v.has_value) return;
    // A canonical naming its version (url|1.0) is also found by its url alone: a search
    // without a version finds every version of what it names, as for references to
    // canonical URLs in FHIR search.
    auto add = [&](std::string_view value) {
      IndexEntry e = entry(param, IndexKind::Reference);
      e.text = std::string(value);
      e.code = reference_key(value);
      if (e.code.empty()) e.code = e.text;
      out.push_back(std::move(e));
    };
    add(v.value);
    if (auto bar = v.value.rfind('|'); bar != std::string_view::npos && bar > 0) add(v.value.substr(0, bar));
    return;
  }
  if (v.type != "Reference") return;
  if (auto reference = value_of(v, "reference"); !reference.empty()) {
    IndexEntry e = entry(param, IndexKind::Reference);
    e.text = std::string(reference);
    e.code = reference_key(reference);
    if (e.code.empty() && !reference.starts_with("#")) e.code = std::string(reference);
    out.push_back(std::move(e));
  }
  if (const Element* identifier = v.child("identifier")) {
    IndexEntry e;
    e.kind = IndexKind::Token;
    e.param = param.code + ":identifier";
    e.system = std::string(value_of(*identifier, "system"));
    e.code = std::string(value_of(*identifier, "value"));
    if (!e.code.empty()) out.push_back(std::move(e));
  }
}

void dates(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  if (v.is_primitive()) {
    if (v.has_value) add_date(param, v.value, out);
    return;
  }
  if (v.type == "Period") {
    auto start = date_range(value_of(v, "start"));
    auto end = date_range(value_of(v, "end"));
    if (start || end) add_range(param, start ? start->first : kFarPast, end ? end->second : kFarFuture, out);
    return;
  }
  if (v.type == "Timing") {
    for (const Element* c : v.children()) {
      if (c->base_name() == "event" && c->has_value) add_date(param, c->value, out);
    }
  }
}

// Money (Invoice.totalNet, ChargeItem.priceOverride: quantity parameters) is a quantity whose
// unit is its currency, in ISO 4217's system: totalnet=gt100|urn:iso:std:iso:4217|USD.
constexpr std::string_view kCurrencySystem = "urn:iso:std:iso:4217";

void range_numbers(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out);
void value_numbers(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out);

// A number or a quantity's rows, with a UCUM quantity's canonical row (ucum_canonical.h) last.
void numbers(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  if (v.type == "Range") return range_numbers(param, v, out);
  size_t first = out.size();
  value_numbers(param, v, out);
  if (out.size() == first || out.back().system != kUcumSystem) return;
  auto canonical = canonical_ucum(out.back().code);
  if (!canonical) return;
  IndexEntry e = out.back();
  e.system = std::string(kCanonicalUcumSystem);
  e.code = std::move(canonical->code);
  e.low = *e.low * canonical->factor;
  e.high = *e.high * canonical->factor;
  out.push_back(std::move(e));
}

// The rows of one number or quantity as written: its value in its code (and its unit's words).
void value_numbers(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  bool money = v.type == "Money";
  std::string_view text = v.is_primitive() ? v.value : std::string_view();
  if (is_quantity(v.type) || money) text = value_of(v, "value");
  if (text.empty()) return;
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return;
  IndexEntry e = entry(param, IndexKind::Range);
  e.low = value;
  e.high = value;
  if (money) {
    auto currency = value_of(v, "currency");
    if (!currency.empty()) e.system = std::string(kCurrencySystem);
    e.code = std::string(currency);
  } else if (!v.is_primitive()) {
    e.system = std::string(value_of(v, "system"));
    auto code = value_of(v, "code");
    auto unit = value_of(v, "unit");
    e.code = std::string(code.empty() ? unit : code);
    if (!unit.empty() && !code.empty() && unit != code) {
      IndexEntry by_unit = e;
      by_unit.code = std::string(unit);
      by_unit.system.clear();
      out.push_back(std::move(by_unit));
    }
  }
  out.push_back(std::move(e));
}

// A Range (RiskAssessment's probability, the useContext quantities) is one row from its low to
// its high, with the low's unit (else the high's); an end it lacks is open, as a Period's is.
void range_numbers(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  std::vector<IndexEntry> low, high;  // each end's rows, the one with its code last
  if (const Element* end = v.child("low")) value_numbers(param, *end, low);
  if (const Element* end = v.child("high")) value_numbers(param, *end, high);
  if (low.empty() && high.empty()) return;
  IndexEntry e = low.empty() ? high.back() : low.back();
  e.low = low.empty() ? kFarPast : low.back().low;
  e.high = high.empty() ? kFarFuture : high.back().high;
  out.push_back(std::move(e));
}

// A Location.position as one row: low = latitude, high = longitude (degrees), code "position".
void positions(const SearchParam& param, const Element& v, std::vector<IndexEntry>& out) {
  auto degrees = [&](std::string_view name, double& into) {
    std::string text(value_of(v, name));
    char* end = nullptr;
    into = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size();
  };
  double latitude = 0, longitude = 0;
  if (!degrees("latitude", latitude) || !degrees("longitude", longitude)) return;
  if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) return;
  IndexEntry e = entry(param, IndexKind::Range);
  e.low = latitude;
  e.high = longitude;
  e.code = std::string(kPositionCode);
  out.push_back(std::move(e));
}

}  // namespace

bool is_resource_column(std::string_view code) { return code == "_id" || code == "_lastUpdated"; }

std::string reference_key(std::string_view reference) {
  auto history = reference.find("/_history/");
  if (history != std::string_view::npos) reference = reference.substr(0, history);
  auto slash = reference.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == reference.size()) return {};
  auto before = reference.rfind('/', slash - 1);
  std::string_view type = reference.substr(before == std::string_view::npos ? 0 : before + 1,
                                           slash - (before == std::string_view::npos ? 0 : before + 1));
  if (type.empty() || type[0] < 'A' || type[0] > 'Z') return {};
  return std::string(type) + "/" + std::string(reference.substr(slash + 1));
}

void index_value(const SearchParam& param, const Element& value, std::vector<IndexEntry>& out) {
  const std::string& t = param.type;
  if (t == "string") return strings(param, value, out);
  if (t == "token") return tokens(param, value, out);
  if (t == "reference") return references(param, value, out);
  if (t == "date") return dates(param, value, out);
  if (t == "number" || t == "quantity") return numbers(param, value, out);
  if (t == "special" && param.code == "near") return positions(param, value, out);
  if (t == "uri" && value.is_primitive() && value.has_value) {
    IndexEntry e = entry(param, IndexKind::Uri);
    e.text = std::string(value.value);
    out.push_back(std::move(e));
  }
}

void index_composite(const SearchParam& param, const std::vector<IndexEntry>& first, const std::vector<IndexEntry>& second,
                     std::vector<IndexEntry>& out) {
  for (const IndexEntry& a : first) {
    if (a.code.empty()) continue;  // a concept's text alone names no code
    std::string key = a.code + "$";
    std::string system = (a.kind == IndexKind::Token ? a.system : std::string()) + "$";
    for (const IndexEntry& b : second) {
      if (b.system == kCanonicalUcumSystem) continue;  // composites are searched in the units written
      IndexEntry e;
      e.param = param.code;
      e.kind = b.kind;
      switch (b.kind) {
        case IndexKind::Token:
          if (b.code.empty()) continue;
          e.code = key + b.code;
          e.system = system + b.system;
          e.norm = b.norm;
          break;
        case IndexKind::Range:
          e.low = b.low;
          e.high = b.high;
          e.code = key + b.code;
          e.system = system + b.system;
          break;
        case IndexKind::String:
          e.norm = key + b.norm;
          e.text = key + b.text;
          break;
        default:
          continue;  // no R4 composite ends in a reference or uri
      }
      out.push_back(std::move(e));
    }
  }
}

}  // namespace carebridge::fhir::search
