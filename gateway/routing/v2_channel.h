// The HL7 v2 channel: a clinic whose EHR speaks only v2 subscribes with channel.type
// `message`, an `mllp://host:port` endpoint and payload `x-application/hl7-v2+er7`, and gets
// each result as ORU^R01 (the report with its results and patient, by mappings/hl7v2's
// FHIR-to-v2 direction), over MLLP, one message at a time, each acknowledged (AA or CA)
// before the next.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "gateway/routing/notification.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::routing {

// Whether the subscriber may learn of a stored record (as a read by its client would).
using MayLearn = std::function<bool(const store::ResourceRecord& record)>;

// The v2 messages for a batch of events: each result with its patient and, for a report, its
// results, read from the store — only those the subscriber `may_learn` of, each added to
// `disclosed` for the audit trail (a report's HIV result stays out of a clinic's ORU^R01
// as it would stay out of its searches). Each message's control id (MSH-10) names the
// subscription (`subscription`, its id) and the event: unique at a receiver that several
// subscriptions send to, and the same when an event is sent again.
std::vector<std::string> v2_messages(const std::vector<NotificationEvent>& events, store::Store& store,
                                     const fhir::definitions::Definitions& definitions, const MayLearn& may_learn,
                                     std::vector<store::ResourceRecord>& disclosed, std::string_view subscription = {});

// Sends each message over MLLP to `endpoint` ("mllp://host:port") and waits for its ACK;
// false, with `error` set, at the first that is not acknowledged AA or CA.
bool send_mllp(const std::string& endpoint, const std::vector<std::string>& messages, int timeout_s, std::string& error);

}  // namespace carebridge::gateway::routing
