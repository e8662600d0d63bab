// Subscriptions for a server (gateway/routing): the shipped topics, the commit hook that
// logs each subscription's events with the write that causes them, and the delivery
// workers, which set a subscription's stored status through the FHIR service.
#pragma once

#include <memory>

#include "app/security_setup.h"
#include "gateway/config/config.h"
#include "gateway/http/metrics.h"
#include "gateway/rest/service.h"
#include "gateway/routing/delivery.h"
#include "gateway/routing/disclosures.h"
#include "gateway/routing/events.h"
#include "gateway/routing/websocket.h"

namespace carebridge::app {

struct Routing {
  gateway::routing::Topics topics;
  std::shared_ptr<gateway::routing::CareTeams> care_teams;
  std::shared_ptr<gateway::routing::SubscriptionEvents> events;
  std::unique_ptr<gateway::routing::WebsocketHub> websocket;  // null when not configured
  std::unique_ptr<gateway::routing::Disclosures> disclosures;  // null without an audit trail
  std::unique_ptr<gateway::routing::Delivery> delivery;
};

// Registers the commit hook and reads the stored subscriptions; null (after saying why)
// when the topics cannot be read. `security` decides who may be notified of what.
// Its per-subscription series go to `metrics` (queued, delivered, withheld, failures).
std::unique_ptr<Routing> set_up_routing(const gateway::config::Config& config, const fhir::definitions::Definitions& definitions,
                                        gateway::rest::FhirService& service, gateway::store::SqliteStore& store,
                                        const Security& security, gateway::http::Metrics& metrics);

}  // namespace carebridge::app
