#include "gateway/ingest/ingest_route.h"

#include "fhir/json/json_writer.h"
#include "gateway/pipeline/pipeline.h"

namespace carebridge::gateway::ingest {

namespace {

using fhir::json::append_json_string;


// An OperationOutcome with one issue per problem, each at its v2 position.
http::Response outcome(unsigned status, const V2Outcome& o) {
  std::string body = R"({"resourceType":"OperationOutcome","issue":[)";
  bool first = true;
  auto issue = [&](const char* severity, const std::string& code, const std::string& location, const std::string& text) {
    if (!first) body += ',';
    first = false;
    body += R"({"severity":")" + std::string(severity) + R"(","code":)";
    append_json_string(body, code);
    body += R"(,"diagnostics":)";
    append_json_string(body, text);
    if (!location.empty()) {
      body += R"(,"location":[)";
      append_json_string(body, location);
      body += ']';
    }
    body += '}';
  };
  for (const auto& i : o.conversion.issues) {
    bool error = i.issue.severity == fhir::model::Severity::Error || i.issue.severity == fhir::model::Severity::Fatal;
    if (i.from_validation && !error) continue;
    issue(error ? "error" : "warning", i.issue.code.empty() ? "processing" : i.issue.code, i.location, i.issue.message);
  }
  if (first || o.kind == V2Outcome::Kind::Refused || o.kind == V2Outcome::Kind::Duplicate)
    issue(o.success() ? "information" : "error", o.success() ? "informational" : "processing", "", o.text);
  body += "]}";
  return pipeline::fhir_json_response(status, std::move(body));
}

http::Response answer_v2(const V2Ingest& v2, const http::Request& request, const rest::Caller& who) {
  bool wants_ack = request.header("Accept").find("hl7-v2") != std::string_view::npos;
  auto messages = mappings::hl7v2::split_messages(request.body);
  if (messages.size() != 1) {
    return pipeline::outcome_response(400, "invalid", messages.empty() ? "the request has no HL7 v2 message"
                                                                       : "one HL7 v2 message per request (this one has " +
                                                                             std::to_string(messages.size()) +
                                                                             "); send streams over MLLP");
  }
  V2Outcome o = v2.ingest(messages.front(), who, request.remote, request.header("Host"));
  if (wants_ack) {
    http::Response r;
    r.status = o.kind == V2Outcome::Kind::Rejected ? 400 : 200;
    r.set_header("Content-Type", kEr7MediaType);
    for (const std::string& ack : v2.acknowledgements(o, messages.front())) r.body += ack;
    return r;
  }
  switch (o.kind) {
    case V2Outcome::Kind::Accepted: return pipeline::fhir_json_response(o.transaction.status, o.transaction.body);
    case V2Outcome::Kind::Duplicate: return outcome(200, o);
    case V2Outcome::Kind::Rejected: return outcome(400, o);
    case V2Outcome::Kind::Invalid: return outcome(422, o);
    case V2Outcome::Kind::Refused: return pipeline::fhir_json_response(o.transaction.status, o.transaction.body);
  }
  return outcome(500, o);
}

}  // namespace

pipeline::Route ingest_route(const V2Ingest& v2, const AgencyIngest* agency) {
  pipeline::Route route{"ingest", "/ingest/{mapping}", false, nullptr, nullptr};
  route.caller_handler = [&v2, agency](std::shared_ptr<const http::Request> request, rest::Caller who, http::Responder responder) {
    std::string_view path = std::string_view(request->target).substr(0, request->target.find('?'));
    std::string mapping(path.substr(path.find_last_of('/') + 1));
    bool known = mapping == "hl7v2" || (agency && agency->knows(mapping));
    if (!known) {
      std::string names = "hl7v2";
      if (agency)
        for (const auto& m : agency->mappings()) names += ", " + m;
      responder.reply([mapping, names]() -> http::Response {
        return pipeline::outcome_response(404, "not-found", "no mapping '" + mapping + "' (this gateway ingests " + names + ")");
      });
      return;
    }
    if (request->method != "POST") {
      responder.reply([mapping]() -> http::Response {
        auto r = pipeline::outcome_response(405, "not-supported", "POST a file to /ingest/" + mapping);
        r.set_header("Allow", "POST");
        return r;
      });
      return;
    }
    responder.defer([&v2, agency, mapping, request, who, responder] {
      auto response = std::make_shared<http::Response>(mapping == "hl7v2" ? answer_v2(v2, *request, who)
                                                                          : agency->ingest(mapping, *request, who));
      responder.reply([response] { return std::move(*response); });
    });
  };
  return route;
}

}  // namespace carebridge::gateway::ingest
