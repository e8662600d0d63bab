// What ingest adds to a transaction before sending it: the records its entries update.
// An entry "PUT Patient?identifier=..." replaces the record its criteria select; ingest
// reads that record first, to merge into the entry what must not be lost (a v2 update's
// unsaid elements, a record's security labels), and guards the write with its version.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <vector>

#include "gateway/http/message.h"
#include "gateway/rest/write_path.h"

namespace carebridge::gateway::rest {
class FhirService;
}

namespace carebridge::gateway::ingest {

// How deep the JSON ingest reads back may nest (a Bundle of resources: far below this).
constexpr size_t kIngestJsonDepth = 200;

// How large the transaction an upload becomes may be: its rows are bounded by the upload's
// own limits (csv::ReadLimits), and a Continuum of Care's HMIS export of 800 clients is
// already 18 MB of FHIR JSON, beyond the 16 MB a client's request may be.
constexpr size_t kIngestBodyBytes = size_t{256} << 20;

// Posts a transaction Bundle as `who`. `body()` makes the Bundle, reading the records it
// updates (with_stored_records); when one of them changed before the commit (412), it is
// made and sent again, `attempts` times at most (1: a caller that converts again itself).
// `request` brings the target, remote, TLS, Prefer and Host.
http::Response post_transaction(rest::FhirService& service, const rest::Caller& who, http::Request request,
                                const std::function<std::string()>& body, int attempts = 3);

// One problem of a transaction the gateway refused, read from its OperationOutcome: in plain
// words (several stored records matching an entry's criteria said for a person), and the
// Bundle entry it names (none: `entry` past any).
struct Refusal {
  std::string message;
  size_t entry = static_cast<size_t>(-1);
};
std::vector<Refusal> refusals(const http::Response& response);

// Calls `visit` for each entry of `bundle` (a parsed transaction) that updates by criteria
// and whose criteria select one current record `who` may see, with that record parsed;
// then sets the entry's request.ifMatch to the record's version, unless the entry has one
// already (the mapping built it from the version it read, and stays pinned to that one).
// `visit` returns false to leave the entry as it is (no ifMatch).
void with_stored_records(rapidjson::Document& bundle, rest::FhirService& service, const rest::Caller& who,
                         const std::function<bool(rapidjson::Value& entry, const rapidjson::Value& stored)>& visit);

// Adds to the entry's resource the security labels (meta.security) of the stored record it
// does not carry: labels are never dropped by an upload that does not know them (a delta
// export without the enrollments that made a client's record a victim service provider's).
void keep_security_labels(rapidjson::Value& resource, const rapidjson::Value& stored,
                          rapidjson::Document::AllocatorType& allocator);

}  // namespace carebridge::gateway::ingest
