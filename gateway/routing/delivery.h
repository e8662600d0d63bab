// Delivery of subscription notifications over rest-hook: for each subscription, its
// handshake first, then its events in event-number order, a notification of at most
// max-count events at a time, heartbeats when nothing else is sent. A failed POST is
// retried with exponential backoff and jitter up to the retry horizon (72 hours by
// default), then the subscription's status becomes `error`; its events stay in its log
// for $events. Each subscription is delivered on its own: a slow or dead receiver delays
// only its own events. What was delivered is kept in DATA/subscriptions/ID.json (at most a
// second behind, and exactly at stop), so a restart resumes after the last event kept as
// delivered: at least once — the events of the last second before a crash may be
// delivered again, none is lost.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "gateway/routing/events.h"
#include "gateway/routing/websocket.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::routing {

struct DeliveryOptions {
  std::string base_url;            // what notifications call this server ("http://host:port/fhir")
  std::string state_dir;           // where each subscription's delivery state is kept
  unsigned threads = 4;            // POSTs under way at once (one per subscription at most)...
  unsigned max_threads = 64;       // ...and more while receivers hold every thread (see WorkerPool)
  std::chrono::seconds horizon = std::chrono::hours(72);
  std::chrono::seconds max_backoff = std::chrono::minutes(5);
  std::vector<std::string> allowed_hosts;  // http (not https) and private addresses allowed for these
  // Endpoints on this machine (loopback) without being allow-listed: yes on a gateway whose
  // callers need no token (a developer's), no when tokens are required — a client must not
  // make the gateway post to services that listen only locally (server-side request forgery).
  bool loopback_open = true;
  const fhir::definitions::Definitions* definitions = nullptr;  // for the v2 channel
  WebsocketHub* websocket = nullptr;                             // for the websocket channel
  std::string client_certificate, client_private_key;  // for receivers that ask for one (PEM)
  std::string trusted_ca;                              // CAs trusted for https receivers; empty: the system's
  // Whether a subscription's client may still learn of a record, asked again when its event is
  // sent (a Consent can be withdrawn while the event waits); null: whatever was logged goes.
  std::function<bool(const std::string& owner, const store::ResourceRecord& record)> authorize;
  // Told of the records each notification disclosed to its subscriber (for the audit trail).
  std::function<void(const Subscription& subscription, const std::vector<store::ResourceRecord>& records)> disclosed;
  // Sets a subscription's stored status ("active" after its handshake, "error" past the horizon).
  std::function<void(const std::string& id, const std::string& status, const std::string& reason)> set_status;
};

// What delivery knows of one subscription (for $status and /metrics).
struct DeliveryState {
  // Nothing delivered yet to the subscription made at version `started`.
  static DeliveryState fresh(int64_t started) {
    DeliveryState state;
    state.started = started;
    return state;
  }
  int64_t started = 1;         // of the subscription made at this version (Subscription::started)
  int64_t delivered = 0;       // the last event number delivered
  bool handshake = false;
  int64_t failures = 0;        // consecutive failed attempts
  std::string last_error;
};

// The X-Carebridge-Signature value's hex: HMAC-SHA256 of `body` with `secret`.
std::string signature(std::string_view secret, std::string_view body);

// Why the gateway will not post to this rest-hook endpoint, or "" when it will: https, or
// http on loopback or to an allow-listed host; never a private, link-local, multicast or
// reserved address that is not allow-listed (an IPv6 address carrying an IPv4 one counts
// as that IPv4 address).
std::string endpoint_refusal(const std::string& url, const std::vector<std::string>& allowed_hosts,
                             bool loopback_open = true);

class Delivery {
 public:
  Delivery(store::Store& store, SubscriptionEvents& events, DeliveryOptions options);
  ~Delivery();
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  void start();
  void stop();
  // New events or subscriptions: look again now (at `ids`; empty: at every subscription).
  void wake(const std::vector<std::string>& ids = {});
  DeliveryState state(const std::string& id) const;
  // The same of the subscription as it is now (made again under a deleted one's id: afresh).
  DeliveryState state(const Subscription& subscription) const;
  // What notifications call this server, once its port is known.
  void set_base_url(std::string url);
  // The handshake notification of a subscription (for a websocket that binds it); "" when
  // the subscription is not delivered.
  std::string handshake_notification(const std::string& id) const;
  // Sends the events from `since` (an event number) again ($resend).
  void resend_from(const std::string& id, int64_t since);
  // The subscription's backlog is full: its status becomes error, saying why (set from a
  // delivery thread, never from the store's writer, whose hooks tell this).
  void overflowed(const std::string& id, int64_t max_backlog);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace carebridge::gateway::routing
