// POST /ingest/{mapping}: agency and hospital formats over HTTP. `hl7v2` takes one HL7 v2
// message (ER7) and answers with the transaction-response Bundle, or with the ACK when the
// request accepts x-application/hl7-v2+er7. Problems are an OperationOutcome whose issues
// name the v2 position (issue.location) and say what is wrong. Every other name is an
// agency format (`agency`, may be null): see AgencyIngest.
#pragma once

#include "gateway/ingest/agency_ingest.h"
#include "gateway/ingest/v2_ingest.h"
#include "gateway/pipeline/routes.h"

namespace carebridge::gateway::ingest {

pipeline::Route ingest_route(const V2Ingest& v2, const AgencyIngest* agency = nullptr);

// The media type of ER7 messages over HTTP.
inline constexpr const char* kEr7MediaType = "x-application/hl7-v2+er7";

}  // namespace carebridge::gateway::ingest
