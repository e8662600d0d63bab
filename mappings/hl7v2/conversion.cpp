#include "mappings/hl7v2/conversion.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "fhir/json/utf8.h"
#include "mappings/engine/node_json.h"

namespace carebridge::mappings::hl7v2 {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  auto escaped = [&out](unsigned char byte) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02X", byte);
    out += hex;
  };
  while (!text.empty()) {
    size_t bad = fhir::json::find_invalid_utf8(text);
    for (char c : text.substr(0, bad)) {
      auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7F) escaped(byte);
      else out += c;
    }
    if (bad == std::string_view::npos) break;
    escaped(static_cast<unsigned char>(text[bad]));
    text.remove_prefix(bad + 1);
  }
  return out;
}

std::string Conversion::first_error() const {
  for (const MessageIssue& i : issues)
    if (i.issue.severity == Severity::Error || i.issue.severity == Severity::Fatal)
      return (i.location.empty() ? std::string() : i.location + ": ") + i.issue.message;
  return {};
}

Converter::Converter(const fhir::definitions::Definitions& definitions, const fhir::validation::Validator* validator,
                     std::shared_ptr<const MapSpec> spec, MapOptions options, fhir::validation::Policy policy,
                     const fhir::terminology::Terminology* terminology)
    : definitions_(definitions),
      validator_(validator),
      spec_(std::move(spec)),
      terminology_(terminology ? std::shared_ptr<const fhir::terminology::Terminology>(std::shared_ptr<void>(), terminology)
                               : std::make_shared<fhir::terminology::Terminology>(definitions)),
      options_(std::move(options)),
      policy_(policy) {
  if (!options_.code_display) {
    options_.code_display = [terminology = terminology_](std::string_view system,
                                                         std::string_view code) -> std::optional<std::string> {
      auto found = terminology->lookup(system, code);
      if (found.status == fhir::terminology::LookupStatus::not_found) return std::nullopt;
      return std::string(found.display());
    };
  }
}

namespace {

// "PID[1]-3[2].4: message" → {"PID[1]-3[2].4", "message"}, fit to print: what an issue
// quotes of the message may be a binary file's bytes.
MessageIssue located(Issue issue) {
  issue.message = printable(issue.message);
  MessageIssue out{std::move(issue), {}};
  const std::string& m = out.issue.message;
  size_t colon = m.find(": ");
  if (colon != std::string::npos && colon >= 3 && colon < 32 && std::isupper(static_cast<unsigned char>(m[0])) &&
      m.find(' ') > colon) {
    out.location = m.substr(0, colon);
    out.issue.message = m.substr(colon + 2);
  }
  return out;
}

// A field ("RXA-5") in the message's occurrence of its segment that belongs with the segment
// that made the resource ("ORC[2]", or "RXA[2]" itself): the first such segment from there
// on, before the next of the maker's name. So the second administration's missing code is
// reported at RXA[2]-5, not at the first's.
std::string in_segment(const Message& message, const std::string& maker, const std::string& field) {
  size_t bracket = maker.find('['), dash = field.find('-');  // "ORC" is the first ORC (Position::to_string)
  if (dash == std::string::npos || maker.find('-') != std::string::npos) return field;
  std::string_view maker_name = std::string_view(maker).substr(0, bracket);
  std::string_view field_segment = std::string_view(field).substr(0, dash);
  size_t repetition = 1;
  if (bracket != std::string::npos) std::from_chars(maker.data() + bracket + 1, maker.data() + maker.size(), repetition);
  const auto& segments = message.segments();
  auto at = std::find_if(segments.begin(), segments.end(),
                         [&](const Segment& s) { return s.name == maker_name && s.repetition == repetition; });
  for (auto it = at; it != segments.end(); ++it) {
    if (it != at && it->name == maker_name) break;
    if (it->name == field_segment) return it->name + "[" + std::to_string(it->repetition) + "]" + field.substr(dash);
  }
  return field;
}

// Where a required element the message left empty would have come from: the field the
// maps fill it from ("RXA-5" for Bundle.entry[3].resource.vaccineCode), when the issue is
// such an element's absence; else `location` (the segment that made the resource).
std::string missing_field(const Issue& issue, const fhir::model::Document* bundle, const MapSpec& spec,
                          const Message& message, std::string location) {
  constexpr std::string_view kResource = "].resource.";
  size_t at = issue.expression.find(kResource);
  if (issue.code != "required" || !bundle || !bundle->root() || at == std::string::npos ||
      location.find('-') != std::string::npos)
    return location;
  long index = -1;
  std::from_chars(issue.expression.data() + issue.expression.rfind('[', at) + 1, issue.expression.data() + at, index);
  std::string_view element = std::string_view(issue.expression).substr(at + kResource.size());
  element = element.substr(0, element.find_first_of(".["));
  long n = 0;
  for (const fhir::model::Element* entry : bundle->root()->children()) {
    if (entry->name != "entry" || n++ != index) continue;
    for (const fhir::model::Element* resource : entry->children())
      if (resource->name == "resource")
        if (std::string field = spec.field_for(resource->type, element); !field.empty()) return in_segment(message, location, field);
  }
  return location;
}

}  // namespace

