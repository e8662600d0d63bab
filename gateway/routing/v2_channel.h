// The HL7 v2 channel: a clinic whose EHR speaks only v2 subscribes with channel.type
// `message`, an `mllp://host:port` endpoint and payload `x-application/hl7-v2+er7`, and gets
// each result as ORU^R01 (the report with its results and patient, by mappings/hl7v2's
// FHIR-to-v2 direction), over MLLP, one message at a time, each acknowledged (AA or CA)
// before the next.
#pragma once

#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "gateway/routing/notification.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::routing {

// The v2 messages for a batch of events (a result's report and patient read from the store).
std::vector<std::string> v2_messages(const std::vector<NotificationEvent>& events, store::Store& store,
                                     const fhir::definitions::Definitions& definitions);

// Sends each message over MLLP to `endpoint` ("mllp://host:port") and waits for its ACK;
// false, with `error` set, at the first that is not acknowledged AA or CA.
bool send_mllp(const std::string& endpoint, const std::vector<std::string>& messages, int timeout_s, std::string& error);

}  // namespace carebridge::gateway::routing
