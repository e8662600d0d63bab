#include "mappings/hl7v2/conversion.h"

#include "mappings/engine/node_json.h"

namespace carebridge::mappings::hl7v2 {

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

// "PID[1]-3[2].4: message" → {"PID[1]-3[2].4", "message"}.
MessageIssue located(Issue issue) {
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

}  // namespace

Conversion Converter::convert(std::string_view text, const ParseLimits& limits) const {
  Conversion c;
  auto parsed = parse_er7(text, limits);
  if (!parsed) {
    for (const Issue& i : parsed.issues()) c.issues.push_back(located(i));
    return c;
  }
  c.message = std::move(*parsed);
  auto mapped = map_to_fhir(*c.message, text, *spec_, options_);
  if (!mapped) {
    for (const Issue& i : mapped.issues()) c.issues.push_back(located(i));
    return c;
  }
  c.mapped = std::move(*mapped);
  for (const Issue& w : c.mapped.warnings) c.issues.push_back(located(w));
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
  bool errors = !c.bundle || !c.bundle->root();
  std::erase_if(found, [](const Issue& i) { return i.severity == Severity::Information; });
  for (Issue& i : found) {
    errors = errors || i.severity == Severity::Error || i.severity == Severity::Fatal;
    std::string location = c.mapped.source_of(i.expression);
    if (!i.expression.empty()) i.message += " (" + i.expression + ")";
    c.issues.push_back({std::move(i), location, true});
  }
  c.outcome = errors ? Conversion::Outcome::Invalid : Conversion::Outcome::Accepted;
  return c;
}

std::vector<std::string_view> split_messages(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = std::string_view::npos;
  auto segment_start = [&](size_t at) { return at == 0 || text[at - 1] == '\r' || text[at - 1] == '\n' || text[at - 1] == 0x0B; };
  auto trimmed = [](std::string_view m) {
    while (!m.empty() && (m.back() == '\r' || m.back() == '\n' || m.back() == 0x1C || m.back() == 0x0B || m.back() == ' '))
      m.remove_suffix(1);
    return m;
  };
  for (size_t at = 0; at + 3 <= text.size(); ++at) {
    if (!segment_start(at)) continue;
    std::string_view name = text.substr(at, 3);
    bool header = name == "MSH", batch = name == "FHS" || name == "BHS" || name == "BTS" || name == "FTS";
    if (!header && !batch) continue;
    if (start != std::string_view::npos) out.push_back(trimmed(text.substr(start, at - start)));
    start = header ? at : std::string_view::npos;
  }
  if (start != std::string_view::npos) out.push_back(trimmed(text.substr(start)));
  if (out.empty() && !text.empty()) out.push_back(text);  // not v2: let the parser say why
  return out;
}

}  // namespace carebridge::mappings::hl7v2
