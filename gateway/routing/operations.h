// The Subscription operations of the Backport IG: GET [base]/Subscription/ID/$status (a
// Bundle with the SubscriptionStatus) and $events?eventsSinceNumber=N&eventsUntilNumber=M
// (the logged events again, from the subscription's log, as a notification would carry
// them). Only a caller who may read the Subscription may ask.
#pragma once

#include <string>

#include "gateway/pipeline/routes.h"
#include "gateway/rest/service.h"
#include "gateway/routing/delivery.h"
#include "gateway/routing/events.h"

namespace carebridge::gateway::routing {

pipeline::Route subscription_operations(const std::string& base, rest::FhirService& service, store::Store& store,
                                        const SubscriptionEvents& events, const Delivery& delivery);

}  // namespace carebridge::gateway::routing
