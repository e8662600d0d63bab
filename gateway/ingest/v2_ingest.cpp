#include "gateway/ingest/v2_ingest.h"

#include <atomic>

#include "gateway/ingest/stored_updates.h"
#include "gateway/ingest/v2_merge.h"
#include "gateway/rest/json_patch.h"
#include "gateway/rest/service.h"
#include "gateway/store/store.h"
#include "mappings/hl7v2/to_fhir.h"

namespace carebridge::gateway::ingest {

namespace v2 = mappings::hl7v2;
using fhir::model::Severity;

V2Ingest::V2Ingest(rest::FhirService& service, store::Store& store, std::shared_ptr<const v2::Converter> converter,
                   std::string base_path)
    : service_(service), store_(store), converter_(std::move(converter)), base_path_(std::move(base_path)) {}

v2::AckError ack_error(const v2::MessageIssue& issue) {
  v2::AckError e;
  e.location = issue.location;
  e.message = issue.issue.message;
  e.severity = issue.issue.severity == Severity::Warning ? 'W' : issue.issue.severity == Severity::Information ? 'I' : 'E';
  const std::string& code = issue.issue.code;
  // What is not supported, by where (HL7 table 0357): the event 201, the processing ID 202, the version 203.
  auto unsupported = [&] {
    const std::string& at = issue.location;
    return at.ends_with("-9.2") ? "201" : at.ends_with("-11") ? "202" : at.ends_with("-12") ? "203" : "200";
  };
  e.code = code == "not-supported" ? unsupported() : code == "required" ? "101" : code == "code-invalid" ? "103"
         : code == "value" || code == "invalid" ? "102" : code == "structure" ? "100" : "207";
  return e;
}

namespace {

// The transaction-response's problems in plain words (its OperationOutcome's first).
std::string refusal_text(const http::Response& response) {
  auto said = refusals(response);
  if (said.empty()) return "the gateway refused the message's records (HTTP " + std::to_string(response.status) + ")";
  return said.front().message.substr(0, 300);
}

}  // namespace

V2Outcome V2Ingest::ingest(std::string_view text, const rest::Caller& who, const std::string& remote,
                           std::string_view host) const {
  V2Outcome out;
  std::string organization = who ? who->organization : std::string();
  out.conversion = converter_->convert(text, {}, organization);
  v2::Conversion& c = out.conversion;
  for (const v2::MessageIssue& i : c.issues)
    if (i.issue.severity == Severity::Error || i.issue.severity == Severity::Fatal || !i.from_validation)
      out.errors.push_back(ack_error(i));
  if (c.outcome == v2::Conversion::Outcome::Rejected) {
    out.kind = V2Outcome::Kind::Rejected;
    out.text = c.first_error();
    return out;
  }
  if (c.outcome == v2::Conversion::Outcome::Invalid) {
    out.kind = V2Outcome::Kind::Invalid;
    out.text = "the message does not give valid FHIR: " + c.first_error();
    return out;
  }
  if (auto stored = store_.read("Binary", converter_->stored_message_id(*c.message, text, organization)); stored && !stored->deleted) {
    out.kind = V2Outcome::Kind::Duplicate;
    out.text = "already received (same sender and control id); nothing changed";
    return out;
  }
  http::Request request;
  request.target = base_path_.empty() ? "/" : base_path_;
  request.remote = remote;
  if (!host.empty()) request.headers.emplace_back("Host", std::string(host));
  out.transaction = post_transaction(service_, who, std::move(request), [&] { return bundle_to_send(c.mapped, who); });
  if (out.transaction.status >= 300) {
    out.kind = V2Outcome::Kind::Refused;
    out.text = refusal_text(out.transaction);
    out.errors.push_back({{}, out.text, 'E', "207"});
    return out;
  }
  out.kind = V2Outcome::Kind::Accepted;
  out.text = "stored " + std::to_string(c.mapped.resources) + " records";
  return out;
}

std::string V2Ingest::bundle_to_send(const v2::MappedMessage& mapped, const rest::Caller& who) const {
  std::string json = mapped.bundle_json();
  rapidjson::Document bundle;
  if (mapped.updates.empty() || !rest::parse_json_keeping_numbers(json, kIngestJsonDepth, bundle)) return json;
  with_stored_records(bundle, service_, who, [&](rapidjson::Value& entry, const rapidjson::Value& stored) {
    auto update = mapped.updates.find(entry["fullUrl"].GetString());
    std::string url = entry["request"]["url"].GetString();
    const auto* definition = service_.definitions().type(url.substr(0, url.find('?')));
    if (update == mapped.updates.end() || !definition) return false;
    keep_unsaid(entry["resource"], stored, update->second, *definition, bundle.GetAllocator());
    keep_security_labels(entry["resource"], stored, bundle.GetAllocator());
    return true;
  });
  return rest::write_json_keeping_numbers(bundle);
}

namespace {

std::string next_control_id() {
  static std::atomic<uint64_t> counter{0};
  return "CBACK" + std::to_string(std::time(nullptr)) + "-" + std::to_string(counter.fetch_add(1));
}

}  // namespace

std::vector<std::string> V2Ingest::acknowledgements(const V2Outcome& outcome, std::string_view text) const {
  const v2::Message* message = outcome.conversion.message ? &*outcome.conversion.message : nullptr;
  v2::AckRequest asked = message ? v2::ack_request(*message) : v2::AckRequest{};
  bool success = outcome.success();
  char letter = success ? 'A' : outcome.kind == V2Outcome::Kind::Rejected ? 'R' : 'E';
  std::vector<std::string> acks;
  if (asked.enhanced && v2::AckRequest::wanted(asked.accept, success)) {
    // Committed (CA), could not be committed (CE), or not taken at all (CR).
    acks.push_back(v2::make_ack(message, text, std::string("C") + letter, outcome.text, outcome.errors, next_control_id()));
  }
  if (!asked.enhanced || v2::AckRequest::wanted(asked.application, success))
    acks.push_back(v2::make_ack(message, text, std::string("A") + letter, outcome.text, outcome.errors, next_control_id()));
  return acks;
}

}  // namespace carebridge::gateway::ingest
