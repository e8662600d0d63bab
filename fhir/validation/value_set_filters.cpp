// A ValueSet's compose filters on a code system we have, as the reference validator's
// ValueSetValidator judges them by the property filtered (its general code system checker):
// the operation is one the property takes (concept: =, in, not-in, is-a, is-not-a,
// descendent-of, descendent-leaf; code: = and regex), "exists" takes true or false, a regex
// compiles and never filters concept, and each value has the property's type — a code (of
// this system, for concept, code, parent, child and partOf), a boolean, a date, a decimal.
// A property the code system declares (CodeSystem.property) takes values of its type, with the
// operations its CodeSystem.filter lists.
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

enum class ValueType { none, code, valid_code, boolean, date_time, decimal };

struct FilterRule {
  ValueType type = ValueType::none;
  std::vector<std::string> ops;  // empty: any operation
};

// The general checker's rule for a property FHIR defines for every code system; nullptr for
// a property it does not know.
const FilterRule* rule_for(std::string_view property) {
  static const FilterRule concept_rule{ValueType::valid_code,
                                  {"=", "in", "is-a", "descendent-of", "descendent-leaf", "is-not-a", "not-in"}};
  static const FilterRule code{ValueType::valid_code, {"=", "regex"}};
  static const FilterRule hierarchy{ValueType::valid_code, {}}, plain_code{ValueType::code, {}};
  static const FilterRule boolean{ValueType::boolean, {}}, date{ValueType::date_time, {}}, decimal{ValueType::decimal, {}};
  static const FilterRule text{ValueType::none, {}};
  if (property == "concept") return &concept_rule;
  if (property == "code") return &code;
  if (property == "parent" || property == "child" || property == "partOf") return &hierarchy;
  if (property == "status" || property == "synonym") return &plain_code;
  if (property == "inactive" || property == "notSelectable") return &boolean;
  if (property == "effectiveDate" || property == "deprecationDate" || property == "retirementDate") return &date;
  if (property == "itemWeight") return &decimal;
  if (property == "comment") return &text;
  return nullptr;
}

// The rule for `property` of this code system (the reference validator's rulesForFilter): a property the
// code system declares with a type takes values of that type, with the operations its
// CodeSystem.filter of that code lists; otherwise FHIR's own property's rule, with those
// operations added. Empty (no type, no operations) when nothing is known of it.
std::optional<FilterRule> read_filter_rule(const definitions::ConformanceResource& cs, std::string_view property) {
  rapidjson::Document json;
  if (json.Parse(cs.json.data(), cs.json.size()).HasParseError() || !json.IsObject()) return std::nullopt;
  // The hierarchy's properties name codes of the system only in a system that has a hierarchy.
  if ((property == "parent" || property == "child" || property == "partOf") && !json.HasMember("hierarchyMeaning"))
    return std::nullopt;
  auto entries = [&](const char* list, auto&& each) {
    auto it = json.FindMember(list);
    if (it == json.MemberEnd() || !it->value.IsArray()) return;
    for (const auto& entry : it->value.GetArray()) {
      auto c = entry.IsObject() ? entry.FindMember("code") : entry.MemberEnd();
      if (entry.IsObject() && c != entry.MemberEnd() && c->value.IsString() && property == c->value.GetString()) each(entry);
    }
  };
  FilterRule rule;
  entries("filter", [&](const rapidjson::Value& filter) {
    auto ops = filter.FindMember("operator");
    if (ops == filter.MemberEnd() || !ops->value.IsArray()) return;
    for (const auto& op : ops->value.GetArray()) {
      if (op.IsString()) rule.ops.emplace_back(op.GetString());
    }
  });
  std::optional<ValueType> declared;
  entries("property", [&](const rapidjson::Value& p) {
    auto type = p.FindMember("type");
    std::string_view t = type != p.MemberEnd() && type->value.IsString() ? type->value.GetString() : "";
    declared = t == "boolean" ? ValueType::boolean : t == "code" ? ValueType::code : t == "dateTime" ? ValueType::date_time
             : t == "decimal" ? ValueType::decimal : ValueType::none;
  });
  if (declared) {
    rule.type = *declared;
    return rule;
  }
  const FilterRule* own = rule_for(property);
  if (!own) return std::nullopt;  // a property neither declared nor FHIR's own: the reference validator judges nothing
  rule.type = own->type;
  if (!own->ops.empty()) rule.ops.insert(rule.ops.end(), own->ops.begin(), own->ops.end());
  return rule;
}

// The filter rules a value set's filters met, read once per code system and property: a code
// system's JSON (v3-ActCode is 828 KB) was parsed again for every filter. Kept for one value set
// only: the definitions it points into may go with the validator.
class FilterRules {
 public:
  const std::optional<FilterRule>& of(const definitions::ConformanceResource& cs, std::string_view property) {
    auto key = std::make_pair(&cs, std::string(property));
    auto it = known_.find(key);
    if (it == known_.end()) it = known_.emplace(key, read_filter_rule(cs, property)).first;
    return it->second;
  }

 private:
  std::map<std::pair<const definitions::ConformanceResource*, std::string>, std::optional<FilterRule>> known_;
};

// A search comparator a date or decimal filter value may start with (eq, ne, gt, lt, ge, le, sa,
// eb, ap), which the reference validator strips before judging the value.
std::string_view without_comparator(std::string_view v) {
  static constexpr std::string_view kPrefixes[] = {"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"};
  for (std::string_view p : kPrefixes)
    if (v.size() > 2 && v.starts_with(p)) return v.substr(2);
  return v;
}

