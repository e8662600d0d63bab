// OBX-5, whose datatype is OBX-2, to Observation.value[x], per the IG's OBX[Observation]
// map: NM and CQ → Quantity (units from OBX-6), SN → Quantity with a comparator, Range or
// Ratio, coded types → CodeableConcept, dates → dateTime, TM → time, text → string; and
// OBX-7 to a referenceRange. And a length of time in minutes from a number and its units.
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "fhir/fhirpath/quantity.h"
#include "mappings/hl7v2/datatypes.h"

namespace carebridge::mappings::hl7v2 {

using engine::Node;

namespace {


// The parts with text, joined.
std::string words(std::initializer_list<std::string> parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts)
    if (!p.empty()) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// A composite sent as a result's text, as the IG's maps to string render it: a CX is its
// ID (CX[string]), an XPN the name in its assembly order (XPN[string]; XPN-11 F: family
// first), an XAD its parts as an address is written. Other types: their components.
std::string composite_text(std::string_view type, const FieldValue& v) {
  if (type == "CX") return v.part(1);
  if (type == "XPN" && v.part(11) == "F")
    return words({v.part(5), v.part(1), v.part(2), v.part(3), v.part(4), v.part(6)}, " ");
  if (type == "XPN") return words({v.part(5), v.part(2), v.part(3), v.part(1), v.part(4), v.part(6)}, " ");
  if (type == "XAD")
    return words({v.part(1), v.part(2), v.part(3), words({v.part(4), v.part(5)}, " "), v.part(6)}, ", ");
  return v.joined(1, "^");
}

// All repetitions of the field joined: text values that repeat are lines of one text.
std::string all_text(const FieldValue& v, std::string_view type, std::string_view line_break) {
  std::string out;
  size_t n = v.message->repetitions(*v.segment, v.field);
  for (size_t rep = 1; rep <= n; ++rep) {
    FieldValue r = v;
    r.repetition = rep;
    std::string text = composite_text(type, r);
    if (rep > 1) out += line_break;
    out += text;
  }
  return out;
}

Node structured_numeric(const FieldValue& v, const FieldValue* units, const MapSpec& spec, std::string& suffix) {
  std::string comparator = v.part(1), separator = v.part(3);
  if (comparator == "<>") {  // "not equal to": no Quantity, Range or Ratio says "not", so the IG keeps it as text
    suffix = "String";
    return Node::string(v.joined(1, " "), v.where());
  }
  if (separator == ":" || separator == "/") {
    Node ratio;
    ratio.set("numerator", quantity(v, 2, nullptr, spec));
    ratio.set("denominator", quantity(v, 4, nullptr, spec));
    suffix = "Ratio";
    return ratio;
  }
  if (separator == "-" && !v.part(4).empty()) {
    Node range;
    range.set("low", quantity(v, 2, units, spec));
    range.set("high", quantity(v, 4, units, spec));
    suffix = "Range";
    return range;
  }
  if (separator.empty() && comparator != "<>") {
    Node q = quantity(v, 2, units, spec);
    if (!q.empty()) {
      if (comparator == "<" || comparator == "<=" || comparator == ">" || comparator == ">=")
        q.set("comparator", Node::string(comparator, v.where(1)));
      suffix = "Quantity";
      return q;
    }
  }
  suffix = "String";  // the IG's last SN row: the components as text, a space between each
  return Node::string(v.joined(1, " "), v.where());
}

std::string fhir_time(std::string_view v2) {
  std::string_view t = v2.substr(0, v2.find_first_of("+-"));
  std::string_view whole = t.substr(0, t.find('.'));
  if (whole.size() < 2 || whole.size() > 6 || whole.size() % 2 ||
      whole.find_first_not_of("0123456789") != std::string_view::npos)
    return {};
  std::string out(whole.substr(0, 2));
  out += ":" + std::string(whole.size() >= 4 ? whole.substr(2, 2) : "00");
  out += ":" + std::string(whole.size() >= 6 ? whole.substr(4, 2) : "00");
  if (out.substr(0, 2) > "23" || out.substr(3, 2) > "59" || out.substr(6, 2) > "59") return {};
  return out;
}

// OBX-2 in upper case ("ST" when the rule names no type field).
std::string value_type(const Rule& rule, const FieldValue& v) {
  std::string type = rule.type_of ? v.message->value(*v.segment, rule.type_of->field) : std::string("ST");
  for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return type;
}

// A comparator labs write before a number, as FHIR's Quantity.comparator, and the text after
// it; no comparator when the text starts with none. Spaces and case do not matter: Quest's
// "< OR = 5", "=<5" and "<= 5" are all "<=".
struct Compared {
  std::string_view comparator;
  std::string rest;  // upper case, without spaces
};
Compared comparator_prefix(std::string_view text) {
  std::string compact;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"<OR=", "<="}, {"<=", "<="}, {"=<", "<="}, {">OR=", ">="}, {">=", ">="}, {"=>", ">="}, {"<", "<"}, {">", ">"}};
  for (auto [prefix, comparator] : kPrefixes)
    if (compact.starts_with(prefix)) return {comparator, compact.substr(prefix.size())};
  return {{}, std::move(compact)};
}

