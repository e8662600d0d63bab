// gateway/routing: subscriptions and the delivery of their notifications. A Subscription
// (FHIR R4, with the Subscriptions Backport IG's topic-based form) is read into what the
// commit hook matches writes against and what the delivery workers need: its owner (the
// client that stored it), its channel, payload and heartbeat, and its triggers — the
// topic's, each with the topic's query and the subscriber's filters, or a plain R4
// criteria search.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "fhir/search/query.h"
#include "fhir/search/registry.h"

namespace carebridge::gateway::routing {

inline constexpr const char* kBackport = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
// The meta.tag system the write path stamps on a Subscription with the client that stored it.
inline constexpr const char* kOwnerTagSystem = "urn:carebridge:subscription-owner";
// The meta.tag system the write path stamps on a Subscription made again under the id of a
// deleted one, with the version it started at: its events are its own, numbered from 1.
inline constexpr const char* kStartTagSystem = "urn:carebridge:subscription-start";
// A channel extension with the secret notifications are signed with (HMAC-SHA256 of the
// body, in the X-Carebridge-Signature header: "sha256=HEX"), so a receiver can check them.
inline constexpr const char* kSigningSecret = "http://carebridge.example/fhir/StructureDefinition/subscription-signing-secret";

// A topic's trigger: a resource type, the interactions that fire it, and the search the
// new version must match ("" matches every version).
struct TopicTrigger {
  std::string resource;
  bool create = false, update = false, del = false;
  std::string query;
  bool status_change = false;  // an update fires only when it changes the resource's status
};

struct Topic {
  std::string url, title, description;
  std::vector<TopicTrigger> triggers;
  std::vector<std::pair<std::string, std::string>> can_filter_by;  // (resource, parameter)
};

class Topics {
 public:
  // Reads the topics file (see topics.json); the issues say what is wrong.
  static carebridge::Result<Topics> load(std::string_view json);
  // The shipped file: $CAREBRIDGE_TOPICS, beside the executable, or the source tree's.
  static std::string default_path();
  const Topic* find(std::string_view url) const;
  const std::vector<Topic>& all() const { return topics_; }

 private:
  std::vector<Topic> topics_;
};

enum class Payload { Empty, IdOnly, FullResource };

// One compiled trigger of a subscription: what a write must be to make an event.
struct Target {
  std::string resource;
  bool create = true, update = true, del = false;
  fhir::search::SearchQuery query;  // the topic's query and the subscriber's filters, ANDed
  bool status_change = false;       // updates fire only when the status changes
};

// The log a subscription's events go to: of the subscription made under `id` at version
// `started` (a deleted subscription's events are not those of one made again under its id).
std::string event_log(std::string_view subscription_id, int64_t started = 1);

struct Subscription {
  std::string id;
  int64_t started = 1;   // the version it was made at (see kStartTagSystem)
  std::string owner;     // the client that stored it; empty on an open server
  std::string status;    // requested | active | error | off
  std::string topic;     // the topic canonical, or the R4 criteria
  // Whether `topic` is a topic's canonical URL, not a plain R4 criteria search ("Observation?code=...").
  std::string log() const { return event_log(id, started); }
  bool names_topic() const { return topic.find('?') == std::string::npos && topic.find("://") != std::string::npos; }
  std::string endpoint;  // rest-hook URL, or mllp://host:port for the v2 channel
  bool v2 = false;       // channel.type message with an mllp:// endpoint: results as ORU^R01
  bool websocket = false;  // channel.type websocket: to the connections bound with $get-ws-binding-token
  std::vector<std::pair<std::string, std::string>> headers;  // channel.header, as name and value
  std::string signing_secret;
  Payload payload = Payload::FullResource;
  std::string content_type = "application/fhir+json";
  int64_t heartbeat_s = 0;  // 0: none
  int64_t timeout_s = 10;
  int64_t max_count = 20;   // events per notification
  // Subscription.end (epoch ms; 0: none): "the time for the server to turn the subscription
  // off" (FHIR R4) — from then on nothing is logged or sent and delivery sets it off.
  int64_t end_ms = 0;
  bool ended(int64_t now_ms) const { return end_ms > 0 && now_ms >= end_ms; }
  std::vector<Target> targets;
  // "my patients": only records about patients this member ("Practitioner/7") cares for
  // (care_teams.h); from the filter `care-team-member=...`, allowed on every topic.
  std::string care_team_member;
};

// Of a stored Subscription (compact JSON): the client it belongs to (its owner tag), its
// status ("requested", "active", "error", "off") and start tag; "" for what it does not say.
struct StoredSubscription {
  std::string owner, status;
  std::string started;  // its start tag's code ("" when made at version 1)
};
StoredSubscription stored_subscription(std::string_view json);

// Reads a stored Subscription (compact JSON). Fails, saying why in plain words, when it
// names no known topic, a criteria that does not parse, a filter the topic does not allow,
// or a channel this gateway does not deliver.
carebridge::Result<Subscription> read_subscription(std::string_view json, const Topics& topics,
                                                   const fhir::search::SearchRegistry& registry);

}  // namespace carebridge::gateway::routing
