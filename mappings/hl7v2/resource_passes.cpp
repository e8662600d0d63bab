// Passes over what a v2 message made (see resource_passes.h).
#include "mappings/hl7v2/resource_passes.h"

#include <cstdint>
#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

#include "fhir/fhirpath/quantity.h"
#include "fhir/io/base64.h"
#include "fhir/time/arithmetic.h"

namespace carebridge::mappings::hl7v2 {

using engine::Node;

std::string merge_key(const std::string& to) {
  size_t end = to.find_first_of("[.");
  std::string element = to.substr(0, end);
  for (const char* key : {"[system=", "[url="}) {
    if (to.compare(element.size(), std::strlen(key), key) != 0) continue;
    size_t start = element.size() + std::strlen(key), close = to.find(']', start);
    if (close != std::string::npos) return element + "|" + to.substr(start, close - start);
  }
  return element;
}

std::string_view telecom_group(std::string_view use) { return use == "work" ? "work" : "home"; }

std::string merge_key(const Rule& rule) {
  std::string key = merge_key(rule.to);
  if (key != "telecom") return key;
  return key + "|" + std::string(telecom_group(rule.with ? rule.with->text_of("use") : std::string_view()));
}

void join_text_lines(Node& document) {
  Node* contents = document.member("content");
  if (!contents || contents->children.size() < 2) return;
  std::string text;
  size_t first = SIZE_MAX;  // in `kept`
  std::vector<Node> kept;
  for (Node& c : contents->children) {
    const Node* attachment = c.member("attachment");
    auto lines = attachment && attachment->text_of("contentType") == "text/plain"
                     ? fhir::io::base64_decode(std::string(attachment->text_of("data")))
                     : std::nullopt;
    if (lines) text += (first == SIZE_MAX ? "" : "\n") + *lines;
    if (lines && first != SIZE_MAX) continue;
    if (lines) first = kept.size();
    kept.push_back(std::move(c));
  }
  // (a line may have had no data); with no text line at all, the renditions stay as they came
  if (first != SIZE_MAX) kept[first].member("attachment")->set("data", Node::string(fhir::io::base64_encode(text)));
  contents->children = std::move(kept);
}

void drop_self_links(Node& entry) {
  std::string_view url = entry.text_of("fullUrl");
  Node* resource = entry.member("resource");
  Node* links = resource ? resource->member("link") : nullptr;
  if (!links || !links->is_array()) return;
  std::erase_if(links->children, [&](const Node& link) {
    const Node* other = link.member("other");
    return other && other->text_of("reference") == url;
  });
  if (links->children.empty()) std::erase_if(resource->children, [](const Node& n) { return n.name == "link"; });
}

namespace {

std::string written(const Node& node) {
  std::string json;
  engine::write_json(node, json);
  return json;
}

}  // namespace

void drop_repeats(Node& resource) {
  if (Node* identifiers = resource.member("identifier"); identifiers && identifiers->is_array()) {
    std::vector<std::string> seen;
    std::erase_if(identifiers->children, [&](const Node& id) {
      std::string json = written(id);
      if (std::find(seen.begin(), seen.end(), json) != seen.end()) return true;
      seen.push_back(std::move(json));
      return false;
    });
  }
  Node* relations = resource.member("relatesTo");
  const Node* own = resource.member("masterIdentifier");
  if (!relations || !relations->is_array() || !own) return;
  std::string_view value = own->text_of("value");
  std::erase_if(relations->children, [&](const Node& relation) {
    const Node* target = relation.member("target");
    const Node* identifier = target ? target->member("identifier") : nullptr;
    return identifier && !value.empty() && identifier->text_of("value") == value;
  });
  if (relations->children.empty()) resource.remove("relatesTo");
}

namespace {

bool in_vital_signs(const Node& observation) {
  const Node* categories = observation.member("category");
  if (!categories || !categories->is_array()) return false;
  for (const Node& category : categories->children)
    if (const Node* codings = category.member("coding"); codings && codings->is_array())
      for (const Node& coding : codings->children)
        if (coding.text_of("code") == "vital-signs" &&
            coding.text_of("system") == "http://terminology.hl7.org/CodeSystem/observation-category")
          return true;
  return false;
}

// A coded value in words: its text, else its first coding's display, else that code.
Node coded_words(const Node& coded) {
  if (!coded.text_of("text").empty()) return Node::string(std::string(coded.text_of("text")));
  const Node* codings = coded.member("coding");
  if (!codings || !codings->is_array() || codings->children.empty()) return {};
  const Node& first = codings->children.front();
  return Node::string(std::string(first.text_of("display").empty() ? first.text_of("code") : first.text_of("display")));
}

Node absent_reason(const char* code, const char* display) {
  Node reason, coding;
  coding.set("system", Node::string("http://terminology.hl7.org/CodeSystem/data-absent-reason"));
  coding.set("code", Node::string(code));
  coding.set("display", Node::string(display));
  reason.append("coding", std::move(coding));
  return reason;
}

// Whether the observation has a value, says why not, or is made of parts (vs-2's choices).
bool has_value_or_reason(const Node& observation) {
  return std::any_of(observation.children.begin(), observation.children.end(), [](const Node& c) {
    return c.name.starts_with("value") || c.name == "dataAbsentReason" || c.name == "component" || c.name == "hasMember";
  });
}

}  // namespace

void keep_vital_sign_text(Node& observation) {
  if (!in_vital_signs(observation)) return;
  std::string member = "valueString";
  Node words;
  if (const Node* text = observation.member(member)) {
    words = *text;
  } else if (const Node* coded = observation.member("valueCodeableConcept")) {
    member = "valueCodeableConcept";
    words = coded_words(*coded);
  } else {
    // Sent without a value (a deleted result's empty OBX-5): why is not known (vs-2).
    if (!has_value_or_reason(observation)) observation.set("dataAbsentReason", absent_reason("unknown", "Unknown"));
    return;
  }
  Node note;
  note.set("text", std::move(words));
  observation.append("note", std::move(note));
  observation.set("dataAbsentReason", absent_reason("as-text", "As Text"));
  observation.remove(member);
}

// A UCUM code without its {annotations}: "{beats}/min" is "/min", as the vital-signs profiles fix it.
std::string without_annotations(std::string_view code) {
  std::string out;
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] != '{') {
      out += code[i];
      continue;
    }
    size_t close = code.find('}', i);
    if (close == std::string_view::npos) return std::string(code);
    i = close;
  }
  return out;
}

