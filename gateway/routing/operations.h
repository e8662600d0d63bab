// The Subscription operations of the Backport IG: GET [base]/Subscription/ID/$status (a
// Bundle with the SubscriptionStatus) and $events?eventsSinceNumber=N&eventsUntilNumber=M
// (the logged events again, from the subscription's log, as a notification would carry
// them), $resend?eventsSinceNumber=N (POST: the events from N are sent again), and
// $get-ws-binding-token (a token and the URL for the websocket channel). Only a caller who
// may read the Subscription may ask. At the type level, GET [base]/Subscription/$status
// (?status=error, ?id=...) gives the status of every Subscription the caller may read,
// with why delivery last failed: an administrator's view of the subscriptions in trouble.
#pragma once

#include <string>
#include <vector>

#include "gateway/pipeline/routes.h"
#include "gateway/rest/service.h"
#include "gateway/routing/delivery.h"
#include "gateway/routing/events.h"
#include "gateway/routing/websocket.h"

namespace carebridge::gateway::routing {

// What waits for a subscription: the events logged after the last one delivered, and when
// the write that made the first of them was committed (0 when none waits).
struct Backlog {
  int64_t waiting = 0;
  int64_t oldest_ms = 0;
};
// `log`: the subscription's (Subscription::log).
Backlog backlog(store::Store& store, const std::string& log, int64_t delivered);

// `websocket` (may be null) answers $get-ws-binding-token.
// The routes (the type level first); requests under [base]/Subscription/ that are not
// operations go to `service`.
std::vector<pipeline::Route> subscription_operations(const std::string& base, rest::FhirService& service, store::Store& store,
                                                     const SubscriptionEvents& events, Delivery& delivery,
                                                     WebsocketHub* websocket);

}  // namespace carebridge::gateway::routing
