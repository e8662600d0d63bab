#include <algorithm>

#include "fhir/validation/operation_outcome.h"

#include "fhir/json/json_reader.h"
#include "fhir/json/json_writer.h"

namespace carebridge::fhir::validation {
namespace {

constexpr const char* kLineExtension = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line";
constexpr const char* kColumnExtension = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col";

void append_issue(std::string& out, const model::Issue& issue, bool pretty) {
  const char* nl = pretty ? "\n    " : "";
  out += '{';
  out += nl;
  if (issue.position.line) {
    out += "\"extension\":[{\"url\":\"";
    out += kLineExtension;
    out += "\",\"valueInteger\":" + std::to_string(issue.position.line) + "},{\"url\":\"";
    out += kColumnExtension;
    out += "\",\"valueInteger\":" + std::to_string(issue.position.column) + "}],";
    out += nl;
  }
  out += "\"severity\":\"";
  out += model::to_string(issue.severity);
  out += "\",";
  out += nl;
  out += "\"code\":";
  json::append_json_string(out, issue.code.empty() ? "processing" : issue.code);
  out += ",";
  out += nl;
  out += "\"details\":{\"text\":";
  json::append_json_string(out, issue.message);
  out += '}';
  if (!issue.expression.empty()) {
    out += ",";
    out += nl;
    out += "\"expression\":[";
    json::append_json_string(out, issue.expression);
    out += ']';
  }
  out += '}';
}

}  // namespace

std::string operation_outcome_json(const std::vector<model::Issue>& issues, bool pretty, size_t at_most) {
  std::string out = "{\"resourceType\":\"OperationOutcome\",\"issue\":[";
  if (issues.empty()) {
    out += R"({"severity":"information","code":"informational","details":{"text":"No issues found"}})";
  }
  std::vector<const model::Issue*> listed;
  for (const auto& i : issues) listed.push_back(&i);
  if (listed.size() > at_most) {
    std::stable_partition(listed.begin(), listed.end(), [](const model::Issue* i) {
      return i->severity == model::Severity::Fatal || i->severity == model::Severity::Error;
    });
    listed.resize(at_most);
  }
  for (size_t i = 0; i < listed.size(); ++i) {
    if (i) out += ',';
    if (pretty) out += "\n  ";
    append_issue(out, *listed[i], pretty);
  }
  if (issues.size() > listed.size()) {
    out += pretty ? ",\n  " : ",";
    append_issue(out, {model::Severity::Information, "too-costly",
                       std::to_string(issues.size() - listed.size()) + " more issues are not listed: mend these and check it again", {}, {}},
                 pretty);
  }
  out += pretty ? "\n]}\n" : "]}";
  return out;
}

std::unique_ptr<model::Document> operation_outcome(const std::vector<model::Issue>& issues,
                                                   const definitions::Definitions& definitions) {
  auto parsed = json::read(operation_outcome_json(issues), definitions);
  return std::move(parsed.document);
}

}  // namespace carebridge::fhir::validation