bool digits(std::string_view v, size_t& i) {
  size_t start = i;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  return i > start;
}

// A decimal as JSON writes one, scanned (a regex recursed once per digit: a long value overflowed the stack).
bool is_decimal(std::string_view v) {
  size_t i = v.starts_with('-') ? 1 : 0;
  size_t first = i;
  if (!digits(v, i) || (v[first] == '0' && i - first > 1)) return false;
  if (i < v.size() && v[i] == '.' && !digits(v, ++i)) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    if (!digits(v, i)) return false;
  }
  return i == v.size();
}

bool is_date_time(std::string_view v) {
  // A fraction of a second has any number of digits; the regex recurses per character, so a
  // long one is judged with its first digit only.
  std::string text(v);
  if (auto dot = text.find('.'); dot != std::string::npos) {
    size_t end = dot + 1;
    if (!digits(v, end)) return false;
    text.erase(dot + 2, end - dot - 2);
  }
  if (text.size() > 64) return false;
  static const std::regex form(
      R"(([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?)?)?)?)");
  return std::regex_match(text, form);
}

// Whether a pattern's parentheses and brackets pair up (escapes and bracket contents aside).
bool balanced_pattern(std::string_view pattern) {
  int depth = 0;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth < 0) {
      return false;
    }
  }
  return depth == 0 && !in_class;
}

// What is wrong with one value of a filter on `property`, or "".
std::string value_problem(Run& run, std::string_view system, const FilterRule& rule, std::string_view value) {
  switch (rule.type) {
    case ValueType::boolean:
      return value == "true" || value == "false" ? "" : "is not true or false";
    case ValueType::date_time:
      return is_date_time(without_comparator(value)) ? "" : "is not a date or dateTime";
    case ValueType::decimal:
      return is_decimal(without_comparator(value)) ? "" : "is not a decimal";
    case ValueType::code:
    case ValueType::valid_code: {
      if (value.empty() || std::isspace(static_cast<unsigned char>(value.front())) ||
          std::isspace(static_cast<unsigned char>(value.back()))) {
        return "is not a code (leading or trailing whitespace)";
      }
      if (rule.type == ValueType::code) return "";
      const terminology::CodeSystem* cs = run.state.terminology().code_system(system);
      if (!cs || !cs->complete() || cs->concept_of(value)) return "";
      return "is not a code of " + std::string(system);
    }
    case ValueType::none:
      return "";
  }
  return "";
}

void check_filter(Run& run, FilterRules& rules, const Element& filter, std::string_view system, const Path& path) {
  std::string_view property = value_of(child_named(filter, "property"));
  std::string_view op = value_of(child_named(filter, "op"));
  std::string_view value = value_of(child_named(filter, "value"));
  // The reference validator has a checker of its own for these systems' filters (SnomedCTChecker
  // and the like), which judges what their R4 stubs here do not describe.
  for (std::string_view own : {"http://snomed.info/sct", "http://loinc.org", "http://www.nlm.nih.gov/research/umls/rxnorm",
                                "http://unitsofmeasure.org", "http://www.ama-assn.org/go/cpt"})
    if (system == own) return;
  const definitions::ConformanceResource* cs = run.defs.resource("CodeSystem", system);
  if (property.empty() || op.empty() || !cs) return;
  const std::optional<FilterRule>& rule = rules.of(*cs, property);
  if (!rule) return;
  auto error = [&](const std::string& what) {
    run.report(Severity::Error, "invalid",
               "the filter on '" + std::string(property) + "' of " + std::string(system) + " " + what, filter, path);
  };
  if (!rule->ops.empty() && std::find(rule->ops.begin(), rule->ops.end(), op) == rule->ops.end()) {
    error("cannot use the operation '" + std::string(op) + "'");
  }
  if (op == "exists") {
    if (value != "true" && value != "false") error("with 'exists' takes true or false, not '" + std::string(value) + "'");
    return;
  }
  if (op == "regex") {
    // Java's pattern syntax is not ECMAScript's ((?i), \p{Lower}, lookbehind): only what neither
    // reads — unbalanced parentheses or brackets — is judged, without compiling the value.
    if (!balanced_pattern(value)) error("has a value that is not a regular expression: '" + std::string(value) + "'");
    if (property == "concept") error("cannot be a regex (filter 'code' for that)");
    return;
  }
  bool list = op == "in" || op == "not-in";
  for (size_t start = 0; start <= value.size();) {
    size_t end = list ? std::min(value.find(',', start), value.size()) : value.size();
    std::string_view one = value.substr(start, end - start);
    if (list && one.empty() && end == value.size()) break;  // "a,b,": Java's split drops the trailing empty item
    if (std::string why = value_problem(run, system, *rule, one); !why.empty()) {
      error("has the value '" + std::string(one) + "', which " + why);
    }
    start = end + 1;
  }
}

}  // namespace

void check_value_set_filters(Run& run, const Element& vs, const Path& path) {
  FilterRules rules;
  each_composed_system(vs, path, [&](const Element& include, const Path& ip, std::string_view system) {
    if (!value_of(child_named(include, "version")).empty()) return;
    each_named(include, "filter", ip, [&](const Element& filter, const Path& fp) { check_filter(run, rules, filter, system, fp); });
  });
}

}  // namespace carebridge::fhir::validation