// The units' UCUM code for a vital sign: of the sent code, the code without its annotations,
// or the words (a local code whose words are a listed spelling); null when none is listed.
const VocabularyEntry* vital_sign_unit(const Node& quantity, const Vocabulary& units, std::string& sent) {
  for (std::string_view candidate : {quantity.text_of("code"), quantity.text_of("unit")}) {
    if (candidate.empty()) continue;
    const VocabularyEntry* found = units.listed(candidate);
    if (!found) found = units.listed(without_annotations(candidate));
    if (!found) continue;
    sent = candidate;
    return found;
  }
  return nullptr;
}

// The vital-signs profile code of an observation's LOINC code (vital-sign-codes: a variant's
// profile code, a profile's own code); null when it is none.
const VocabularyEntry* vital_sign_profile(const Node& observation, const Vocabulary& codes) {
  const Node* code = observation.member("code");
  const Node* codings = code ? code->member("coding") : nullptr;
  if (!codings || !codings->is_array()) return nullptr;
  for (const Node& coding : codings->children)
    if (coding.text_of("system") == codes.system)
      if (const VocabularyEntry* listed = codes.listed(coding.text_of("code"))) return listed;
  return nullptr;
}

// `quantity` in the unit `conversions` lists for the profile's code and the quantity's
// ("29463-7|[oz_av]": a weight in ounces in pounds, which the body-weight profile takes), the
// value exact (16 ounces to the pound) and at no fewer decimals than it was written with.
void convert_vital_sign_unit(Node& quantity, const Vocabulary* conversions, std::string_view profile) {
  std::string key = std::string(profile) + "|" + std::string(quantity.text_of("code"));
  const VocabularyEntry* to = conversions && !profile.empty() ? conversions->listed(key) : nullptr;
  Node* value = quantity.member("value");
  auto amount = value && to ? fhir::fhirpath::Decimal::parse(value->text) : std::nullopt;
  auto converted = amount ? fhir::fhirpath::convert_quantity(*amount, quantity.text_of("code"), to->code) : std::nullopt;
  if (!converted) return;
  if (converted->scale < amount->scale) *converted = converted->rescaled(amount->scale);
  value->text = converted->to_string();
  quantity.set("unit", Node::string(to->display.empty() ? to->code : to->display));
  quantity.set("code", Node::string(to->code));
}

