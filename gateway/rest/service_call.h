// The state of one FHIR request shared by the service's source files.
#pragma once

#include <string>
#include <vector>

#include "gateway/rest/service.h"

namespace carebridge::gateway::rest {

struct FhirService::Call {
  const http::Request& request;
  Target target;
  Negotiation negotiation;
  Prefer prefer;
  std::vector<std::string> segments;  // the path after the base, split at '/'
  std::string base_url;               // "http://host:port/fhir"
  Caller who;                         // null: the open server's caller
  size_t max_body_bytes = 0;          // the gateway's own request's larger limit (0: the configured one)
  // What the answer disclosed (or refused), for its AuditEvent (service_audit.cpp).
  mutable security::AuditRecord disclosed = {};
};

// The one retry policy for writes: a commit that conflicts with a concurrent one
// (the resource changed between planning and committing) is planned again, up to
// this many times, before the client is told to retry (409).
constexpr int kAttempts = 16;

// Whether a failed commit is worth planning again.
inline bool retry(const store::CommitResult& c, int attempt) {
  return c.status == store::CommitResult::Status::Conflict && attempt + 1 < kAttempts;
}

// What the client is told of a commit that failed: 409 (kept conflicting), 503 (the
// store cannot write now: retry later) or 500, in plain words, never the store's own.
Result commit_failure(const store::CommitResult& c);

// A Result carrying only an OperationOutcome.
Result failure(unsigned status, std::string code, std::string message);
// What a write or read of the stored version `r` answers (body, location, ETag, time).
Result found_result(const store::ResourceRecord& r, unsigned status);
// Whether an If-None-Match list ("W/\"1\", \"2\"") names the ETag (weakly compared).
bool etag_listed(std::string_view list, std::string_view etag);
// W/"3" or "3" to 3; nullopt when malformed.
std::optional<int64_t> parse_etag(std::string_view etag);
bool valid_id(std::string_view id);
// Whether any issue is an error or fatal.
bool has_error(const Issues& issues);
// What a write's OperationOutcome says when Prefer asks for it (return=OperationOutcome): the
// warnings it was taken with, or that it was done and where.
Issues write_outcome(const Result& result);

}  // namespace carebridge::gateway::rest