std::string Converter::stored_message_id(const Message& message, std::string_view raw, std::string_view organization) const {
  return hl7v2::stored_message_id(message, raw, organization, options_.id_secret);
}

namespace {

// What makes a message one the gateway cannot take whatever its content (an ACK AR): no
// control ID (MSH-10, which its acknowledgement and a resend are told by), a version that is
// not HL7 v2's (MSH-12), an event HL7's table 0003 does not have (MSH-9.2; a Z event is a
// site's own).
std::optional<Issue> header_refusal(const Message& message, const MapOptions& options) {
  const Segment* msh = message.segment("MSH");
  if (!msh) return std::nullopt;
  if (message.value(*msh, 10).empty())
    return Issue{Severity::Error, "required",
                 "MSH[1]-10: the message control ID is empty, so the message can be neither acknowledged nor told from a resend",
                 {}, {}};
  std::string version = message.value(*msh, 12, 1, 1, 1);
  bool v2 = version.size() >= 3 && version.starts_with("2.") && std::all_of(version.begin() + 2, version.end(), [](char c) {
              return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
            });
  if (!version.empty() && !v2)
    return Issue{Severity::Error, "not-supported",
                 "MSH[1]-12: the version '" + version.substr(0, 20) + "' is not an HL7 version 2 (this gateway reads 2.1 to 2.8.2)", {}, {}};
  std::string event = message.trigger_event();
  if (!event.empty() && event[0] != 'Z' && options.code_display &&  // Z events are the sites' own
      !options.code_display("http://terminology.hl7.org/CodeSystem/v2-0003", event))
    return Issue{Severity::Error, "not-supported",
                 "MSH[1]-9.2: the event '" + event.substr(0, 20) + "' is not one of HL7 table 0003's", {}, {}};
  return std::nullopt;
}

}  // namespace