// A vital sign's quantity (its value or a reference-range bound) in the UCUM code `units`
// lists for its spelling, then converted for its profile; unchanged when not listed.
void conform_quantity(Node& quantity, const Vocabulary& units, const Vocabulary* conversions, std::string_view profile) {
  constexpr std::string_view kUcum = "http://unitsofmeasure.org";
  std::string sent;
  const VocabularyEntry* ucum = vital_sign_unit(quantity, units, sent);
  if (!ucum) return;
  if (quantity.text_of("unit").empty()) quantity.set("unit", Node::string(sent));
  quantity.set("system", Node::string(std::string(kUcum)));
  quantity.set("code", Node::string(ucum->code));
  convert_vital_sign_unit(quantity, conversions, profile);
}

void ucum_vital_sign_units(Node& observation, const Vocabulary* units, const Vocabulary* conversions,
                           const Vocabulary* codes) {
  Node* quantity = observation.member("valueQuantity");
  if (!units || !quantity || !in_vital_signs(observation)) return;
  const VocabularyEntry* profile = codes ? vital_sign_profile(observation, *codes) : nullptr;
  std::string_view profile_code = profile ? std::string_view(profile->code) : std::string_view();
  conform_quantity(*quantity, *units, conversions, profile_code);
  if (Node* ranges = observation.member("referenceRange"); ranges && ranges->is_array())
    for (Node& range : ranges->children)
      for (const char* bound : {"low", "high"})
        if (Node* q = range.member(bound)) conform_quantity(*q, *units, conversions, profile_code);
}

void add_vital_sign_code(Node& observation, const Vocabulary* codes) {
  Node* code = observation.member("code");
  Node* codings = code ? code->member("coding") : nullptr;
  if (!codes || !codings || !codings->is_array() || !in_vital_signs(observation)) return;
  const VocabularyEntry* wanted = vital_sign_profile(observation, *codes);
  if (!wanted) return;
  for (const Node& coding : codings->children)
    if (coding.text_of("system") == codes->system && coding.text_of("code") == wanted->code) return;
  Node added;
  added.set("system", Node::string(codes->system));
  added.set("code", Node::string(wanted->code));
  added.set("display", Node::string(wanted->display));
  code->append("coding", std::move(added));
}

// A vital sign's time less precise than a day (OBX-14 202611) as the span it names: FHIR's
// vital-signs profiles want a dateTime precise to the day (vs-1), and a Period of that month
// says what the sender said.
void vital_sign_time_as_period(Node& observation, const Vocabulary* codes) {
  Node* effective = observation.member("effectiveDateTime");
  if (!codes || !effective || !effective->is_value() || effective->text.size() >= 10 || !vital_sign_profile(observation, *codes))
    return;
  Node period = Node::object();
  period.set("start", Node::string(effective->text, effective->source));
  period.set("end", Node::string(effective->text, effective->source));
  period.name = "effectivePeriod";
  *effective = std::move(period);
}

void conform_vital_sign(Node& observation, const MapSpec& spec) {
  keep_vital_sign_text(observation);
  vital_sign_time_as_period(observation, spec.vocabulary("vital-sign-codes"));
  ucum_vital_sign_units(observation, spec.vocabulary("vital-sign-units"), spec.vocabulary("vital-sign-unit-conversions"),
                        spec.vocabulary("vital-sign-codes"));
  add_vital_sign_code(observation, spec.vocabulary("vital-sign-codes"));
}

void end_from_duration(Node& appointment) {
  const Node* minutes = appointment.member("minutesDuration");
  if (!minutes || appointment.member("end") || !appointment.member("start")) return;
  auto start = fhir::time::try_parse(appointment.text_of("start"), fhir::time::Syntax::Instant);
  int64_t length = 0;
  const std::string& text = minutes->text;
  if (!start || std::from_chars(text.data(), text.data() + text.size(), length).ec != std::errc()) return;
  if (auto end = fhir::time::add(*start, length, fhir::time::CalendarUnit::Minute))
    appointment.set("end", Node::string(fhir::time::format(*end)));
}

// The rule's `member` and `with`: the value as a member of a new item, or merged with them.
Node shaped(const Rule& rule, Node value) {
  if (value.empty() || (rule.member.empty() && !rule.with)) return value;
  Node item = rule.with ? *rule.with : Node{};
  if (!rule.member.empty()) {
    item.set(rule.member, std::move(value));
    return item;
  }
  if (!value.is_object()) return value;
  for (Node& c : item.children)
    if (!value.member(c.name)) value.set(c.name, c);  // what the value says wins
  return value;
}

}  // namespace carebridge::mappings::hl7v2
