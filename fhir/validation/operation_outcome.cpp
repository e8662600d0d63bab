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

std::string operation_outcome_json(const std::vector<model::Issue>& issues, bool pretty) {
  std::string out = "{\"resourceType\":\"OperationOutcome\",\"issue\":[";
  if (issues.empty()) {
    out += R"({"severity":"information","code":"informational","details":{"text":"No issues found"}})";
  }
  for (size_t i = 0; i < issues.size(); ++i) {
    if (i) out += ',';
    if (pretty) out += "\n  ";
    append_issue(out, issues[i], pretty);
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