Conversion Converter::convert(std::string_view text, const ParseLimits& limits, std::string_view organization) const {
  Conversion c;
  auto parsed = parse_er7(text, limits);
  if (!parsed) {
    for (const Issue& i : parsed.issues()) c.issues.push_back(located(i));
    return c;
  }
  c.message = std::move(*parsed);
  const MapOptions* map_options = &options_;
  MapOptions sent_by;
  if (!organization.empty()) {
    sent_by = options_;
    sent_by.organization = std::string(organization);
    map_options = &sent_by;
  }
  if (auto refused = header_refusal(*c.message, *map_options)) {
    c.issues.push_back(located(std::move(*refused)));
    return c;
  }
  auto mapped = map_to_fhir(*c.message, text, *spec_, *map_options);
  if (!mapped) {
    for (const Issue& i : mapped.issues()) c.issues.push_back(located(i));
    return c;
  }
  c.mapped = std::move(*mapped);
  bool mapping_errors = false;
  for (const Issue& w : c.mapped.warnings) {
    mapping_errors = mapping_errors || w.severity == Severity::Error;
    c.issues.push_back(located(w));
  }
  fhir::model::ParseResult bundle = engine::read_tree(c.mapped.tree, definitions_);
  c.bundle = std::move(bundle.document);
  std::vector<Issue> found = std::move(bundle.issues);
  if (validator_ && c.bundle && c.bundle->root()) {
    fhir::validation::Options options;
    options.policy = policy_;
    options.sender_coded = true;  // the sender's units and codes are what they are
    auto more = validator_->validate(*c.bundle->root(), options);
    found.insert(found.end(), more.begin(), more.end());
  }
  bool errors = mapping_errors || !c.bundle || !c.bundle->root();
  std::erase_if(found, [](const Issue& i) { return i.severity == Severity::Information; });
  for (Issue& i : found) {
    errors = errors || i.severity == Severity::Error || i.severity == Severity::Fatal;
    std::string location = missing_field(i, c.bundle.get(), *spec_, *c.message, c.mapped.source_of(i.expression));
    i.message = printable(i.message);
    if (!i.expression.empty()) i.message += " (" + i.expression + ")";
    c.issues.push_back({std::move(i), location, true});
  }
  c.outcome = errors ? Conversion::Outcome::Invalid : Conversion::Outcome::Accepted;
  return c;
}

namespace {

bool is_header(std::string_view name) {
  return name == "MSH" || name == "FHS" || name == "BHS" || name == "BTS" || name == "FTS";
}

// Where the segment at `at` begins: the text's start or after a line end or MLLP's start block.
bool segment_start(std::string_view text, size_t at) {
  return at == 0 || text[at - 1] == '\r' || text[at - 1] == '\n' || text[at - 1] == 0x0B;
}

}  // namespace

std::string_view text_before_messages(std::string_view text) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  size_t first = 0;
  while (first + 3 <= text.size() && !(segment_start(text, first) && is_header(text.substr(first, 3)))) ++first;
  if (first + 3 > text.size()) return {};  // no header at all: the parser says why
  std::string_view before = text.substr(0, first);
  while (!before.empty() && std::string_view(" \t\r\n\x0B\x1C").find(before.front()) != std::string_view::npos)
    before.remove_prefix(1);
  while (!before.empty() && std::string_view(" \t\r\n\x0B\x1C").find(before.back()) != std::string_view::npos)
    before.remove_suffix(1);
  return before;
}

std::vector<std::string_view> split_messages(std::string_view text) {
  std::vector<std::string_view> out;
  // A UTF-8 byte order mark is no text: without this, the MSH after it would not be at a
  // segment's start, and the file's first message would be skipped.
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  size_t start = std::string_view::npos;
  auto trimmed = [](std::string_view m) {
    while (!m.empty() && (m.back() == '\r' || m.back() == '\n' || m.back() == 0x1C || m.back() == 0x0B || m.back() == ' '))
      m.remove_suffix(1);
    return m;
  };
  for (size_t at = 0; at + 3 <= text.size(); ++at) {
    if (!segment_start(text, at) || !is_header(text.substr(at, 3))) continue;
    bool header = text.substr(at, 3) == "MSH";
    if (start != std::string_view::npos) out.push_back(trimmed(text.substr(start, at - start)));
    start = header ? at : std::string_view::npos;
  }
  if (start != std::string_view::npos) out.push_back(trimmed(text.substr(start)));
  if (out.empty() && !text.empty()) out.push_back(text);  // not v2: let the parser say why
  return out;
}

}  // namespace carebridge::mappings::hl7v2