// An NM sent with a comparator before its number (">60", "<0.5", "< OR = 5": what labs and
// monitors write past their measuring range, though NM has no place for it): a Quantity
// with that comparator, as SN's "<^0.5" is. Empty when the text is not one.
Node compared_quantity(const FieldValue& v, const FieldValue* units, const MapSpec& spec) {
  Compared c = comparator_prefix(v.text());
  if (c.comparator.empty()) return {};
  std::string number = fhir_decimal(c.rest);
  if (number.empty()) return {};
  Node q = quantity_of(number, v.where(), units, spec);
  q.set("comparator", Node::string(std::string(c.comparator), v.where()));
  return q;
}

// A reference range's bounds, each in FHIR's decimal form ("" when it has none).
struct RangeBounds {
  std::string low, high;
};

// OBX-7's bounds when it is written in a form labs use for them (the IG: "if OBX-7 is
// sufficiently parseable, then the low, high ... may be used"): "3.5-5.1" (both, the low
// one may be negative), "<=34" and Quest's "< OR = 34" (high), ">=60" and "> OR = 60"
// (low). FHIR's bounds include their value, so "<200" and ">60", which exclude it, have
// none; nor has any other text ("3.5-5.1 mmol/L", "negative", "5-2").
std::optional<RangeBounds> range_bounds(std::string_view text) {
  Compared c = comparator_prefix(text);
  if (!c.comparator.empty()) {
    std::string bound = c.comparator.size() == 2 ? fhir_decimal(c.rest) : std::string();
    if (bound.empty()) return std::nullopt;
    return c.comparator == "<=" ? RangeBounds{"", bound} : RangeBounds{bound, ""};
  }
  size_t dash = c.rest.find('-', 1);
  if (dash == std::string::npos) return std::nullopt;
  RangeBounds b{fhir_decimal(std::string_view(c.rest).substr(0, dash)), fhir_decimal(std::string_view(c.rest).substr(dash + 1))};
  if (b.low.empty() || b.high.empty() || std::stod(b.low) > std::stod(b.high)) return std::nullopt;
  return b;
}

}  // namespace

// OBX-7 to a referenceRange: its text as sent, and the bounds it states in the result's
// units (the rule's `unit` field, OBX-6) when range_bounds reads them.
Node reference_range(const Rule& rule, const FieldValue& v, const MapSpec& spec) {
  std::string text = v.text();
  if (text.empty()) return {};
  Node range;
  if (std::optional<RangeBounds> bounds = range_bounds(text)) {
    std::optional<FieldValue> units = unit_field(rule, v);
    if (!bounds->low.empty()) range.set("low", quantity_of(bounds->low, v.where(), units ? &*units : nullptr, spec));
    if (!bounds->high.empty()) range.set("high", quantity_of(bounds->high, v.where(), units ? &*units : nullptr, spec));
  }
  range.set("text", Node::string(text, v.where()));
  return range;
}

bool keeps_every_repetition(const Rule& rule, const FieldValue& v) {
  if (rule.as != "varies") return false;
  static constexpr std::string_view kNotText[] = {"NM", "CQ", "SN", "CE", "CWE", "CNE", "CF", "IS", "ID", "DT",
                                                  "DTM", "TS", "DR", "TM", "NR", "ED", "RP"};
  std::string type = value_type(rule, v);
  for (std::string_view t : kNotText)
    if (type == t) return false;
  return true;  // ST, TX, FT and the rest: text, each repetition a line of it
}

