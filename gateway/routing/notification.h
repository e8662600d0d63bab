// Notification Bundles as the Subscriptions Backport IG (R4) writes them: a `history`
// Bundle whose first entry is the SubscriptionStatus Parameters (subscription, topic,
// status, type, events-since-subscription-start, one notification-event per event with
// its number, time and focus), then the focus resources as the payload asks: whole
// (full-resource), only their URLs (id-only), or nothing (empty).
#pragma once

#include <string>
#include <vector>

#include "gateway/routing/events.h"
#include "gateway/routing/subscription.h"

namespace carebridge::gateway::routing {

struct NotificationEvent {
  int64_t number = 0;
  EventRecord event;
  std::string body;  // the version's JSON (full-resource), else empty
  // The subscriber may no longer learn of it (a Consent withdrawn since the event was
  // logged): the notification keeps its number and says nothing of what it was.
  bool withheld = false;
};

// `type`: handshake, heartbeat, event-notification, query-status or query-event.
std::string notification_bundle(const Subscription& subscription, const std::string& type, const std::string& status,
                                int64_t events_since_start, const std::vector<NotificationEvent>& events,
                                const std::string& base_url);

// The SubscriptionStatus Parameters alone (for $status); `error`, when not empty, is why
// delivery last failed (the `error` parameter, as text).
std::string subscription_status(const Subscription& subscription, const std::string& type, const std::string& status,
                                int64_t events_since_start, const std::vector<NotificationEvent>& events,
                                const std::string& base_url, const std::string& error = "");

}  // namespace carebridge::gateway::routing
