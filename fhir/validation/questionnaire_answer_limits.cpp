// The limits a Questionnaire item sets by its extensions, checked on each answer as the
// reference validator's QuestionnaireValidator does: minValue and maxValue (integer,
// decimal, date, dateTime, time, Quantity answers), maxDecimalPlaces, minLength, regex,
// questionnaire-unitOption (a Quantity's unit), mimeType (an Attachment's contentType), and
// questionnaire-maxOccurs (how many answers, or how many times a group, may be given).
#include "fhir/validation/questionnaire_answer_limits.h"

#include <cstdlib>

#include "fhir/json/utf8.h"
#include "fhir/terminology/regex.h"
#include "fhir/time/fhir_time.h"

namespace carebridge::fhir::validation {
namespace {

constexpr std::string_view kExtensions = "http://hl7.org/fhir/StructureDefinition/";

std::vector<const Element*> extensions(const Element& item, std::string_view name) {
  std::vector<const Element*> out;
  for (const Element* c : item.children()) {
    if (c->name != "extension") continue;
    std::string_view url = value_of(child_named(*c, "url"));
    if (url.size() == kExtensions.size() + name.size() && url.starts_with(kExtensions) && url.ends_with(name))
      out.push_back(c);
  }
  return out;
}

const Element* extension_value(const Element& item, std::string_view name) {
  for (const Element* x : extensions(item, name))
    for (const Element* c : x->children())
      if (c->base_name() == "value") return c;
  return nullptr;
}

std::string link_id(const Element& item) { return std::string(value_of(child_named(item, "linkId"))); }

// The number an answer or a limit holds (a Quantity's value); nullopt when it has none.
std::optional<double> number_of(const Element& value) {
  std::string_view text = value.type == "Quantity" ? value_of(child_named(value, "value")) : value.value;
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  std::string copy(text);
  double d = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() ? std::optional<double>(d) : std::nullopt;
}

// -1, 0 or 1: the answer below, within or above the limit; nullopt when they do not compare.
std::optional<int> compare(const Element& answer, const Element& limit) {
  bool temporal = answer.type == "date" || answer.type == "dateTime" || answer.type == "instant";
  if (temporal && (limit.type == "date" || limit.type == "dateTime" || limit.type == "instant")) {
    auto a = time::date_range(answer.value), l = time::date_range(limit.value);
    if (!a || !l) return std::nullopt;
    return a->second < l->first ? -1 : a->first > l->second ? 1 : 0;
  }
  if (answer.type == "time" && limit.type == "time") {
    return answer.value < limit.value ? -1 : answer.value > limit.value ? 1 : 0;  // hh:mm:ss compares as text
  }
  if (temporal || answer.type == "time") return std::nullopt;
  auto a = number_of(answer), l = number_of(limit);
  if (!a || !l) return std::nullopt;
  return *a < *l ? -1 : *a > *l ? 1 : 0;
}

void value_limits(Run& run, const Element& item, const Element& value, const Path& path) {
  for (auto [name, sign] : {std::pair{std::string_view("minValue"), -1}, std::pair{std::string_view("maxValue"), 1}}) {
    const Element* limit = extension_value(item, name);
    if (!limit) continue;
    auto order = compare(value, *limit);
    if (!order || *order != sign) continue;
    std::string shown = value.type == "Quantity" ? std::string(value_of(child_named(value, "value"))) : std::string(value.value);
    std::string bound = limit->type == "Quantity" ? std::string(value_of(child_named(*limit, "value"))) : std::string(limit->value);
    run.report(Severity::Error, "value",
               "the answer " + shown + " to '" + link_id(item) + "' is " + (sign < 0 ? "below the item's minValue " : "above the item's maxValue ") + bound,
               value, path);
  }
}

void decimal_places(Run& run, const Element& item, const Element& value, const Path& path) {
  const Element* places = extension_value(item, "maxDecimalPlaces");
  if (!places || (value.type != "decimal" && value.type != "Quantity")) return;
  std::string_view text = value.type == "Quantity" ? value_of(child_named(value, "value")) : value.value;
  size_t dot = text.find('.');
  size_t end = text.find_first_of("eE");
  size_t written = dot == std::string_view::npos ? 0 : (end == std::string_view::npos ? text.size() : end) - dot - 1;
  long allowed = std::strtol(std::string(places->value).c_str(), nullptr, 10);
  if (static_cast<long>(written) <= allowed) return;
  run.report(Severity::Error, "value",
             "the answer " + std::string(text) + " to '" + link_id(item) + "' has " + std::to_string(written) +
                 " decimal places; the item's maxDecimalPlaces is " + std::to_string(allowed),
             value, path);
}

void string_limits(Run& run, const Element& item, const Element& value, const Path& path) {
  if (value.type != "string") return;
  if (const Element* min = extension_value(item, "minLength")) {
    long least = std::strtol(std::string(min->value).c_str(), nullptr, 10);
    size_t characters = json::count_code_points(value.value);
    if (static_cast<long>(characters) < least)
      run.report(Severity::Error, "value",
                 "the answer to '" + link_id(item) + "' has " + std::to_string(characters) +
                     " characters; the item's minLength is " + std::to_string(least),
                 value, path);
  }
  // Untrusted patterns run on the bounded matcher ValueSet filters use (linear time); one it
  // cannot read, or an answer longer than it matches, is not judged.
  const Element* pattern = extension_value(item, "regex");
  if (!pattern || pattern->value.empty() || value.value.size() > terminology::BoundedRegex::kMaxText) return;
  auto regex = terminology::BoundedRegex::compile(pattern->value);
  if (!regex || regex->full_match(value.value)) return;
  run.report(Severity::Error, "value",
             "the answer '" + std::string(value.value) + "' to '" + link_id(item) + "' does not match the item's regex " +
                 std::string(pattern->value),
             value, path);
}

void unit_options(Run& run, const Element& item, const Element& value, const Path& path) {
  if (value.type != "Quantity") return;
  auto options = extensions(item, "questionnaire-unitOption");
  if (options.empty()) return;
  std::string_view system = value_of(child_named(value, "system")), code = value_of(child_named(value, "code"));
  for (const Element* option : options) {
    const Element* coding = child_named(*option, "valueCoding");
    if (coding && value_of(child_named(*coding, "system")) == system && value_of(child_named(*coding, "code")) == code) return;
  }
  run.report(Severity::Error, "code-invalid",
             "the unit '" + std::string(system) + "#" + std::string(code) + "' of the answer to '" + link_id(item) +
                 "' is not one of the item's unitOptions",
             value, path);
}

void mime_types(Run& run, const Element& item, const Element& value, const Path& path) {
  if (value.type != "Attachment") return;
  auto allowed = extensions(item, "mimeType");
  if (allowed.empty()) return;
  std::string_view type = value_of(child_named(value, "contentType"));
  if (type.empty()) {
    run.report(Severity::Error, "required",
               "the attachment answering '" + link_id(item) + "' has no contentType; the item takes only some mimeTypes",
               value, path);
    return;
  }
  for (const Element* x : allowed) {  // "image/" admits every image type, as the reference reads it
    std::string_view code = value_of(child_named(*x, "valueCode"));
    if (!code.empty() && type.starts_with(code)) return;
  }
  run.report(Severity::Error, "value",
             "the attachment answering '" + link_id(item) + "' is " + std::string(type) + ", not one of the item's mimeTypes",
             value, path);
}

}  // namespace

void check_answer_limits(Run& run, const Element& item, const Element& value, const Path& path) {
  value_limits(run, item, value, path);
  decimal_places(run, item, value, path);
  string_limits(run, item, value, path);
  unit_options(run, item, value, path);
  mime_types(run, item, value, path);
}

void check_max_occurs(Run& run, const Element& item, size_t given, const Element& at, const Path& path) {
  const Element* max = extension_value(item, "questionnaire-maxOccurs");
  if (!max) return;
  long most = std::strtol(std::string(max->value).c_str(), nullptr, 10);
  if (most <= 0 || static_cast<long>(given) <= most) return;
  run.report(Severity::Error, "structure",
             "the item '" + link_id(item) + "' is given " + std::to_string(given) + " times; its maxOccurs is " +
                 std::to_string(most),
             at, path);
}

}  // namespace carebridge::fhir::validation