Node observation_value(const Rule& rule, const FieldValue& v, DatatypeContext& context, std::string& suffix) {
  const MapSpec& spec = context.spec();
  std::string type = value_type(rule, v);
  std::optional<FieldValue> units = unit_field(rule, v);
  if (v.empty()) return {};
  if (type == "NM" || type == "CQ") {
    Node q = type == "CQ" ? [&] { FieldValue u = v.sub(2); return quantity(v, 1, &u, spec); }()
                          : quantity(v, 1, units ? &*units : nullptr, spec);
    if (q.empty() && type == "NM") q = compared_quantity(v, units ? &*units : nullptr, spec);
    if (!q.empty()) {
      suffix = "Quantity";
      return q;
    }
    context.warn(v.where(), "'" + v.text() + "' is not a number (OBX-2 is " + type + "); it is kept as text");
    suffix = "String";
    return Node::string(v.joined(1, "^"), v.where());
  }
  if (type == "SN") return structured_numeric(v, units ? &*units : nullptr, spec, suffix);
  if (type == "CE" || type == "CWE" || type == "CNE" || type == "CF" || type == "IS" || type == "ID") {
    Rule coded = rule;
    coded.table.clear();
    coded.as = "CWE";
    std::string unused;
    suffix = "CodeableConcept";
    return convert(coded, v, context, unused);
  }
  if (type == "DT" || type == "DTM" || type == "TS") {
    MomentReading reading = read_moment(v.text(), context.timezone);
    if (reading.form == MomentReading::Form::NotAMoment) {  // "02/15/2025": the sender's words stay
      context.warn(v.where(), moment_warning(reading, v.text(), "; it is kept as text"));
      suffix = "String";
      return Node::string(v.text(), v.where());
    }
    if (std::string said = moment_warning(reading, v.text(), " and was left out"); !said.empty()) context.warn(v.where(), said);
    if (reading.fhir.empty()) return {};  // a day that does not exist, as in any other date field
    suffix = "DateTime";
    return Node::string(reading.fhir, v.where());
  }
  if (type == "DR") {  // a date range: valuePeriod (v2-to-FHIR OBX[Observation], OBX-2 DR)
    Rule range = rule;
    range.table.clear();
    range.as = "DR";
    std::string unused;
    Node period = convert(range, v, context, unused);
    if (!period.empty()) {
      suffix = "Period";
      return period;
    }
    context.warn(v.where(), "'" + v.joined(1, "^") + "' is not a v2 date range; it is kept as text");
    suffix = "String";
    return Node::string(v.joined(1, "^"), v.where());
  }
  if (type == "TM") {
    std::string out = fhir_time(v.text());
    suffix = out.empty() ? "String" : "Time";
    return Node::string(out.empty() ? v.text() : out, v.where());
  }
  if (type == "NR") {
    Node range;
    range.set("low", quantity(v, 1, units ? &*units : nullptr, spec));
    range.set("high", quantity(v, 2, units ? &*units : nullptr, spec));
    suffix = "Range";
    return range;
  }
  if (type == "ED" || type == "RP") {
    context.warn(v.where(), "encapsulated data (OBX-2 " + type + ") is no Observation value in FHIR R4: the Observation has "
                            "none (in a result, the report keeps the data as its presentedForm)");
    return {};
  }
  // Table 0125's text types (and no OBX-2, read as ST); another code is no v2 value type.
  static const std::set<std::string> kText = {"ST", "TX", "FT", "", "TN", "AD", "XAD", "XPN", "XCN", "XON", "XTN", "CX", "EI", "HD",
                                              "MO", "CP", "SN", "MA", "PN", "DTM", "ID", "IS", "NA", "CSU", "VR", "TQ", "QSC", "GTS",
                                              "SRT", "CK", "CN"};
  if (!kText.count(type) && !v.empty())
    context.warn(v.where(), "OBX-2 '" + type + "' is not a value type HL7 table 0125 lists: the value is kept as text");
  suffix = "String";  // keeps_every_repetition: the text types' repetitions are its lines
  return Node::string(all_text(v, type, "\n"), v.where());
}

// The UCUM code of a duration's units (code, else words): the `duration-units` table's for the
// spellings senders use (hr, MIN, minutes), else the code itself when it is a UCUM unit.
std::string duration_unit(const FieldValue& units, const MapSpec& spec) {
  const Vocabulary* table = spec.vocabulary("duration-units");
  for (const std::string& sent : {units.part(1), units.part(2)}) {
    if (sent.empty()) continue;
    if (const VocabularyEntry* listed = table ? table->listed(sent) : nullptr) return listed->code;
    if (fhir::fhirpath::is_ucum_unit(sent)) return sent;
  }
  return {};
}

// A length of time in whole minutes (Appointment.minutesDuration: SCH-9 in SCH-10's units,
// AIS-7 in AIS-8's) from a number (the field) and its units (the rule's `unit`); a length that
// is no whole number of minutes is rounded, with a warning. Nothing, with a warning, for a
// number that is none, units that are no units of time, or a length under a minute or beyond
// a positiveInt.
Node minutes(const Rule& rule, const FieldValue& v, DatatypeContext& context) {
  if (v.part(1).empty()) return {};
  std::optional<FieldValue> units = unit_field(rule, v);
  auto left_out = [&](const std::string& why) {
    context.warn(v.where(1), "the duration '" + v.part(1) + (units && !units->empty() ? " " + units->joined(1, "^") : "") + "' " +
                                 why + ": it is left out");
    return Node{};
  };
  auto amount = fhir::fhirpath::Decimal::parse(fhir_decimal(v.part(1)));
  if (!amount) return left_out("is not a number");
  std::string unit = units ? duration_unit(*units, context.spec()) : std::string();
  auto in_minutes = unit.empty() ? std::nullopt : fhir::fhirpath::convert_quantity(*amount, unit, "min");
  if (!in_minutes) return left_out(units && !units->empty() ? "is in no unit of time" : "has no units");
  double length = in_minutes->to_double();
  if (!(length >= 0.5) || length > 2147483647.0) return left_out("is not a positive number of minutes a positiveInt holds");
  long long whole = std::llround(length);
  if (static_cast<double>(whole) != length)
    context.warn(v.where(1), "the duration '" + v.part(1) + "' is " + in_minutes->to_string() + " minutes: rounded to " +
                                 std::to_string(whole));
  return Node::number(std::to_string(whole), v.where(1));
}

}  // namespace carebridge::mappings::hl7v2
